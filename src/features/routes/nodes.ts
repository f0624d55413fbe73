// The syntax tree nodes of the routes room (seed 003, section 3.10: structured route registration).
import type { Expr } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";

export type RoutesStmt =
  /** `register route "GET" at "/api/v1/packages/:name" on server as handler`. */
  | { kind: "RegisterRoute"; method: Expr; path: Expr; server: Expr; handler: string; handlerSpan: Span; span: Span }
  /** `register fallback route on server as handler`: answers the requests no route's path matches. */
  | { kind: "RegisterFallback"; server: Expr; handler: string; handlerSpan: Span; span: Span }
  /** `start server` / `start <server>`: serve requests with the registered routes. */
  | { kind: "StartServer"; server: Expr; span: Span };

export type RoutesExpr =
  /** `parameter "q" of request` (query or form), `route parameter "name" of request` (a `:name` segment). */
  | { kind: "RequestParameter"; route: boolean; name: Expr; request: Expr; span: Span };
// `header "Name" of request` is the web room's (RequestHeader).

/** Statements that always wait. */
export const routesWaits: RoutesStmt["kind"][] = ["StartServer"];
