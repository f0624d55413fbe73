// Structured route registration (seed 003, section 3.10): `register route "GET" at "/p/:name" on
// server as handler`, `start server`, `parameter "q" of request`, `route parameter "name" of request`.
// A server's route table picks, for a request, the most specific route of its method (a literal
// segment beats a `:param`, which beats a final `*rest`; registration order never matters), answers
// 405 with `Allow` for a known path with another method and 404 for an unknown path (or the
// fallback route's handler, when one is registered), answers HEAD
// with the GET route (without the body), and runs each request's handler as its own action call
// (concurrently with other requests', each in its own scope).
import type { Value } from "../../runtime/values.js";
import { WflObject } from "../../runtime/values.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { formatValue } from "../../runtime/display.js";
import { type Exchange, exchangeOf } from "./exchange.js";
import { matchRoute, parseQueryString } from "./index.js";
import { isMultipart } from "./multipart.js";
import { type WebServer, multipartOf, sendWhole } from "./server.js";

const LOCAL_PARAMS = "routes.params";
const LOCAL_ROUTE = "routes.route";

/** 0 a literal segment, 1 a `:param`, 2 a final `*rest`. */
type SegmentKind = 0 | 1 | 2;

export interface Route {
  readonly method: string;
  readonly pattern: string;
  readonly kinds: SegmentKind[];
  /** The pattern with parameter names left out: two routes of one method must differ in it. */
  readonly shape: string;
  readonly handler: Value;
}

export type RouteMatch =
  | { kind: "found"; route: Route; params: WflObject }
  | { kind: "method"; allow: string[] }
  | { kind: "none" };

/** Negative when `a` is more specific than `b` (both match the same path). */
function specificity(a: Route, b: Route): number {
  const n = Math.max(a.kinds.length, b.kinds.length);
  for (let i = 0; i < n; i++) {
    const ka = a.kinds[i];
    const kb = b.kinds[i];
    if (ka === kb) continue;
    // One pattern has ended: the other's rest is an (empty) `*rest`; the exact one is more specific.
    if (ka === undefined) return -1;
    if (kb === undefined) return 1;
    return ka - kb;
  }
  return 0;
}

const METHOD = /^[A-Z][A-Z0-9_-]*$/;

export class RouteTable {
  readonly routes: Route[] = [];
  /** `register fallback route`: the handler of requests no route's path matches (else 404). */
  fallback: Value | null = null;

  setFallback(handler: Value): void {
    if (this.fallback !== null) throw new WflRuntimeError("A fallback route is already registered on this server", "general");
    this.fallback = handler;
  }

  add(methodValue: Value, patternValue: Value, handler: Value): void {
    if (typeof methodValue !== "string") throw new WflRuntimeError(`A route's method must be text such as "GET", got ${formatValue(methodValue)}`, "type");
    if (typeof patternValue !== "string") throw new WflRuntimeError(`A route's path must be text such as "/api/items/:id", got ${formatValue(patternValue)}`, "type");
    const method = methodValue.trim().toUpperCase();
    if (!METHOD.test(method)) throw new WflRuntimeError(`"${methodValue}" is not an HTTP method`, "general");
    const pattern = patternValue;
    if (!pattern.startsWith("/")) throw new WflRuntimeError(`A route's path must start with "/", got "${pattern}"`, "general");
    const segs = pattern.split("/").slice(1);
    const kinds = segs.map((s, i): SegmentKind => {
      if (s.startsWith("*") && i === segs.length - 1) return 2;
      if (s.startsWith(":") && s.length > 1) return 1;
      return 0;
    });
    const names = segs.filter((s, i) => kinds[i] !== 0).map((s) => s.slice(1));
    const dup = names.find((x, i) => names.indexOf(x) !== i);
    if (dup !== undefined) throw new WflRuntimeError(`The route "${pattern}" names the parameter "${dup}" twice`, "general");
    const shape = segs.map((s, i) => (kinds[i] === 0 ? s : kinds[i] === 1 ? ":" : "*")).join("/");
    const same = this.routes.find((r) => r.method === method && r.shape === shape);
    if (same) throw new WflRuntimeError(`A route for ${method} "${same.pattern}" is already registered; "${pattern}" would never be chosen`, "general");
    this.routes.push({ method, pattern, kinds, shape, handler });
  }

  match(methodValue: string, path: string): RouteMatch {
    const method = methodValue.toUpperCase();
    const hits: { route: Route; params: WflObject }[] = [];
    for (const route of this.routes) {
      const params = matchRoute(path, route.pattern);
      if (params) hits.push({ route, params });
    }
    if (hits.length === 0) return { kind: "none" };
    let mine = hits.filter((h) => h.route.method === method);
    if (mine.length === 0 && method === "HEAD") mine = hits.filter((h) => h.route.method === "GET");
    if (mine.length === 0) {
      const allow = new Set(hits.map((h) => h.route.method));
      if (allow.has("GET")) allow.add("HEAD");
      return { kind: "method", allow: [...allow].sort() };
    }
    mine.sort((a, b) => specificity(a.route, b.route));
    return { kind: "found", route: mine[0]!.route, params: mine[0]!.params };
  }
}

const tables = new WeakMap<WebServer, RouteTable>();

export function routeTableOf(srv: WebServer): RouteTable {
  let t = tables.get(srv);
  if (!t) {
    t = new RouteTable();
    tables.set(srv, t);
  }
  return t;
}

