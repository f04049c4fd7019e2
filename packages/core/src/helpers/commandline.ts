/**
 * True when `commandline` holds at least `numargs` arguments after the command name, e.g.
 * `minargs(1, ["echo", "hi"])` is true and `minargs(1, ["echo"])` is false.
 */
export function minargs(numargs: number, commandline: readonly string[]): boolean {
  if (!Number.isInteger(numargs) || numargs < 0) {
    throw new TypeError(`minargs needs a whole number of arguments >= 0, got ${String(numargs)}.`);
  }
  if (!Array.isArray(commandline)) {
    throw new TypeError("minargs needs the command line (a list of tokens) as second argument.");
  }
  return commandline.length - 1 >= numargs;
}
