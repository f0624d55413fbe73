// Token types. The Chevrotain lexer produces only a few raw kinds (Word, literals,
// punctuation); keyword types are assigned to Words afterwards from KEYWORDS, which
// is both faster than one regex per keyword and lets runs of plain words merge into
// one identifier (`user name`), as WFL requires.
import { createToken, Lexer, type TokenType } from "chevrotain";

/** Every token (used to skip raw pattern bodies). */
export const AnyToken = createToken({ name: "AnyToken", pattern: Lexer.NA });
/** Any word at all, keyword or not (member names after `.`). */
export const AnyIdentOrKw = createToken({ name: "AnyIdentOrKw", pattern: Lexer.NA, categories: [AnyToken] });
/** Anything that can name a variable: identifiers and the soft (contextual) keywords. */
export const AnyIdent = createToken({ name: "AnyIdent", pattern: Lexer.NA, categories: [AnyIdentOrKw, AnyToken] });
export const Identifier = createToken({ name: "Identifier", pattern: Lexer.NA, categories: [AnyIdent, AnyIdentOrKw, AnyToken] });

export const Word = createToken({ name: "Word", pattern: /[A-Za-z_][A-Za-z0-9_]*/ });
export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED });
export const Comment = createToken({ name: "Comment", pattern: /(?:\/\/|#)[^\n\r]*/, group: Lexer.SKIPPED });
export const Newline = createToken({ name: "Newline", categories: [AnyToken], pattern: /\r\n|\r|\n/, line_breaks: true });
export const StringLiteral = createToken({
  name: "StringLiteral",
  categories: [AnyToken],
  pattern: /"(?:[^"\\]|\\[\s\S])*"/,
  line_breaks: true,
});
export const NumberLiteral = createToken({ name: "NumberLiteral", categories: [AnyToken], pattern: /\d+(?:\.\d+)?/ });

const punct = (name: string, pattern: RegExp | string): TokenType => createToken({ name, pattern, categories: [AnyToken] });
export const Colon = punct("Colon", ":");
export const Comma = punct("Comma", ",");
export const LBracket = punct("LBracket", "[");
export const RBracket = punct("RBracket", "]");
export const LParen = punct("LParen", "(");
export const RParen = punct("RParen", ")");
export const LBrace = punct("LBrace", "{");
export const RBrace = punct("RBrace", "}");
export const Dot = punct("Dot", ".");
export const Plus = punct("Plus", "+");
export const Minus = punct("Minus", "-");
export const Star = punct("Star", "*");
export const Slash = punct("Slash", "/");
export const Percent = punct("Percent", "%");
export const GreaterEq = punct("GreaterEq", ">=");
export const LessEq = punct("LessEq", "<=");
export const NotEq = punct("NotEq", "!=");
export const EqEq = punct("EqEq", "==");
export const Equals = punct("Equals", "=");
export const Greater = punct("Greater", ">");
export const Less = punct("Less", "<");

/** Words that are keywords everywhere: they never name a variable. */
const HARD = [
  "store", "change", "display", "check", "if", "otherwise", "end", "for", "each", "in", "repeat", "while",
  "until", "forever", "break", "continue", "skip", "exit", "define", "action", "return", "give", "call",
  "try", "when", "catch", "finally", "describe", "expect", "add", "subtract", "multiply", "divide", "push",
  "remove", "clear", "create", "with", "and", "or", "not", "is", "of", "plus", "minus", "times", "divided",
  "modulo", "as", "to", "from", "by", "then", "route", "yes", "no", "true", "false", "nothing", "missing",
  "undefined", "wait", "include", "load", "export", "equal", "greater", "less", "than", "above", "below",
  "between", "matches", "find", "replace", "split", "constant", "container", "interface", "property",
  "extends", "implements", "requires", "starts", "ends", "open", "close", "write", "append", "delete",
  "current", "respond", "listen", "requires", "execute", "register", "stop", "spawn", "kill",
];

/**
 * Words with a grammatical role that may still name a variable on their own (`store count as 0`).
 * A soft keyword may begin an identifier but never continues one, so `message contains x` stays an
 * operator. Words needed only after a hard keyword (`time` in `current time`) are not listed here:
 * the parser recognises them by their text.
 */
const SOFT = [
  "count", "list", "map", "contains", "test", "pattern", "file", "directory", "content", "at", "called",
  "needs", "new", "setup", "teardown", "down", "on", "main", "program", "into", "static", "event",
  "trigger", "loop", "reversed", "back", "default", "defaults", "parameters", "module", "url", "into",
];

export const KEYWORDS = new Map<string, TokenType>();
export const keywordTokens: TokenType[] = [];

function keyword(word: string, soft: boolean): TokenType {
  const existing = KEYWORDS.get(word);
  if (existing) return existing;
  const t = createToken({ name: `Kw_${word}`, pattern: Lexer.NA, categories: soft ? [AnyIdent, AnyIdentOrKw, AnyToken] : [AnyIdentOrKw, AnyToken] });
  KEYWORDS.set(word, t);
  keywordTokens.push(t);
  return t;
}
for (const w of HARD) keyword(w, false);
for (const w of SOFT) keyword(w, true);

/** The keyword token for a word (throws at start-up if the grammar names an unknown keyword). */
export function kw(word: string): TokenType {
  const t = KEYWORDS.get(word);
  if (!t) throw new Error(`internal: no keyword '${word}'`);
  return t;
}

/** Literals that are case-insensitive words. */
export const CASE_INSENSITIVE = new Set(["yes", "no", "true", "false", "nothing", "missing", "undefined"]);

/** Raw token order for the Chevrotain lexer (longest operators first). */
export const rawTokens: TokenType[] = [
  WhiteSpace, Comment, Newline, StringLiteral, NumberLiteral, Word,
  GreaterEq, LessEq, NotEq, EqEq, Equals, Greater, Less,
  Colon, Comma, LBracket, RBracket, LParen, RParen, LBrace, RBrace, Dot, Plus, Minus, Star, Slash, Percent,
];

/** Every token type the parser knows. */
export const allTokens: TokenType[] = [...rawTokens, AnyToken, AnyIdentOrKw, AnyIdent, Identifier, ...keywordTokens];
