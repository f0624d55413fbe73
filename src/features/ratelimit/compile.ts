// Rate limiting: each form calls the runtime in src/stdlib/ratelimit/. All wait (a limiter may be
// kept in a database, which is known only when the program runs).
import type { Expr } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";
import type { BlockScope } from "../../compiler/scope.js";
import type { CExpr } from "../../compiler/closures.js";
import type { Compiler } from "../../compiler/compile.js";
import type { ExprCompilers, StmtCompilers } from "../../compiler/tables.js";
import type { Value } from "../../runtime/values.js";
import * as rl from "../../stdlib/ratelimit/index.js";
import type { RateLimitExpr, RateLimitStmt } from "./nodes.js";

/** Evaluates `operands` (null ones give undefined) in order, then runs `run` located at `span`. */
function waiting(c: Compiler, span: Span, operands: (Expr | null)[], scope: BlockScope, run: (v: (Value | undefined)[]) => Value | Promise<Value>): CExpr {
  const parts = operands.map((o) => (o ? c.expr(o, scope) : null));
  const rt = c.rt;
  return {
    fn: async (f) => {
      const vals: (Value | undefined)[] = [];
      for (const p of parts) vals.push(p ? await p.fn(f) : undefined);
      return rt.locatedAsync(span, async () => await run(vals));
    },
    async: true,
  };
}

export const rateLimitExpressions: ExprCompilers<RateLimitExpr> = {
  CreateRateLimiter: (c, e, scope) => {
    const rt = c.rt;
    return waiting(c, e.span, [e.limit, e.unit, e.maxKeys, e.db, e.label], scope, ([l, u, m, d, n]) => rl.createLimiter(l!, u!, m, d, n, rt.resources));
  },
  CheckRateLimit: (c, e, scope) => waiting(c, e.span, [e.limiter, e.key], scope, ([l, k]) => rl.check(l!, k!)),
  RemainingRequests: (c, e, scope) => waiting(c, e.span, [e.limiter, e.key], scope, ([l, k]) => rl.remaining(l!, k!)),
  RateLimitHeaders: (c, e, scope) => waiting(c, e.span, [e.limiter, e.key], scope, ([l, k]) => rl.headers(l!, k!)),
};

export const rateLimitCompilers: StmtCompilers<RateLimitStmt> = {
  ResetRateLimit: (c, s, scope) => {
    const v = waiting(c, s.span, [s.limiter, s.key], scope, async ([l, k]) => { await rl.reset(l!, k!); return null; });
    return { fn: async (f) => { await v.fn(f); return undefined; }, async: true };
  },
};
