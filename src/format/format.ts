// The formatter: one canonical layout for a WFL program. It works from the tokens and the parser's
// block structure and changes only whitespace, so the program means exactly what it meant:
// - each line is indented four spaces per level of block nesting (a statement inside a block one
//   level deeper than the block's first line; `end …`, `otherwise`, `when`, `catch`, `finally`
//   lines at the level of the block they belong to; inside `route`, the arms one level in; the
//   continuation lines of a statement one level deeper than its first line);
// - runs of spaces and tabs between tokens on a line become one space; trailing whitespace goes;
// - runs of blank lines become one blank line; blank lines at the start and end go; the file ends
//   with one line break;
// - comments stay, with the indentation of the code they precede;
// - text inside a text literal that spans lines is never touched.
// A program with a syntax error is not formatted (its structure is unknown).
import { tokenize } from "../lexer/lexer.js";
import { parse } from "../parser/parse.js";
import { Newline } from "../lexer/tokens.js";
import type { Stmt } from "../ast/nodes.js";
import type { Span } from "../ast/span.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";

export const INDENT = "    ";

export interface FormatResult {
  /** False when the program has syntax errors (then `text` is the input, unchanged). */
  readonly ok: boolean;
  readonly text: string;
  readonly diagnostics: Diagnostic[];
}

const CLAUSE_WORDS = new Set(["end", "otherwise", "when", "catch", "finally"]);

interface Line {
  readonly start: number;
  /** End of the line's content (before the line break). */
  readonly end: number;
  /** The line break after it ("" for the last line). */
  readonly eol: string;
}

