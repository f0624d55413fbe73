// Tests: `describe`, `test`, `setup`/`teardown`, `expect`.
import type { Stmt } from "../../ast/nodes.js";
import { type Value, isTruthy, typeName, valuesEqual } from "../../runtime/values.js";
import { formatValue } from "../../runtime/display.js";
import * as ops from "../../runtime/ops.js";
import { BlockScope } from "../../compiler/scope.js";
import { type CStmt, combine } from "../../compiler/closures.js";
import { show, isEmpty, lengthOf } from "../../runtime/access.js";
import type { Compiler } from "../../compiler/compile.js";
import type { StmtCompilers } from "../../compiler/tables.js";
import type { TestsStmt } from "./nodes.js";

export function describeStmt(c: Compiler, s: Stmt & { kind: "Describe" }, scope: BlockScope): CStmt {
  c.hasTests = true;
  const name = c.expr(s.name, scope);
  const inner = new BlockScope(scope.fn, scope);
  // setup/teardown run around each test of this describe block.
  const setups = s.body.filter((x): x is Stmt & { kind: "Setup" } => x.kind === "Setup");
  const rest = s.body.filter((x) => x.kind !== "Setup");
  const setupBlocks = setups.map((x) => ({ teardown: x.teardown, body: c.block(x.body, inner) }));
  const body = c.block(rest, inner);
  const rt = c.rt;
  return {
    fn: async (f) => {
      const label = formatValue(await name.fn(f));
      return rt.tests.describe(label, setupBlocks.filter((b) => !b.teardown).map((b) => b.body.fn), setupBlocks.filter((b) => b.teardown).map((b) => b.body.fn), async () => body.fn(f), f, s.span);
    },
    async: true,
  };
}

export function testStmt(c: Compiler, s: Stmt & { kind: "Test" }, scope: BlockScope): CStmt {
  c.hasTests = true;
  const name = c.expr(s.name, scope);
  const body = c.block(s.body, new BlockScope(scope.fn, scope));
  const rt = c.rt;
  return {
    fn: async (f) => rt.tests.test(formatValue(await name.fn(f)), async () => body.fn(f), f, s.span),
    async: true,
  };
}

export function setupStmt(c: Compiler, s: Stmt & { kind: "Setup" }, scope: BlockScope): CStmt {
  // Outside a describe block, setup runs in place.
  return c.block(s.body, new BlockScope(scope.fn, scope));
}

export function expectStmt(c: Compiler, s: Stmt & { kind: "Expect" }, scope: BlockScope): CStmt {
  const subject = c.expr(s.subject, scope);
  const a = s.assertion;
  const expected = "expected" in a && typeof a.expected !== "boolean" ? c.expr(a.expected, scope) : null;
  const rt = c.rt;
  const negated = s.negated;
  const span = s.span;
  const check = (v: Value, e: Value): [boolean, string] => {
    switch (a.kind) {
      case "equal": return [valuesEqual(v, e), `equal ${show(e)}`];
      case "greater": return [ops.compare(v, e, ">", span) > 0, `be greater than ${show(e)}`];
      case "less": return [ops.compare(v, e, "<", span) < 0, `be less than ${show(e)}`];
      case "greaterEq": return [ops.compare(v, e, ">=", span) >= 0, `be greater than or equal to ${show(e)}`];
      case "lessEq": return [ops.compare(v, e, "<=", span) <= 0, `be less than or equal to ${show(e)}`];
      case "exist": return [v !== null, "exist"];
      case "contain": return [ops.contains(v, e, span), `contain ${show(e)}`];
      case "empty": return [isEmpty(v), "be empty"];
      case "length": return [lengthOf(v) === e, `have length ${show(e)}`];
      case "type": return [typeName(v) === formatValue(e), `be of type ${show(e)}`];
      case "truthy": return [isTruthy(v) === a.expected, `be ${a.expected ? "yes" : "no"}`];
    }
  };
  const run = (v: Value, e: Value): void => {
    const [ok, what] = check(v, e);
    if (ok !== negated) return;
    rt.tests.fail(`Expected value ${negated ? "not " : ""}to ${what}, but got ${show(v)}`, span);
  };
  const both = combine(expected ? [subject, expected] : [subject], (vals) => { run(vals[0]!, vals[1] ?? null); return null; });
  const bf = both.fn;
  if (!both.async) return { fn: (f) => { bf(f); return undefined; }, async: false };
  return { fn: async (f) => { await bf(f); return undefined; }, async: true };
}

export const testsCompilers: StmtCompilers<TestsStmt> = {
  Describe: describeStmt,
  Test: testStmt,
  Setup: setupStmt,
  Expect: expectStmt,
};
