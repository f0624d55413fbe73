// Source text → tokens. Chevrotain does the raw scan; this module then gives Words their
// keyword types, drops newlines inside brackets, and collapses blank lines.
import { Lexer, type IToken } from "chevrotain";
import {
  rawTokens, Word, Newline, Identifier, KEYWORDS, CASE_INSENSITIVE, LBracket, RBracket, LParen, RParen,
  LBrace, RBrace,
} from "./tokens.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";

let rawLexer: Lexer | undefined;
function lexer(): Lexer {
  // Built once per process. Tokens carry offsets only (spans are offsets; lines and columns are
  // worked out when something is shown): full position tracking made lexing twice as slow.
  rawLexer ??= new Lexer(rawTokens, { positionTracking: "onlyOffset", ensureOptimizations: false, skipValidations: true });
  return rawLexer;
}

export interface LexResult {
  tokens: IToken[];
  diagnostics: Diagnostic[];
}

export function tokenize(source: string): LexResult {
  const result = lexer().tokenize(source);
  // After an unterminated text literal the rest of the file is noise: report only the first error.
  const errors = result.errors.length > 0 && source[result.errors[0]!.offset] === '"' ? result.errors.slice(0, 1) : result.errors;
  const diagnostics: Diagnostic[] = errors.map((e) => ({
    code: "LEX",
    message: describeBadInput(source, e.offset, e.length),
    span: { start: e.offset, end: e.offset + Math.max(1, e.length) },
  }));
  const out: IToken[] = [];
  let depth = 0;
  for (const tok of result.tokens) {
    const type = tok.tokenType;
    // Offsets-only tracking leaves the end unset: every token gets its real end here, so spans
    // (and carets) cover whole tokens.
    tok.endOffset = tok.startOffset + tok.image.length - 1;
    if (type === Word) {
      let kwType = KEYWORDS.get(tok.image);
      if (!kwType) {
        const lower = tok.image.toLowerCase();
        if (CASE_INSENSITIVE.has(lower)) kwType = KEYWORDS.get(lower);
      }
      const t = kwType ?? Identifier;
      tok.tokenType = t;
      tok.tokenTypeIdx = t.tokenTypeIdx!;
    } else if (type === Newline) {
      // Newlines end statements, except inside brackets, and only one is kept in a row.
      if (depth > 0 || out.length === 0 || out[out.length - 1]!.tokenType === Newline) continue;
    } else if (type === LBracket || type === LParen || type === LBrace) {
      depth++;
    } else if (type === RBracket || type === RParen || type === RBrace) {
      if (depth > 0) depth--;
    }
    out.push(tok);
  }
  return { tokens: out, diagnostics };
}

function describeBadInput(source: string, offset: number, length: number): string {
  const ch = source[offset] ?? "";
  if (ch === '"') return "This text literal is never closed; add a closing \" to end it.";
  const shown = source.slice(offset, offset + Math.min(length, 10)).replace(/[\x00-\x1f\x7f]/g, (c) =>
    `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  return `Unexpected character '${shown}': WFL has no symbol like this here.`;
}
