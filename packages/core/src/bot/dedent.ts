/**
 * Cleans up a help text the way Python's `inspect.cleandoc` cleans a docstring: tabs become
 * spaces, the first line loses its leading whitespace, the common indentation of the other lines
 * is removed, and leading and trailing blank lines are dropped. Unlike the original SparkBot, the
 * text may start on the same line as the opening quote.
 */
export function dedent(text: string): string {
  const lines = text.replaceAll("\t", "        ").split(/\r?\n/);
  const [first = "", ...rest] = lines;
  const indents = rest
    .filter((line) => line.trim() !== "")
    .map((line) => line.length - line.trimStart().length);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  const cleaned = [first.trimStart(), ...rest.map((line) => line.slice(common).trimEnd())];
  while (cleaned.length > 0 && cleaned[0]?.trim() === "") cleaned.shift();
  while (cleaned.length > 0 && cleaned[cleaned.length - 1]?.trim() === "") cleaned.pop();
  return cleaned.join("\n");
}
