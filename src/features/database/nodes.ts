// The syntax tree nodes of the database room.
import type { Expr, Stmt } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";

export type DatabaseStmt =
  /** `open database at U as db` / `connect to database at U as db`. */
  | { kind: "OpenDatabase"; url: Expr; name: string; nameSpan: Span; span: Span }
  | { kind: "CloseDatabase"; db: Expr; span: Span }
  | { kind: "Transaction"; db: Expr; body: Stmt[]; span: Span }
  /** `execute query SQL on db|tx [with parameters L] [as v]`. */
  | { kind: "ExecuteQuery"; sql: Expr; target: Expr; params: Expr | null; name: string | null; nameSpan?: Span; span: Span }
  /** `begin transaction on db as tx`. */
  | { kind: "BeginTransaction"; db: Expr; name: string; nameSpan: Span; span: Span }
  /** `commit transaction tx` / `rollback transaction tx`. */
  | { kind: "EndTransaction"; commit: boolean; tx: Expr; span: Span };

export type DatabaseExpr =
  /** `query db with SQL [and parameters L]` (rows) / `execute db with SQL [and parameters L]` (a summary). */
  | { kind: "DbQuery"; execute: boolean; db: Expr; sql: Expr; params: Expr | null; span: Span };

/**
 * Statements that always wait: PostgreSQL is asynchronous, and which engine a database value holds
 * is known only when the program runs. (`query/execute db with …` expressions wait too: the
 * resolver marks them.)
 */
export const databaseWaits: DatabaseStmt["kind"][] = ["OpenDatabase", "CloseDatabase", "Transaction", "ExecuteQuery", "BeginTransaction", "EndTransaction"];
