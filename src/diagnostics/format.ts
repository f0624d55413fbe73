// Diagnostics → text: `file:line:column`, the source line, a caret under the fault, one sentence.
import type { Span } from "../ast/span.js";

export interface Position {
  line: number; // 1-based
  column: number; // 1-based, in characters
  lineStart: number;
  lineEnd: number;
}

/** `\r\n`, `\n` and a lone `\r` each end a line, as they do for the lexer. */
const LINE_BREAK = /\r\n?|\n/g;

/** The start offset of every line of the last source asked about (one scan, however many diagnostics). */
let indexed: { source: string; starts: number[] } | undefined;
function lineStarts(source: string): number[] {
  if (indexed?.source === source) return indexed.starts;
  const starts = [0];
  LINE_BREAK.lastIndex = 0;
  for (let m = LINE_BREAK.exec(source); m !== null; m = LINE_BREAK.exec(source)) starts.push(m.index + m[0].length);
  indexed = { source, starts };
  return starts;
}

/** Offsets become line:column only here, when a diagnostic is shown. */
export function positionOf(source: string, offset: number): Position {
  const at = Math.max(0, Math.min(offset, source.length));
  const starts = lineStarts(source);
  // The last line start at or before the offset.
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  const lineStart = starts[lo]!;
  LINE_BREAK.lastIndex = lineStart;
  const lineEnd = LINE_BREAK.exec(source)?.index ?? source.length;
  return { line: lo + 1, column: Array.from(source.slice(lineStart, at)).length + 1, lineStart, lineEnd };
}

/**
 * Line, column (in characters, from 1) and line start of each of `offsets`, which must be in
 * increasing order: one pass over the source, also for listing many tokens.
 */
export function positionsOf(source: string, offsets: number[]): { line: number; column: number; lineStart: number }[] {
  const out: { line: number; column: number; lineStart: number }[] = [];
  let line = 1;
  let lineStart = 0;
  let scanned = 0;
  for (const offset of offsets) {
    const at = Math.max(0, Math.min(offset, source.length));
    LINE_BREAK.lastIndex = scanned;
    for (let m = LINE_BREAK.exec(source); m !== null && m.index < at; m = LINE_BREAK.exec(source)) {
      line++;
      lineStart = m.index + m[0].length;
    }
    scanned = Math.max(scanned, lineStart);
    out.push({ line, column: Array.from(source.slice(lineStart, at)).length + 1, lineStart });
  }
  return out;
}

export interface FormatOptions {
  color: boolean;
}

const MAX_SHOWN = 160;

export function formatDiagnostic(
  kind: string,
  message: string,
  file: string,
  source: string | null,
  span: Span | undefined,
  opts: FormatOptions,
): string {
  const red = (s: string) => (opts.color ? `\x1b[1;31m${s}\x1b[0m` : s);
  const blue = (s: string) => (opts.color ? `\x1b[34m${s}\x1b[0m` : s);
  const bold = (s: string) => (opts.color ? `\x1b[1m${s}\x1b[0m` : s);
  const head = `${red(`error[${kind}]`)}${bold(`: ${message}`)}`;
  if (source === null || !span) return `${head}\n  ${blue("┌─")} ${file}\n`;
  const pos = positionOf(source, span.start);
  let text = source.slice(pos.lineStart, pos.lineEnd);
  let col = pos.column - 1;
  // Very long lines are shown as a window around the fault.
  let chars = Array.from(text);
  let prefix = "";
  if (chars.length > MAX_SHOWN) {
    const from = Math.max(0, col - 40);
    chars = chars.slice(from, from + MAX_SHOWN);
    prefix = from > 0 ? "…" : "";
    col = col - from + prefix.length;
  }
  text = prefix + chars.join("").replace(/\t/g, " ").replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "�");
  const width = Math.max(1, Math.min(Array.from(source.slice(span.start, Math.min(span.end, pos.lineEnd))).length, Math.max(1, chars.length - col + 1)));
  const gutter = String(pos.line);
  const pad = " ".repeat(gutter.length);
  return [
    head,
    `${pad} ${blue("┌─")} ${file}:${pos.line}:${pos.column}`,
    `${pad} ${blue("│")}`,
    `${blue(gutter + " │")} ${text}`,
    `${pad} ${blue("│")} ${" ".repeat(Math.max(0, col))}${red("^".repeat(width))}`,
    "",
  ].join("\n");
}
