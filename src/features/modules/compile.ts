// Compiling the modules room: `include from` / `load module from` (definitions join, or stay in,
// a scope) and `execute wfl file` (another program, run in a run of its own).
import type { Stmt } from "../../ast/nodes.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { typeName } from "../../runtime/values.js";
import { BlockScope } from "../../compiler/scope.js";
import type { CExpr, CStmt } from "../../compiler/closures.js";
import type { Compiler } from "../../compiler/compile.js";
import type { StmtCompilers } from "../../compiler/tables.js";
import type { ModulesStmt } from "./nodes.js";

export function executeFile(c: Compiler, s: Stmt & { kind: "ExecuteFile" }, scope: BlockScope): CStmt {
  const path = c.expr(s.path, scope);
  const req = s.request ? c.expr(s.request, scope) : { fn: () => null, async: false };
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

export const modulesCompilers: StmtCompilers<ModulesStmt> = {
  Include: (c, s, scope) => c.include(s, s.isolated ? new BlockScope(scope.fn, scope) : scope),
  ExecuteFile: executeFile,
};
