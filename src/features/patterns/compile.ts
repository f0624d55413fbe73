// Compiling the patterns room: `create pattern` (compiled once, or when it runs if it names
// variables) and the pattern expressions `find`, `replace` and `split`.
import type { Stmt } from "../../ast/nodes.js";
import type { Frame } from "../../runtime/frame.js";
import { type Value, WflPattern, typeName } from "../../runtime/values.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import type { BlockScope } from "../../compiler/scope.js";
import { type CStmt, combine, readBinding } from "../../compiler/closures.js";
import type { Compiler } from "../../compiler/compile.js";
import type { StmtCompilers, ExprCompilers } from "../../compiler/tables.js";
import { compilePattern, patternReferences, PatternSyntaxError, patternFind, patternReplace, patternSplit } from "../../stdlib/pattern/index.js";
import type { PatternsStmt, PatternsExpr } from "./nodes.js";
import { checkSplit } from "../../stdlib/text/index.js";
import { checkNewList } from "../../runtime/memory.js";

export function createPattern(c: Compiler, s: Stmt & { kind: "CreatePattern" }, scope: BlockScope): CStmt {
  let compiled: WflPattern | null = null;
  let refs: string[] = [];
  try {
    refs = patternReferences(s.body).filter((n) => scope.lookup(n));
  } catch {
    // An unreadable body is reported by compilePattern below, with its position.
  }
  if (refs.length > 0) {
    // The pattern names variables (`protocol`): compile it when it runs, with their values.
    const readers = new Map(refs.map((n) => [n, readBinding(scope.lookup(n)!, scope, s.span).fn as (f: Frame) => Value]));
    const body = s.body;
    const span = s.span;
    const rt = c.rt;
    return c.declareCompiled(s.name, s.span, {
      fn: (f) => {
        try {
          return compilePattern(body, (n) => readers.get(n)?.(f));
        } catch (e) {
          if (e instanceof PatternSyntaxError) throw new WflRuntimeError(`Invalid pattern: ${e.message}`, "general", span);
          throw rt.locate(e, span);
        }
      },
      async: false,
    }, scope);
  }
  try {
    compiled = compilePattern(s.body);
  } catch (e) {
    if (e instanceof PatternSyntaxError) {
      const at = s.bodyOffset + Math.max(0, e.offset);
      c.error(`Invalid pattern '${s.name}': ${e.message}`, { start: at, end: at + 1 });
    } else if (e instanceof WflRuntimeError) {
      c.error(`Invalid pattern '${s.name}': ${e.message}`, s.span);
    } else throw e;
  }
  const p = compiled;
  return c.declareCompiled(s.name, s.span, { fn: () => p, async: false }, scope);
}

export const patternsCompilers: StmtCompilers<PatternsStmt> = { CreatePattern: createPattern };

export const patternsExpressions: ExprCompilers<PatternsExpr> = {
  PatternFind: (c, e, scope) => {
    const parts = [c.expr(e.pattern, scope), c.expr(e.text, scope)];
    return combine(parts, ([p, t]) => patternFind(p!, t!));
  },
  PatternReplace: (c, e, scope) => {
    const parts = [c.expr(e.pattern, scope), c.expr(e.replacement, scope), c.expr(e.text, scope)];
    const span = e.span;
    const rt = c.rt;
    return combine(parts, ([p, r, t]) => rt.located(span, () => patternReplace(p!, r!, t!)));
  },
  PatternSplit: (c, e, scope) => {
    const parts = [c.expr(e.text, scope), c.expr(e.separator, scope)];
    const span = e.span;
    const rt = c.rt;
    return combine(parts, ([t, d]) => {
      if (d instanceof WflPattern) return rt.located(span, () => patternSplit(t!, d));
      if (typeof t !== "string") throw new WflRuntimeError(`split needs text, got ${typeName(t!)}`, "type", span);
      // As `split of T and D`: the separator is text (nothing, a number or a list is an error).
      if (typeof d !== "string") throw new WflRuntimeError(`split expects text, got ${typeName(d!)}`, "type", span);
      const delim = d;
      // The list limit and the heap, before V8 builds the list (`split("")` gives UTF-16 units).
      if (delim === "") checkNewList(t.length, span);
      checkSplit(t, delim, span);
      return t.split(delim);
    });
  },
};
