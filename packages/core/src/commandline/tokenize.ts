import { CommandLineError } from "../errors/errors.js";

/*
 * Why a port and not `shell-quote`: Python's `shlex.split` (posix mode, `whitespace_split=True`,
 * no commenters) treats every character except whitespace, quotes and backslash as part of a
 * word. `shell-quote` is a shell parser: it expands `$VAR`, turns `#` into comments and
 * `;|&<>()` into operator objects, and in doing so forgets whether the operator touched its
 * neighbours (`a;b` and `a ; b` parse alike, but shlex gives `["a;b"]` and `["a", ";", "b"]`).
 * It also accepts unbalanced quotes silently, where shlex raises. Recovering shlex's answer from
 * its output is not possible in general, so this is a small, faithful port of the state machine
 * of CPython's `shlex.read_token` restricted to the configuration `shlex.split` uses.
 * `shell-quote` still earns its place as the test oracle: on inputs made of letters, blanks,
 * quotes and backslashes it must agree with this port (test/commandline/tokenize-oracle.test.ts).
 */

const WHITESPACE = new Set([" ", "\t", "\r", "\n"]);
const QUOTES = new Set(["'", '"']);
/** Quotes inside which a backslash escapes (only the quote itself and the backslash). */
const ESCAPED_QUOTES = new Set(['"']);
const ESCAPE = "\\";

/** `shlex`'s states: between tokens, in a word, inside a quote, or after a backslash. */
type State = "between" | "word" | "'" | '"' | "escape";

/**
 * Splits a command line into tokens exactly as Python's `shlex.split(text)` (posix) does:
 * whitespace (space, tab, CR, LF) separates tokens; single quotes keep everything literally;
 * double quotes keep everything except `\"` and `\\`; a backslash outside quotes escapes the
 * next character. Nothing is expanded: `$5`, `#5`, `a;b`, `|` and `&&` stay as typed.
 *
 * @throws CommandLineError with `reason` `No closing quotation` or `No escaped character`.
 */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let state: State = "between";
  let escapedState: "word" | "'" | '"' = "word";
  let token = "";
  let quoted = false;

  const emit = (): void => {
    tokens.push(token);
    token = "";
    quoted = false;
  };

  for (const char of text) {
    switch (state) {
      case "between":
        if (WHITESPACE.has(char)) continue;
        if (char === ESCAPE) {
          escapedState = "word";
          state = "escape";
        } else if (QUOTES.has(char)) {
          state = char as "'" | '"';
        } else {
          token = char;
          state = "word";
        }
        break;
      case "word":
        if (WHITESPACE.has(char)) {
          state = "between";
          if (token !== "" || quoted) emit();
        } else if (QUOTES.has(char)) {
          state = char as "'" | '"';
        } else if (char === ESCAPE) {
          escapedState = "word";
          state = "escape";
        } else {
          token += char;
        }
        break;
      case "'":
      case '"':
        quoted = true;
        if (char === state) {
          state = "word";
        } else if (char === ESCAPE && ESCAPED_QUOTES.has(state)) {
          escapedState = state;
          state = "escape";
        } else {
          token += char;
        }
        break;
      case "escape":
        // Inside double quotes only the quote itself and the backslash may be escaped.
        if (escapedState !== "word" && char !== ESCAPE && char !== escapedState) token += ESCAPE;
        token += char;
        state = escapedState;
        break;
    }
  }

  if (state === "'" || state === '"') throw new CommandLineError("No closing quotation");
  if (state === "escape") throw new CommandLineError("No escaped character");
  if (token !== "" || quoted) emit();
  return tokens;
}
