// Databases: `open/connect to database`, `in transaction on db:`, and the seed's `execute query … on`,
// `begin/commit/rollback transaction` (all waiting: PostgreSQL is asynchronous).
import type { Stmt } from "../../ast/nodes.js";
import { BlockScope } from "../../compiler/scope.js";
import { type CExpr, type CStmt, type StmtResult } from "../../compiler/closures.js";
import type { Compiler } from "../../compiler/compile.js";
import * as db from "../../stdlib/database/index.js";
import type { StmtCompilers, ExprCompilers } from "../../compiler/tables.js";
import type { DatabaseStmt, DatabaseExpr } from "./nodes.js";

export function openDatabase(c: Compiler, s: Stmt & { kind: "OpenDatabase" }, scope: BlockScope): CStmt {
  const url = c.expr(s.url, scope);
  const span = s.span;
  const rt = c.rt;
  const value: CExpr = { fn: async (f) => { const u = await url.fn(f); return rt.locatedAsync(span, async () => await db.openDatabase(u, rt.resources)); }, async: true };
  return c.declareCompiled(s.name, span, value, scope);
}

/**
 * Commits at the end of the block (also on break, continue and return); rolls back on error.
 * A failed COMMIT rolls back and raises a catchable WFL error at the `in transaction` line; if the
 * rollback after an error itself fails, that failure (also a WFL error) is what propagates.
 * (Always asynchronous: on PostgreSQL, BEGIN, COMMIT and ROLLBACK wait.)
 */
export function transaction(c: Compiler, s: Stmt & { kind: "Transaction" }, scope: BlockScope): CStmt {
  const target = c.expr(s.db, scope);
  // A transaction block shares the surrounding scope: what it stores is visible after it.
  const body = c.block(s.body, scope);
  const span = s.span;
  const rt = c.rt;
  return {
    fn: async (f) => {
      const d = await target.fn(f);
      const tx = await rt.locatedAsync(span, async () => await db.beginBlock(d));
      let r: StmtResult;
      try {
        r = await body.fn(f);
      } catch (e) {
        await rt.locatedAsync(span, async () => { await tx.rollback(); });
        throw e;
      }
      await rt.locatedAsync(span, async () => { await tx.commit(); });
      return r;
    },
    async: true,
  };
}

/** `execute query SQL on db|tx [with parameters L] [as v]`. */
export function executeQuery(c: Compiler, s: Stmt & { kind: "ExecuteQuery" }, scope: BlockScope): CStmt {
  const sql = c.expr(s.sql, scope);
  const target = c.expr(s.target, scope);
  const params = s.params ? c.expr(s.params, scope) : null;
  const span = s.span;
  const rt = c.rt;
  const value: CExpr = {
    fn: async (f) => {
      const q = await sql.fn(f);
      const t = await target.fn(f);
      const p = params ? await params.fn(f) : null;
      return rt.locatedAsync(span, async () => await db.executeQuery(t, q, p));
    },
    async: true,
  };
  if (s.name) return c.declareCompiled(s.name, span, value, scope);
  return { fn: async (f) => { await value.fn(f); return undefined; }, async: true };
}

export const databaseCompilers: StmtCompilers<DatabaseStmt> = {
  OpenDatabase: openDatabase,
  CloseDatabase: (c, s, scope) => c.withValue(c.expr(s.db, scope), (_f, v) => c.rt.locatedAsync(s.span, async () => { await db.closeDatabase(v); }), true),
  Transaction: transaction,
  ExecuteQuery: executeQuery,
  BeginTransaction: (c, s, scope) => {
    const target = c.expr(s.db, scope);
    const rt = c.rt;
    const value: CExpr = { fn: async (f) => { const d = await target.fn(f); return rt.locatedAsync(s.span, async () => await db.beginTransaction(d)); }, async: true };
    return c.declareCompiled(s.name, s.span, value, scope);
  },
  EndTransaction: (c, s, scope) => c.withValue(c.expr(s.tx, scope), (_f, v) => c.rt.locatedAsync(s.span, async () => { await db.endTransaction(v, s.commit); }), true),
};

export const databaseExpressions: ExprCompilers<DatabaseExpr> = {
  DbQuery: (c, e, scope) => {
    const parts = [c.expr(e.db, scope), c.expr(e.sql, scope), c.optionalExpr(e.params, scope)];
    const span = e.span;
    const exec = e.execute;
    const rt = c.rt;
    // Asynchronous (the resolver counts it as waiting): a PostgreSQL query waits for the server.
    return {
      fn: async (f) => {
        const [d, sql, params] = [await parts[0]!.fn(f), await parts[1]!.fn(f), await parts[2]!.fn(f)];
        return rt.locatedAsync(span, async () => await (exec ? db.execute(d, sql, params) : db.query(d, sql, params)));
      },
      async: true,
    };
  },
};
