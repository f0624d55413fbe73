// Subprocesses: `execute command`, `spawn command`, `wait for process`, `kill process`.
import type { Stmt } from "../../ast/nodes.js";
import { BlockScope } from "../../compiler/scope.js";
import { type CExpr, type CStmt, map1 } from "../../compiler/closures.js";
import type { Compiler } from "../../compiler/compile.js";
import * as proc from "../../stdlib/process/index.js";
import type { StmtCompilers, ExprCompilers } from "../../compiler/tables.js";
import type { ProcessStmt, ProcessExpr } from "./nodes.js";

export function runCommand(c: Compiler, s: Stmt & { kind: "RunCommand" }, scope: BlockScope): CStmt {
  const command = c.expr(s.command, scope);
  const args = s.args ? c.expr(s.args, scope) : null;
  const rt = c.rt;
  const span = s.span;
  const spawn = s.spawn;
  const shell = s.shell;
  const value: CExpr = {
    fn: async (f) => {
      const c = await command.fn(f);
      const a = args ? await args.fn(f) : null;
      return rt.locatedAsync(span, async () => {
        const policy = rt.processPolicy();
        return spawn ? proc.spawnCommand(c, a, shell, policy) : await proc.executeCommand(c, a, shell, policy);
      });
    },
    async: true,
  };
  if (s.name) return c.declareCompiled(s.name, span, value, scope);
  return { fn: async (f) => { await value.fn(f); return undefined; }, async: true };
}

export function processOp(c: Compiler, s: Stmt & { kind: "ProcessOp" }, scope: BlockScope): CStmt {
  const target = c.expr(s.process, scope);
  const rt = c.rt;
  const span = s.span;
  const op = s.op;
  const value: CExpr = {
    fn: async (f) => {
      const p = await target.fn(f);
      return rt.locatedAsync(span, async () => {
        if (op === "wait") return await proc.waitForProcess(p);
        if (op === "read") return proc.readOutput(p);
        proc.killProcess(p);
        return null;
      });
    },
    async: true,
  };
  if (s.name) return c.declareCompiled(s.name, span, value, scope);
  return { fn: async (f) => { await value.fn(f); return undefined; }, async: true };
}

export const processCompilers: StmtCompilers<ProcessStmt> = { RunCommand: runCommand, ProcessOp: processOp };

export const processExpressions: ExprCompilers<ProcessExpr> = {
  ProcessRunning: (c, e, scope) => {
    const rt = c.rt;
    const span = e.span;
    return map1(c.expr(e.process, scope), (v) => rt.located(span, () => proc.isRunning(v)));
  },
};