/** How `start server` runs handlers: given by the compiled statement (the runtime calls actions). */
export interface Dispatcher {
  /** Runs the handler with the request; resolves when it has finished. */
  call(handler: Value, request: WflObject): Promise<void>;
  /**
   * A handler failed: true when `err` is a WFL error, reported (`answered`: the request, when the
   * failure answered it with 500; empty when its response had been sent already).
   */
  report(err: unknown, answered: readonly Exchange[]): boolean;
}

/**
 * `start server`: serve every request with its route's handler, each as it arrives (handlers of
 * concurrent requests run concurrently). Resolves when the server stops accepting connections;
 * rejects with an error that is not a WFL error (such as `exit`), which ends the program.
 */
export function serve(srv: WebServer, d: Dispatcher): Promise<void> {
  const table = routeTableOf(srv);
  return new Promise<void>((resolve, reject) => {
    let failed = false;
    const handle = async (request: WflObject): Promise<void> => {
      const ex = exchangeOf(request);
      if (!ex) return;
      const m = table.match(String(request.get("method") ?? "GET"), String(request.get("path") ?? "/"));
      let handler: Value;
      let label: string;
      if (m.kind === "none") {
        if (table.fallback === null) return answer(srv, ex, 404, "Not Found\n", {});
        handler = table.fallback;
        label = "the fallback route";
        ex.locals.set(LOCAL_PARAMS, new WflObject());
        ex.locals.set(LOCAL_ROUTE, label);
      } else if (m.kind === "method") {
        return answer(srv, ex, 405, "Method Not Allowed\n", { Allow: m.allow.join(", ") });
      } else {
        handler = m.route.handler;
        label = `${m.route.method} "${m.route.pattern}"`;
        ex.locals.set(LOCAL_PARAMS, m.params);
        ex.locals.set(LOCAL_ROUTE, `${m.route.method} ${m.route.pattern}`);
      }
      try {
        await d.call(handler, request);
        if (ex.state === "waiting") {
          answer(srv, ex, 500, "Internal Server Error\n", {});
          d.report(new WflRuntimeError(`The handler of ${label} finished without responding to the request`, "general"), [ex]);
        }
      } catch (e) {
        const waiting = ex.state === "waiting";
        if (waiting) answer(srv, ex, 500, "Internal Server Error\n", {});
        else srv.owner.inFlight.delete(ex);
        if (!d.report(e, waiting ? [ex] : []) && !failed) {
          failed = true;
          reject(e);
        }
      }
    };
    const loop = async (): Promise<void> => {
      for (;;) {
        let request: WflObject;
        try {
          // Waits a second at a time, to notice a server closed meanwhile (by a handler, say).
          request = await srv.next(1000);
        } catch {
          if (srv.accepting) continue; // no request within the second
          resolve(); // the server stopped accepting connections (or was closed)
          return;
        }
        if (failed) return;
        void handle(request);
      }
    };
    void loop();
  });
}

function answer(srv: WebServer, ex: Exchange, status: number, text: string, extra: Record<string, string>): void {
  srv.owner.inFlight.delete(ex);
  if (ex.state !== "waiting") return;
  sendWhole(ex, status, { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff", ...extra }, text);
}

function requestOf(v: Value, what: string): WflObject {
  if (v instanceof WflObject && exchangeOf(v)) return v;
  throw new WflRuntimeError(`${what} needs a request (a handler's parameter, or from 'wait for request … as name'), got ${v === null ? "nothing" : formatValue(v)}`, "type");
}

function nameText(v: Value, what: string): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return formatValue(v);
  throw new WflRuntimeError(`${what} needs a parameter name (text), got ${formatValue(v)}`, "type");
}

/**
 * `parameter "q" of request`: the query-string parameter `q`, else the form field `q` (an
 * urlencoded or multipart form body); nothing when the request has neither.
 */
export function requestParameter(nameValue: Value, requestValue: Value): Value {
  const name = nameText(nameValue, "parameter … of request");
  const request = requestOf(requestValue, `parameter "${name}" of …`);
  const q = request.get("query");
  const fromQuery = parseQueryString(typeof q === "string" ? q : "").get(name);
  if (fromQuery !== undefined) return fromQuery;
  const headers = request.get("headers");
  const ct = headers instanceof WflObject ? headers.get("content-type") : undefined;
  const ctype = typeof ct === "string" ? ct : "";
  if (/^\s*application\/x-www-form-urlencoded\b/i.test(ctype)) {
    const body = request.get("body");
    return parseQueryString(typeof body === "string" ? body : "").get(name) ?? null;
  }
  if (isMultipart(ctype)) {
    try {
      return multipartOf(request).get(name) ?? null;
    } catch {
      return null;
    }
  }
  return null;
}

/** `route parameter "name" of request`: the `:name` segment of the route that matched the request. */
export function routeParameter(nameValue: Value, requestValue: Value): Value {
  const name = nameText(nameValue, "route parameter … of request");
  const request = requestOf(requestValue, `route parameter "${name}" of …`);
  const ex = exchangeOf(request)!;
  const params = ex.locals.get(LOCAL_PARAMS);
  if (!(params instanceof WflObject)) {
    throw new WflRuntimeError(`route parameter "${name}" needs a request that a registered route dispatched ('register route … as handler' and 'start server')`, "general");
  }
  const v = params.get(name);
  if (v === undefined) {
    const names = [...params.keys()].map((k) => `"${k}"`);
    throw new WflRuntimeError(`The route ${String(ex.locals.get(LOCAL_ROUTE))} has no parameter "${name}"${names.length ? ` (it has ${names.join(", ")})` : " (it has none)"}`, "general");
  }
  return v;
}
