// The syntax tree nodes of the rate-limiting room (seed 003, section 3.8).
import type { Expr } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";

export type RateLimitStmt =
  /** `reset rate limit on LIMITER for KEY`. */
  | { kind: "ResetRateLimit"; limiter: Expr; key: Expr; span: Span };

export type RateLimitExpr =
  /** `create rate limiter with limit N per UNIT [and max keys M] [using database DB] [called NAME]`. */
  | { kind: "CreateRateLimiter"; limit: Expr; unit: Expr; maxKeys: Expr | null; db: Expr | null; label: Expr | null; span: Span }
  /** `check rate limit on LIMITER for KEY` (counts the request when it is allowed). */
  | { kind: "CheckRateLimit"; limiter: Expr; key: Expr; span: Span }
  /** `remaining requests on LIMITER for KEY`. */
  | { kind: "RemainingRequests"; limiter: Expr; key: Expr; span: Span }
  /** `rate limit headers on LIMITER for KEY`: a map of RateLimit-* (and Retry-After) headers. */
  | { kind: "RateLimitHeaders"; limiter: Expr; key: Expr; span: Span };

/** Statements that always wait: a database-backed limiter waits for its database. */
export const rateLimitWaits: RateLimitStmt["kind"][] = ["ResetRateLimit"];
/** Expressions that always wait (which limiter a value holds is known only when the program runs). */
export const rateLimitExprWaits: RateLimitExpr["kind"][] = ["CreateRateLimiter", "CheckRateLimit", "RemainingRequests", "RateLimitHeaders"];