export function formatSource(source: string, file = "<format>"): FormatResult {
  const parsed = parse(source, file);
  if (!parsed.program) return { ok: false, text: source, diagnostics: parsed.diagnostics };
  const tokens = tokenize(source).tokens.filter((t) => t.tokenType !== Newline);

  // Lines, with their breaks kept as they are (a break inside a text literal is part of its value).
  const lines: Line[] = [];
  const re = /\r\n|\r|\n/g;
  let at = 0;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    lines.push({ start: at, end: m.index, eol: m[0] });
    at = m.index + m[0].length;
  }
  lines.push({ start: at, end: source.length, eol: "" });
  const lineStarts = lines.map((l) => l.start);
  const lineOf = (offset: number): number => {
    let lo = 0, hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid; else hi = mid - 1;
    }
    return lo;
  };

  // Which lines start inside a text literal (left exactly as they are), and each line's tokens.
  const verbatim = new Array<boolean>(lines.length).fill(false);
  const lineTokens: { start: number; end: number }[][] = lines.map(() => []);
  for (const t of tokens) {
    const s = t.startOffset, e = t.startOffset + t.image.length;
    const l0 = lineOf(s), l1 = lineOf(Math.max(s, e - 1));
    lineTokens[l0]!.push({ start: s, end: e });
    for (let l = l0 + 1; l <= l1; l++) verbatim[l] = true;
  }
  const firstToken = (l: number): { start: number; end: number } | undefined => lineTokens[l]![0];
  const firstWord = (l: number): string => {
    const t = firstToken(l);
    return t ? source.slice(t.start, t.end) : "";
  };

  // Indentation levels from the block structure.
  const depth = new Array<number | undefined>(lines.length).fill(undefined);
  const lastLine = (span: Span): number => {
    let end = span.end;
    while (end > span.start + 1 && /\s/.test(source[end - 1] ?? "")) end--;
    return lineOf(Math.max(span.start, end - 1));
  };
  const startsLine = (offset: number): boolean => firstToken(lineOf(offset))?.start === offset;

  const visitList = (stmts: readonly Stmt[] | null | undefined, d: number): void => {
    for (const s of stmts ?? []) if (s && typeof s === "object") visit(s as unknown as Node, d, false);
  };
  interface Node { kind?: string; span: Span; [k: string]: unknown }
  /** `clauseIn`: lines of `otherwise`/`when` inside a route sit with its arms, one level in. */
  const visit = (s: Node, d: number, route: boolean): void => {
    if (!s.span) return;
    const l0 = lineOf(s.span.start), l1 = lastLine(s.span);
    // A statement that starts in the middle of a line (`otherwise check if …:`, `wait for …`)
    // takes the level of that line.
    let level = d;
    if (startsLine(s.span.start)) depth[l0] = d;
    else level = depth[l0] ?? d;
    const isRoute = s.kind === "Route";
    for (let l = l0 + 1; l <= l1; l++) {
      if (!firstToken(l)) continue;
      depth[l] = CLAUSE_WORDS.has(firstWord(l)) ? (isRoute && firstWord(l) !== "end" ? level + 1 : level) : level + 1;
    }
    for (const key of Object.keys(s)) {
      const v = s[key];
      if (key === "stmt" && v && typeof v === "object" && "kind" in (v as object)) {
        visit(v as Node, level, false);
      } else if (Array.isArray(v)) {
        if (key === "body" || key === "then" || key === "finally") visitList(v as Stmt[], level + 1);
        else if (key === "otherwise") visitList(v as Stmt[], isRoute ? level + 2 : level + 1);
        else if (key === "handlers") for (const h of v as Node[]) { if (h?.span) visitOwner(h, level, level + 1); }
        else if (key === "arms" || key === "methods") for (const h of v as Node[]) { if (h?.span) visitOwner(h, level + 1, level + 2); }
      }
    }
    void route;
  };
  /** A `when` handler, a route arm or a container method: its first line, then its body. */
  const visitOwner = (h: Node, own: number, inner: number): void => {
    const l0 = lineOf(h.span.start), l1 = lastLine(h.span);
    if (startsLine(h.span.start)) depth[l0] = own;
    for (let l = l0 + 1; l <= l1; l++) {
      if (!firstToken(l)) continue;
      depth[l] = CLAUSE_WORDS.has(firstWord(l)) && firstWord(l) === "end" ? own : inner;
    }
    visitList(h.body as Stmt[], inner);
  };
  visitList(parsed.program.body, 0);

  // Comment-only lines take the level of the code after them (inside a block that is closing, one deeper).
  const isBlank = (l: number): boolean => source.slice(lines[l]!.start, lines[l]!.end).trim() === "";
  let next = 0;
  for (let l = lines.length - 1; l >= 0; l--) {
    if (verbatim[l] || isBlank(l)) continue;
    if (firstToken(l)) {
      next = depth[l] ?? 0;
      if (CLAUSE_WORDS.has(firstWord(l))) next += 1;
      if (depth[l] === undefined) depth[l] = 0;
    } else {
      depth[l] = next;
    }
  }

  // Emit.
  const out: string[] = [];
  let pendingBlank = false;
  for (let l = 0; l < lines.length; l++) {
    const line = lines[l]!;
    if (verbatim[l]) {
      if (pendingBlank) out.push("\n");
      pendingBlank = false;
      out.push(source.slice(line.start, line.end) + line.eol);
      continue;
    }
    if (isBlank(l)) {
      if (out.length > 0) pendingBlank = true;
      continue;
    }
    if (pendingBlank) out.push(eolFor(line, lines));
    pendingBlank = false;
    out.push(INDENT.repeat(depth[l] ?? 0) + normaliseLine(source, line, lineTokens[l]!) + (line.eol || "\n"));
  }
  let text = out.join("");
  if (text.length === 0) return { ok: true, text: "", diagnostics: [] };
  if (!/(\r\n|\r|\n)$/.test(text)) text += "\n";
  return { ok: true, text, diagnostics: [] };
}

function eolFor(line: Line, lines: Line[]): string {
  return line.eol || lines.find((l) => l.eol)?.eol || "\n";
}

/** The line's content with single spaces between tokens, no indentation and no trailing whitespace. */
function normaliseLine(source: string, line: Line, toks: { start: number; end: number }[]): string {
  let out = "";
  let pos = line.start;
  // Leading whitespace is replaced by the indentation.
  while (pos < line.end && /[ \t\f\v\u00a0\ufeff]/.test(source[pos]!)) pos++;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.start > pos) out += gap(source.slice(pos, t.start));
    if (t.end > line.end) {
      // A text literal that goes on to the next line: the rest of this line is part of it.
      out += source.slice(t.start, line.end);
      return out;
    }
    out += source.slice(t.start, t.end);
    pos = t.end;
  }
  if (pos < line.end) {
    const rest = source.slice(pos, line.end);
    const trimmed = rest.replace(/[ \t\f\v\u00a0\ufeff]+$/, "");
    if (trimmed) {
      const lead = /^[ \t\f\v\u00a0\ufeff]*/.exec(trimmed)![0];
      out += (lead && out ? " " : "") + trimmed.slice(lead.length);
    }
  }
  return out;
}

/** Whitespace between two tokens becomes one space (a gap that is not only whitespace is kept). */
function gap(g: string): string {
  return /^[ \t\f\v\u00a0\ufeff]+$/.test(g) ? " " : g;
}
