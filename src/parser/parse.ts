// The front end's entry point: source text → Program, or diagnostics.
import { tokenize } from "../lexer/lexer.js";
import { WflParser } from "../features/syntax.js";
import { standardLibrary } from "../stdlib/index.js";
import type { Program, Stmt } from "../ast/nodes.js";
import { MAX_SYNTAX_ERRORS } from "./core.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";

let parser: WflParser | undefined;

/** The parser is built once per process (grammar analysis is the expensive part). */
export function sharedParser(): WflParser {
  parser ??= new WflParser(new Set(standardLibrary().functions.keys()));
  return parser;
}

export interface ParseResult {
  /** The program, or null when there is any error. */
  program: Program | null;
  /** Every syntax error (up to MAX_SYNTAX_ERRORS), in source order. */
  diagnostics: Diagnostic[];
  /** What could be parsed, errors or not (for tools such as the language server). */
  partial: Program;
}

export interface ParseOptions {
  /**
   * Names with a keyword inside (`page count`) already declared before this text (the language
   * server re-parses part of a file with the names the rest declared).
   */
  readonly declaredNames?: Iterable<string>;
}

export function parse(source: string, file: string, options?: ParseOptions): ParseResult {
  const lexed = tokenize(source);
  // After an unterminated text literal the rest of the file is one token of noise: stop there.
  if (lexed.diagnostics.some((d) => source[d.span.start] === '"')) {
    return { program: null, diagnostics: lexed.diagnostics, partial: { body: [], source, file } };
  }
  const p = sharedParser();
  p.source = source;
  p.stringErrors = [];
  p.declaredNames = new Set(options?.declaredNames ?? []);
  p.input = lexed.tokens;
  let body: Stmt[] | undefined;
  try {
    body = p.program();
  } catch (e) {
    // A RangeError here means the input nests deeper than the parser's stack allows.
    if (e instanceof RangeError) {
      const diagnostics = [{ code: "PARSE", message: "This program nests too deeply to parse.", span: { start: 0, end: 1 } }];
      return { program: null, diagnostics, partial: { body: [], source, file } };
    }
    throw e;
  }
  const partial: Program = { body: body ?? [], source, file };
  const diagnostics: Diagnostic[] = [...lexed.diagnostics];
  const seen = new Set<number>();
  for (const err of p.errors) {
    const t = err.token;
    const start = Number.isFinite(t.startOffset) ? t.startOffset : source.length;
    if (seen.has(start)) continue; // one error per place: the first is the one worth reading
    seen.add(start);
    const message = explainMissingEnd(err.message, err.context?.ruleStack ?? [], source, t.startOffset, t.image);
    const end = Number.isFinite(t.endOffset) ? (t.endOffset as number) + 1 : start + 1;
    diagnostics.push({ code: "PARSE", message, span: { start, end } });
  }
  for (const s of p.stringErrors) diagnostics.push({ code: "PARSE", message: s.message, span: { start: s.offset, end: s.offset + 2 } });
  if (diagnostics.length > 0) {
    diagnostics.sort((a, b) => a.span.start - b.span.start);
    return { program: null, diagnostics: diagnostics.slice(0, MAX_SYNTAX_ERRORS), partial };
  }
  return { program: partial, diagnostics: [], partial };
}

/** The `end …` line each block statement needs, by the rule that parses it. */
const BLOCK_ENDS: Record<string, [string, string]> = {
  checkChain: ["end check", "check if"],
  checkStmt: ["end check", "check if"],
  ifStmt: ["end if", "if"],
  countStmt: ["end count", "count"],
  forEachStmt: ["end for", "for each"],
  repeatWhile: ["end repeat", "repeat while"],
  repeatUntil: ["end repeat", "repeat until"],
  repeatForever: ["end repeat", "repeat forever"],
  mainLoopStmt: ["end loop", "main loop"],
  defineStmt: ["end action", "define action"],
  tryStmt: ["end try", "try"],
  routeStmt: ["end route", "route"],
  describeStmt: ["end describe", "describe"],
  testStmt: ["end test", "test"],
  createList: ["end list", "create list"],
  createMap: ["end map", "create map"],
  createPattern: ["end pattern", "create pattern"],
  containerDef: ["end", "create container"],
  methodDef: ["end", "action"],
};

/** Clearer words for the mistakes people make with block endings. */
function explainMissingEnd(message: string, ruleStack: string[], source: string, offset: number, image: string): string {
  const innermost = (): [string, string] | undefined => {
    for (let i = ruleStack.length - 1; i >= 0; i--) {
      const b = BLOCK_ENDS[ruleStack[i]!];
      if (b) return b;
    }
    return undefined;
  };
  // `end check` where `end action` was due: the word after `end` is wrong.
  if (Number.isFinite(offset) && /\bend[ \t]+$/.test(source.slice(Math.max(0, offset - 12), offset)) && message.startsWith("Expected '")) {
    const b = innermost();
    if (b) return `This '${b[1]}' block must end with '${b[0]}', but found 'end ${image}'.`;
  }
  if (message.startsWith("Did not expect 'end' here")) return "This 'end' line has no block to close: there is no matching 'check if', 'count', 'for each', 'define action' … above it.";
  if (message.startsWith("Did not expect 'otherwise' here")) return "This 'otherwise' has no 'check if' (or 'try', or 'route') above it to belong to.";
  if (!message.startsWith("Expected 'end' here")) return message;
  const b = innermost();
  return b ? message.replace("Expected 'end' here", `Expected '${b[0]}' to close the '${b[1]}' block`) : message;
}
