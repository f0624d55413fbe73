// The syntax tree nodes of the database room.
import type { Expr, Stmt } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";

export type DatabaseStmt =
  /** `wait for execute|spawn command C [with arguments L] [using shell] [as v]`. */
  | { kind: "OpenDatabase"; url: Expr; name: string; span: Span }
  | { kind: "CloseDatabase"; db: Expr; span: Span }
  | { kind: "Transaction"; db: Expr; body: Stmt[]; span: Span };

export type DatabaseExpr =
  /** `query db with SQL [and parameters L]` (rows) / `execute db with SQL [and parameters L]` (a summary). */
  | { kind: "DbQuery"; execute: boolean; db: Expr; sql: Expr; params: Expr | null; span: Span };
