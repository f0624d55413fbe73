// A Prometheus endpoint (`/metrics` by default; off unless `web_server_metrics = true`) through
// prom-client, with a Registry of its own per server (never the library's global one, so two
// servers in one process — or a program and its tests — do not mix their counts):
//   http_requests_total{method,route,status}            counter
//   http_request_duration_seconds{method,route,status}  histogram (seconds, arrival to last byte)
//   http_requests_in_flight                             gauge
// plus prom-client's process metrics (CPU, memory, event-loop lag, GC) unless
// `web_server_metrics_process = false`.
//
// `route` is a path template, never the raw path (every id would be a new time series): the
// route a feature recorded in `ex.locals` ("route"), else the first of `web_server_metrics_routes`
// (templates such as `/users/:id`) the path matches, else the path with id-like segments (numbers,
// UUIDs, long hex or opaque tokens) replaced by `:id`. A 404 with no known route counts as
// `unmatched`, and past `web_server_metrics_max_routes` distinct templates new ones count as `other`.
import type * as Prom from "prom-client";
import type { Exchange, Middleware } from "../exchange.js";
import { requirePackage } from "../../../runtime/packages.js";
import { matchRoute } from "../index.js";
import { type Config, cfgBool, cfgInt, cfgList, cfgText } from "./headers.js";
import { answer } from "./answer.js";

const STARTED = "metrics.started";
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"]);
const ID_SEGMENT = /^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|[A-Za-z0-9_-]{32,})$/i;

/** The path with id-like segments replaced by `:id` (and the query dropped). */
export function pathTemplate(path: string): string {
  const q = path.search(/[?#]/);
  const p = q < 0 ? path : path.slice(0, q);
  return p.split("/").map((seg) => (ID_SEGMENT.test(seg) ? ":id" : seg)).join("/") || "/";
}

export interface MetricsSettings {
  path: string;
  templates: string[];
  maxRoutes: number;
  process: boolean;
}

export function metricsSettings(config: Config): MetricsSettings | null {
  if (!cfgBool(config, "web_server_metrics", false)) return null;
  const path = cfgText(config, "web_server_metrics_path", "/metrics");
  return {
    path: path.startsWith("/") ? path : `/${path}`,
    templates: cfgList(config, "web_server_metrics_routes", []),
    maxRoutes: cfgInt(config, "web_server_metrics_max_routes", 200, 1),
    process: cfgBool(config, "web_server_metrics_process", true),
  };
}

export function metrics(config: Config): Middleware | null {
  const s = metricsSettings(config);
  if (s === null) return null;
  const prom = requirePackage<typeof Prom>("prom-client");
  const registry = new prom.Registry();
  const labelNames = ["method", "route", "status"] as const;
  const requests = new prom.Counter({ name: "http_requests_total", help: "HTTP requests answered, by method, route template and status", labelNames, registers: [registry] });
  const duration = new prom.Histogram({
    name: "http_request_duration_seconds",
    help: "Time from a request's arrival to the last byte of its response, in seconds",
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const inFlight = new prom.Gauge({ name: "http_requests_in_flight", help: "Requests received and not yet answered", registers: [registry] });
  if (s.process) prom.collectDefaultMetrics({ register: registry });

  const seen = new Set<string>();
  const routeOf = (ex: Exchange, status: number): string => {
    const recorded = ex.locals.get("route");
    if (typeof recorded === "string" && recorded !== "") return recorded;
    const path = ex.req.url ?? "/";
    if (path === s.path || path.startsWith(`${s.path}?`)) return s.path;
    for (const t of s.templates) if (matchRoute(path, t) !== undefined) return t;
    if (status === 404) return "unmatched";
    const template = pathTemplate(path);
    if (seen.has(template)) return template;
    if (seen.size >= s.maxRoutes) return "other";
    seen.add(template);
    return template;
  };

  return {
    name: "metrics",
    onRequest(ex: Exchange): boolean {
      ex.locals.set(STARTED, true);
      inFlight.inc();
      const url = ex.req.url ?? "/";
      const q = url.indexOf("?");
      if ((q < 0 ? url : url.slice(0, q)) !== s.path) return false;
      if (ex.req.method !== "GET" && ex.req.method !== "HEAD") {
        answer(ex, 405, { "Content-Type": "text/plain; charset=utf-8", Allow: "GET, HEAD" }, "Method not allowed\n");
        return true;
      }
      registry.metrics().then(
        (text) => answer(ex, 200, { "Content-Type": registry.contentType, "Cache-Control": "no-store" }, text),
        (e: unknown) => answer(ex, 500, { "Content-Type": "text/plain; charset=utf-8" }, `Metrics failed: ${e instanceof Error ? e.message : String(e)}\n`),
      );
      return true;
    },
    onFinish(ex: Exchange, status: number): void {
      // Requests another middleware answered before this one saw them are not counted (they never
      // entered the in-flight gauge either).
      if (ex.locals.get(STARTED) !== true) return;
      ex.locals.delete(STARTED);
      inFlight.dec();
      const method = ex.req.method && METHODS.has(ex.req.method) ? ex.req.method : "other";
      const labels = { method, route: routeOf(ex, status), status: String(status) };
      requests.inc(labels);
      duration.observe(labels, (performance.now() - ex.startedAt) / 1000);
    },
  };
}
