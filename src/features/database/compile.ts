// Databases: `open database`, `in transaction on db:`.
import type { Stmt } from "../../ast/nodes.js";
import type { Frame } from "../../runtime/frame.js";
import { type Value } from "../../runtime/values.js";
import { BlockScope } from "../../compiler/scope.js";
import { type CStmt, type StmtResult, combine, map1 } from "../../compiler/closures.js";
import type { Compiler } from "../../compiler/compile.js";
import * as db from "../../stdlib/database/index.js";
import type { StmtCompilers, ExprCompilers } from "../../compiler/tables.js";
import type { DatabaseStmt, DatabaseExpr } from "./nodes.js";

export function openDatabase(c: Compiler, s: Stmt & { kind: "OpenDatabase" }, scope: BlockScope): CStmt {
  const url = c.expr(s.url, scope);
  const span = s.span;
  return c.declareCompiled(s.name, span, map1(url, (u) => c.rt.located(span, () => db.openDatabase(u, c.rt.resources))), scope);
}

/**
 * Commits at the end of the block (also on break, continue and return); rolls back on error.
 * A failed COMMIT rolls back and raises a catchable WFL error at the `in transaction` line; if the
 * rollback after an error itself fails, that failure (also a WFL error) is what propagates.
 */
export function transaction(c: Compiler, s: Stmt & { kind: "Transaction" }, scope: BlockScope): CStmt {
  const target = c.expr(s.db, scope);
  // A transaction block shares the surrounding scope: what it stores is visible after it.
  const body = c.block(s.body, scope);
  const span = s.span;
  if (!target.async && !body.async) {
    const tf = target.fn as (f: Frame) => Value;
    const bf = body.fn;
    return {
      fn: (f) => {
        const tx = c.rt.located(span, () => db.begin(tf(f)));
        let r: StmtResult;
        try {
          r = bf(f) as StmtResult;
        } catch (e) {
          c.rt.located(span, () => tx.rollback());
          throw e;
        }
        c.rt.located(span, () => tx.commit());
        return r;
      },
      async: false,
    };
  }
  return {
    fn: async (f) => {
      const d = await target.fn(f);
      const tx = c.rt.located(span, () => db.begin(d));
      let r: StmtResult;
      try {
        r = await body.fn(f);
      } catch (e) {
        c.rt.located(span, () => tx.rollback());
        throw e;
      }
      c.rt.located(span, () => tx.commit());
      return r;
    },
    async: true,
  };
}

export const databaseCompilers: StmtCompilers<DatabaseStmt> = {
  OpenDatabase: openDatabase,
  CloseDatabase: (c, s, scope) => c.withValue(c.expr(s.db, scope), (_f, v) => { c.rt.located(s.span, () => db.closeDatabase(v)); }, false),
  Transaction: transaction,
};

export const databaseExpressions: ExprCompilers<DatabaseExpr> = {
  DbQuery: (c, e, scope) => {
    const parts = [c.expr(e.db, scope), c.expr(e.sql, scope), e.params ? c.expr(e.params, scope) : { fn: () => null, async: false }];
    const span = e.span;
    const exec = e.execute;
    return combine(parts, ([d, sql, params]) => c.rt.located(span, () => (exec ? db.execute(d!, sql!, params!) : db.query(d!, sql!, params!))));
  },
};
