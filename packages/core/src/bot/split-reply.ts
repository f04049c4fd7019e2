/** Webex refuses a message whose markdown is longer than this many UTF-8 bytes. */
export const MAX_REPLY_BYTES = 7439;

const byteLength = (text: string): number => Buffer.byteLength(text, "utf8");

/**
 * Splits a reply into messages of at most `maxBytes` UTF-8 bytes. Cuts fall between lines (the
 * newline at a cut is dropped); a single line longer than the limit is cut between characters,
 * never inside one (a surrogate pair stays whole).
 */
export function splitReply(markdown: string, maxBytes: number = MAX_REPLY_BYTES): string[] {
  if (byteLength(markdown) <= maxBytes) return [markdown];
  const chunks: string[] = [];
  let current: string | undefined;
  let currentBytes = 0;
  for (const line of markdown.split("\n")) {
    const pieces = byteLength(line) > maxBytes ? splitLine(line, maxBytes) : [line];
    for (const piece of pieces) {
      const pieceBytes = byteLength(piece);
      if (current !== undefined && currentBytes + 1 + pieceBytes <= maxBytes) {
        current += "\n" + piece;
        currentBytes += 1 + pieceBytes;
      } else {
        if (current !== undefined) chunks.push(current);
        current = piece;
        currentBytes = pieceBytes;
      }
    }
  }
  if (current !== undefined) chunks.push(current);
  return chunks.filter((chunk) => chunk.trim() !== "");
}

/** Cuts one over-long line between code points into pieces of at most `maxBytes` bytes. */
function splitLine(line: string, maxBytes: number): string[] {
  const pieces: string[] = [];
  let piece = "";
  let pieceBytes = 0;
  for (const char of line) {
    const charBytes = byteLength(char);
    if (pieceBytes + charBytes > maxBytes) {
      pieces.push(piece);
      piece = "";
      pieceBytes = 0;
    }
    piece += char;
    pieceBytes += charBytes;
  }
  if (piece !== "") pieces.push(piece);
  return pieces;
}
