/**
 * Text a parser reads line by line: a whole string, or lines already split
 * (without their newline) by a reader that streams a file, so a large input is
 * never held as one string.
 */
export type TextLines = string | Iterable<string>;

/** The lines of `input`, each without its `\n` or `\r\n`. */
export function* linesOf(input: TextLines): Generator<string> {
  if (typeof input !== 'string') {
    for (const line of input) yield line.endsWith('\r') ? line.slice(0, -1) : line;
    return;
  }
  let from = 0;
  for (let nl = input.indexOf('\n'); nl >= 0; nl = input.indexOf('\n', from)) {
    yield input.slice(from, nl > from && input[nl - 1] === '\r' ? nl - 1 : nl);
    from = nl + 1;
  }
  yield input.slice(from);
}
