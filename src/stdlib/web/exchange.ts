// One request and its response, from arrival to the last byte sent, and the middleware every
// exchange passes through. The server core (server.ts) creates exchanges; streaming responses,
// sessions, static files and the production middleware (security headers, CORS, request ids,
// access logs, compression, metrics, health) work on them through this file only.
import type http from "node:http";
import type { WflObject } from "../../runtime/values.js";

/** Response headers as they will be written (a list value is sent as repeated headers). */
export type HeaderMap = Record<string, string | string[]>;

export type ExchangeState = "waiting" | "streaming" | "answered";

export interface Exchange {
  readonly req: http.IncomingMessage;
  readonly res: http.ServerResponse;
  /** The request as the program sees it (`method`, `path`, `query`, `headers`, `body`, …). */
  readonly request: WflObject;
  /** A unique id for this request: sent as `X-Request-Id` and written in its log lines. */
  readonly id: string;
  /** `performance.now()` when the request arrived. */
  readonly startedAt: number;
  /** Whether the connection is TLS (cookies get `Secure`, HSTS is sent). */
  readonly secure: boolean;
  /** The server's middleware, in order. */
  readonly middleware: readonly Middleware[];
  /** Per-request data of middlewares and features (the session, the matched route, …). */
  readonly locals: Map<string, unknown>;
  state: ExchangeState;
}

/** A stage every exchange of a server passes through (configured per server, in order). */
export interface Middleware {
  readonly name: string;
  /**
   * Before the program sees the request. Return true when the middleware answered the request
   * itself (a health check, `/metrics`, a CORS preflight, a refused CSRF token): the program then
   * never sees it.
   */
  onRequest?(ex: Exchange): boolean;
  /**
   * The same, for a check that must wait (a session in a database): the server awaits it, after
   * every `onRequest`, before the program sees the request.
   */
  onRequestAsync?(ex: Exchange): Promise<boolean>;
  /**
   * Every response — the program's, a streaming one, and the runtime's own 4xx/5xx — just before
   * its head is written. Add or change headers here. `ex` is null for answers given before an
   * exchange exists (a malformed request).
   */
  onHeaders?(ex: Exchange | null, status: number, headers: HeaderMap): void;
  /** A whole (not streamed) body about to be sent: return its replacement (compression). */
  transformBody?(ex: Exchange, status: number, headers: HeaderMap, body: Buffer): Buffer;
  /** After the last byte of the response was handed to the socket (or the client went away). */
  onFinish?(ex: Exchange, status: number): void;
}

/** Where a request value keeps its exchange (a property: cheaper for the garbage collector than a WeakMap entry). */
const EXCHANGE: unique symbol = Symbol("wfl.exchange");
type Carrier = WflObject & { [EXCHANGE]?: Exchange };

/** The registry of the exchange each request value belongs to (a WeakMap by its interface). */
class ExchangeRegistry extends WeakMap<WflObject, Exchange> {
  override get(request: WflObject): Exchange | undefined {
    return (request as Carrier)[EXCHANGE];
  }
  override has(request: WflObject): boolean {
    return (request as Carrier)[EXCHANGE] !== undefined;
  }
  override set(request: WflObject, ex: Exchange): this {
    (request as Carrier)[EXCHANGE] = ex;
    return this;
  }
  override delete(request: WflObject): boolean {
    const had = (request as Carrier)[EXCHANGE] !== undefined;
    delete (request as Carrier)[EXCHANGE];
    return had;
  }
}

/** The exchange each request value belongs to. */
export const exchanges: WeakMap<WflObject, Exchange> = new ExchangeRegistry();

export function exchangeOf(request: unknown): Exchange | undefined {
  return typeof request === "object" && request !== null ? exchanges.get(request as WflObject) : undefined;
}

/** Runs every middleware's `onHeaders` over `headers` (in place) and returns them. */
export function finalHeaders(ex: Exchange | null, middleware: readonly Middleware[], status: number, headers: HeaderMap): HeaderMap {
  for (const m of middleware) m.onHeaders?.(ex, status, headers);
  return headers;
}
