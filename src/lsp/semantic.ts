// Semantic tokens: keywords, literals and comments from the lexer; names classified by the resolver.
import type { Analysis } from "./workspace.js";
import { sitesOf } from "./index-of.js";
import { Newline } from "../lexer/tokens.js";

export const SEMANTIC_LEGEND = {
  tokenTypes: ["keyword", "string", "number", "comment", "variable", "parameter", "function", "property", "class", "operator", "interface"],
  tokenModifiers: ["declaration", "readonly", "defaultLibrary"],
};

const T = Object.fromEntries(SEMANTIC_LEGEND.tokenTypes.map((t, i) => [t, i])) as Record<string, number>;
const DECLARATION = 1, READONLY = 2, DEFAULT_LIBRARY = 4;

const WORD_OPERATORS = new Set(["plus", "minus", "times", "divided", "modulo", "and", "or", "not", "is", "equal", "greater", "less", "than", "above", "below", "between", "contains", "matches"]);

interface Tok { start: number; end: number; type: number; mods: number }

/** The LSP encoding (relative line, relative start, length, type, modifiers), one token per line piece. */
export function semanticTokens(a: Analysis): number[] {
  const toks: Tok[] = [];
  const names = new Map<number, { end: number; type: number; mods: number }>();
  for (const s of sitesOf(a)) {
    let type = T.variable!, mods = 0;
    if (s.builtin) { type = T.function!; mods = DEFAULT_LIBRARY; }
    else if (s.symbol) {
      switch (s.symbol.kind) {
        case "action": type = T.function!; break;
        case "parameter": type = T.parameter!; break;
        case "property": type = T.property!; break;
        case "container": type = T.class!; break;
        case "interface": type = T.interface!; break;
        case "constant": type = T.variable!; mods = READONLY; break;
        default: type = T.variable!;
      }
    } else if (s.ref?.use === "call") type = T.function!;
    if (s.declaration) mods |= DECLARATION;
    if (!names.has(s.span.start)) names.set(s.span.start, { end: s.span.end, type, mods });
  }
  let last = 0;
  const text = a.text;
  const comments = (from: number, to: number): void => {
    // Comments are skipped by the lexer: find them in the gaps between tokens.
    const gap = text.slice(from, to);
    const re = /(?:\/\/|#)[^\n\r]*/g;
    for (let m = re.exec(gap); m; m = re.exec(gap)) toks.push({ start: from + m.index, end: from + m.index + m[0].length, type: T.comment!, mods: 0 });
  };
  let skipUntil = -1;
  for (const t of a.tokens) {
    const start = t.startOffset, end = t.startOffset + t.image.length;
    comments(last, start);
    last = end;
    if (t.tokenType === Newline || start < skipUntil) continue;
    const name = names.get(start);
    if (name) {
      toks.push({ start, end: name.end, type: name.type, mods: name.mods });
      skipUntil = name.end;
      continue;
    }
    const n = t.tokenType.name;
    if (n === "StringLiteral") toks.push({ start, end, type: T.string!, mods: 0 });
    else if (n === "NumberLiteral") toks.push({ start, end, type: T.number!, mods: 0 });
    else if (n.startsWith("Kw_")) toks.push({ start, end, type: WORD_OPERATORS.has(t.image) ? T.operator! : T.keyword!, mods: 0 });
  }
  comments(last, text.length);
  toks.sort((x, y) => x.start - y.start);
  const data: number[] = [];
  let prevLine = 0, prevChar = 0;
  for (const tk of toks) {
    // A token spanning lines (a multi-line text) is sent one line at a time.
    let s = tk.start;
    while (s < tk.end) {
      const nl = text.indexOf("\n", s);
      const e = nl >= 0 && nl < tk.end ? nl : tk.end;
      const pos = a.doc.positionAt(s);
      let len = e - s;
      if (text[e - 1] === "\r") len--;
      if (len > 0) {
        const dl = pos.line - prevLine;
        data.push(dl, dl === 0 ? pos.character - prevChar : pos.character, len, tk.type, tk.mods);
        prevLine = pos.line;
        prevChar = pos.character;
      }
      s = e + 1;
    }
  }
  return data;
}
