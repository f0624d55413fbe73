// The syntax tree nodes of the web room (servers and WebSockets).
import type { Expr, Stmt } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";

export type WebStmt =
  /** `main loop:`, or `main loop concurrently:` (handler slots, each iteration in its own frame). */
  | { kind: "MainLoop"; body: Stmt[]; concurrently?: boolean; span: Span }
  /**
   * `listen on port P [secured [with certificate C and key K] | redirecting to port M] as s`;
   * `secured` alone takes the certificate and key from the configuration.
   */
  | {
    kind: "Listen"; port: Expr; name: string; nameSpan: Span; websockets: boolean; span: Span;
    secured?: boolean; certificate?: Expr | null; key?: Expr | null; redirectTo?: Expr | null;
  }
  | { kind: "WaitRequest"; server: Expr; name: string; nameSpan: Span; timeout: Expr | null; span: Span }
  /** `respond to R with C [and status S] [and content_type T] [and headers H] [and set session X | and clear session]`. */
  | { kind: "Respond"; request: Expr; content: Expr; status: Expr | null; contentType: Expr | null; headers: Expr | null; session: Expr | null; clearSession: boolean; span: Span }
  | { kind: "ServerOp"; op: "close" | "stop"; server: Expr; span: Span }
  | { kind: "RegisterSignal"; signal: string; handler: string; span: Span }
  | { kind: "OnWebSocket"; event: "connect" | "message" | "disconnect"; server: Expr; name: string; nameSpan: Span; body: Stmt[]; span: Span }
  | { kind: "WebSocketSend"; broadcast: boolean; message: Expr; target: Expr; span: Span };

/** Multipart forms: `parse multipart from req`, and what a form holds. */
export type WebExpr =
  | { kind: "ParseMultipart"; request: Expr; span: Span }
  /** `file K of F` (the bytes), `filename K of F`, `content type K of F` (a file part's details). */
  | { kind: "FormPart"; part: "file" | "filename" | "contentType"; key: Expr; form: Expr; span: Span }
  /** `has field K in M`: whether the form (or any map) has the key. */
  | { kind: "HasField"; key: Expr; target: Expr; span: Span }
  /** `header "User-Agent" of req`: a request header by name (any case), or nothing. */
  | { kind: "RequestHeader"; name: Expr; request: Expr; span: Span };

/** Statements that always wait (they compile to asynchronous code; see src/features/waits.ts). */
export const webWaits: WebStmt["kind"][] = ["Listen", "WaitRequest", "MainLoop"];
