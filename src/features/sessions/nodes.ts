// The syntax tree nodes of the sessions room (seed 003, section 3.6: server-side sessions and CSRF).
import type { Expr } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";

export type SessionsStmt =
  /** `listen on port P as server with sessions enabled`. */
  | { kind: "SessionListen"; port: Expr; name: string; nameSpan: Span; span: Span }
  /** `configure sessions on S with timeout N and storage "memory" | "database" [using db]`. */
  | { kind: "ConfigureSessions"; server: Expr; timeout: Expr | null; storage: Expr | null; database: Expr | null; span: Span }
  /** `enable csrf protection on S`, `enable secure cookies on S`. */
  | { kind: "EnableSessionOption"; option: "csrf" | "secure"; server: Expr; span: Span }
  /** `set session value K to V in S`. */
  | { kind: "SetSessionValue"; key: Expr; value: Expr; session: Expr; span: Span }
  /** `destroy session S`. */
  | { kind: "DestroySession"; session: Expr; span: Span }
  // `respond … and set session S | and clear session` are options of the web room's Respond.
  /** The TDD program's storage forms: `store session_data to storage with key K and data D`, `delete session data from storage with key K`. */
  | { kind: "SessionData"; op: "store" | "delete"; key: Expr; data: Expr | null; span: Span };

export type SessionsExpr =
  /** `create session for R`. */
  | { kind: "CreateSession"; request: Expr; span: Span }
  /** `get session from R`. */
  | { kind: "GetSession"; request: Expr; span: Span }
  /** `get session value K from S`. */
  | { kind: "GetSessionValue"; key: Expr; session: Expr; span: Span }
  /** `generate csrf token for S`. */
  | { kind: "CsrfToken"; session: Expr; span: Span }
  /** `find expired sessions on S`, `get session statistics from S`. */
  | { kind: "SessionQuery"; op: "expired" | "statistics"; server: Expr; span: Span }
  /** `load session data from storage with key K`. */
  | { kind: "LoadSessionData"; key: Expr; span: Span };

/** Statements that always wait (a database store waits for its database). */
export const sessionsWaits: SessionsStmt["kind"][] = ["SessionListen", "ConfigureSessions", "SetSessionValue", "DestroySession", "SessionData"];
/** Expressions that always wait. */
export const sessionsExprWaits: SessionsExpr["kind"][] = ["CreateSession", "GetSession", "CsrfToken", "SessionQuery", "LoadSessionData"];
