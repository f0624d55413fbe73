// Compiling the modules room: `include from` / `load module from` (definitions join, or stay in,
// a scope) and `execute wfl file` (another program, run in a run of its own).
import type { Stmt } from "../../ast/nodes.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { typeName } from "../../runtime/values.js";
import { BlockScope } from "../../compiler/scope.js";
import { type CExpr, type CStmt, readBinding } from "../../compiler/closures.js";
import type { Frame } from "../../runtime/frame.js";
import type { Value } from "../../runtime/values.js";
import type { Compiler } from "../../compiler/compile.js";
import type { StmtCompilers } from "../../compiler/tables.js";
import type { ModulesStmt } from "./nodes.js";

export function executeFile(c: Compiler, s: Stmt & { kind: "ExecuteFile" }, scope: BlockScope): CStmt {
  const path = c.expr(s.path, scope);
  const req = c.optionalExpr(s.request, scope);
  const rt = c.rt;
  const capture = s.output !== null;
  const span = s.span;
  const value: CExpr = {
    fn: async (f) => {
      const p = await path.fn(f);
      if (typeof p !== "string") throw new WflRuntimeError(`execute file needs a path as text, got ${typeName(p)}`, "type", span);
      return rt.locatedAsync(span, async () => rt.executeFile(p, await req.fn(f), capture));
    },
    async: true,
  };
  if (s.output) return c.declareCompiled(s.output, span, value, scope);
  return { fn: async (f) => { await value.fn(f); return undefined; }, async: true };
}

/**
 * `load module from EXPR` with a computed path: the module runs as a program of its own (its
 * definitions stay its own, as with any `load module`), seeing the variables and actions visible
 * here as they are when it is loaded.
 */
export function loadModule(c: Compiler, s: Stmt & { kind: "LoadModule" }, scope: BlockScope): CStmt {
  const path = c.expr(s.path, scope);
  const visible = new Map<string, (f: Frame) => Value>();
  for (let b: BlockScope | null = scope; b; b = b.parent) {
    for (const [name, binding] of b.names) {
      if (!visible.has(name)) visible.set(name, readBinding(binding, scope, s.span).fn as (f: Frame) => Value);
    }
  }
  const rt = c.rt;
  const span = s.span;
  return {
    fn: async (f) => {
      const p = await path.fn(f);
      if (typeof p !== "string") throw new WflRuntimeError(`load module needs a path as text, got ${typeName(p)}`, "type", span);
      const globals = new Map<string, Value>();
      for (const [name, read] of visible) {
        const v = read(f);
        if (v !== undefined) globals.set(name, v);
      }
      await rt.locatedAsync(span, async () => rt.executeFile(p, null, false, globals));
      return undefined;
    },
    async: true,
  };
}

export const modulesCompilers: StmtCompilers<ModulesStmt> = {
  Include: (c, s, scope) => c.include(s, s.isolated ? new BlockScope(scope.fn, scope) : scope),
  LoadModule: loadModule,
  ExecuteFile: executeFile,
};
