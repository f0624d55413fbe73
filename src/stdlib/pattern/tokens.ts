// Tokenizer for the body of a `create pattern NAME:` … `end pattern` block.
// Offsets are indices into the body string (UTF-16 code units, like every JS string index).

/** A mistake in a pattern body. `offset` is where in the body the problem starts. */
export class PatternSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = "PatternSyntaxError";
  }
}

export type TokKind = "word" | "num" | "str" | "open" | "close" | "eof";

export interface Tok {
  readonly kind: TokKind;
  /** The word, the digits, the decoded text of a quoted literal, or the bracket. */
  readonly value: string;
  readonly pos: number;
  readonly end: number;
  /** 0-based line number inside the body (capture names and references stop at line ends). */
  readonly line: number;
}

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "0": "\0", '"': '"' };

function isWordStart(ch: string): boolean {
  return /[\p{L}_]/u.test(ch);
}
function isWordPart(ch: string): boolean {
  return /[\p{L}\p{N}_]/u.test(ch);
}

export function tokenize(body: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let line = 0;
  const n = body.length;
  while (i < n) {
    const ch = body[i]!;
    if (ch === "\n") {
      line++;
      i++;
      continue;
    }
    if (ch === " " || ch === "\t" || ch === "\r" || ch === "," || ch === "\f" || ch === "\v" || ch === "\uFEFF") {
      i++;
      continue;
    }
    // Comments: `// …` and `# …` to the end of the line.
    if ((ch === "/" && body[i + 1] === "/") || ch === "#") {
      while (i < n && body[i] !== "\n") i++;
      continue;
    }
    const start = i;
    if (ch === '"') {
      let out = "";
      const startLine = line;
      i++;
      for (;;) {
        if (i >= n) {
          throw new PatternSyntaxError(
            'This quoted text has no closing quote ("). Add one where the text should end.',
            start,
          );
        }
        const c = body[i]!;
        if (c === '"') {
          i++;
          break;
        }
        if (c === "\\") {
          const e = body[i + 1];
          const rep = e === undefined ? undefined : ESCAPES[e];
          if (rep === undefined) {
            throw new PatternSyntaxError(
              `"\\${e ?? ""}" is not a known escape inside quoted text. Use \\n, \\t, \\r, \\0, \\\\ or \\".`,
              i,
            );
          }
          out += rep;
          i += 2;
          continue;
        }
        if (c === "\n") line++;
        out += c;
        i++;
      }
      toks.push({ kind: "str", value: out, pos: start, end: i, line: startLine });
      continue;
    }
    if (ch >= "0" && ch <= "9") {
      while (i < n && body[i]! >= "0" && body[i]! <= "9") i++;
      if (i < n && isWordPart(body[i]!)) {
        while (i < n && isWordPart(body[i]!)) i++;
        throw new PatternSyntaxError(
          `"${body.slice(start, i)}" is not a number or a pattern word. To match it literally, put it in quotes: "${body.slice(start, i)}".`,
          start,
        );
      }
      toks.push({ kind: "num", value: body.slice(start, i), pos: start, end: i, line });
      continue;
    }
    const cp = body.codePointAt(i)!;
    const full = String.fromCodePoint(cp);
    if (isWordStart(full)) {
      i += full.length;
      while (i < n) {
        const c = String.fromCodePoint(body.codePointAt(i)!);
        if (!isWordPart(c)) break;
        i += c.length;
      }
      toks.push({ kind: "word", value: body.slice(start, i), pos: start, end: i, line });
      continue;
    }
    if (ch === "{" || ch === "(") {
      toks.push({ kind: "open", value: ch, pos: start, end: i + 1, line });
      i++;
      continue;
    }
    if (ch === "}" || ch === ")") {
      toks.push({ kind: "close", value: ch, pos: start, end: i + 1, line });
      i++;
      continue;
    }
    throw new PatternSyntaxError(
      `Unexpected character "${full}". To match it literally, put it in quotes: "${full === '"' ? '\\"' : full}".`,
      start,
    );
  }
  toks.push({ kind: "eof", value: "", pos: n, end: n, line });
  return toks;
}
