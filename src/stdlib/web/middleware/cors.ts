// CORS with an allow-list of origins (off unless `web_server_cors_allowed_origins` is set).
// A preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is answered here,
// 204 with the allowed methods, headers and max-age, and never reaches the program; a preflight
// from an origin not on the list gets 403. Other responses to an allowed origin carry
// `Access-Control-Allow-Origin`; every response says `Vary: Origin`, so a cache never serves
// one origin's answer to another.
import type { Exchange, HeaderMap, Middleware } from "../exchange.js";
import { type Config, addVary, cfgBool, cfgInt, cfgList, requestHeader, setHeader } from "./headers.js";
import { answer } from "./answer.js";

export interface CorsSettings {
  /** Allowed origins, normalised (lower-case scheme and host, no trailing slash); `*` allows any. */
  origins: Set<string>;
  any: boolean;
  methods: string[];
  headers: string[];
  exposed: string[];
  credentials: boolean;
  maxAge: number;
}

export function normaliseOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, "").toLowerCase();
}

export function corsSettings(config: Config): CorsSettings | null {
  const list = cfgList(config, "web_server_cors_allowed_origins", []);
  if (list.length === 0) return null;
  const origins = new Set(list.map(normaliseOrigin));
  return {
    origins,
    any: origins.has("*"),
    methods: cfgList(config, "web_server_cors_allowed_methods", ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]).map((m) => m.toUpperCase()),
    headers: cfgList(config, "web_server_cors_allowed_headers", ["Accept", "Authorization", "Content-Type", "X-Requested-With", "X-Request-Id"]),
    exposed: cfgList(config, "web_server_cors_exposed_headers", ["X-Request-Id"]),
    credentials: cfgBool(config, "web_server_cors_allow_credentials", false),
    maxAge: cfgInt(config, "web_server_cors_max_age_seconds", 600),
  };
}

export function cors(config: Config): Middleware | null {
  const s = corsSettings(config);
  if (s === null) return null;
  const allowed = (origin: string | undefined): origin is string =>
    origin !== undefined && origin !== "" && (s.any || s.origins.has(normaliseOrigin(origin)));
  // With credentials a browser refuses `*`: the origin itself is echoed instead.
  const allowOrigin = (origin: string): string => (s.any && !s.credentials ? "*" : origin);
  return {
    name: "cors",
    onRequest(ex: Exchange): boolean {
      const h = ex.req.headers;
      if (ex.req.method !== "OPTIONS" || requestHeader(h, "access-control-request-method") === undefined) return false;
      const origin = requestHeader(h, "origin");
      if (origin === undefined) return false;
      if (!allowed(origin)) {
        answer(ex, 403, { "Content-Type": "text/plain; charset=utf-8" }, "CORS origin not allowed\n");
        return true;
      }
      const headers: HeaderMap = {
        "Access-Control-Allow-Methods": s.methods.join(", "),
        "Access-Control-Max-Age": String(s.maxAge),
      };
      if (s.headers.length > 0) headers["Access-Control-Allow-Headers"] = s.headers.join(", ");
      addVary(headers, "Access-Control-Request-Method");
      addVary(headers, "Access-Control-Request-Headers");
      answer(ex, 204, headers, "");
      return true;
    },
    onHeaders(ex: Exchange | null, _status: number, headers: HeaderMap): void {
      addVary(headers, "Origin");
      if (ex === null) return;
      const origin = requestHeader(ex.req.headers, "origin");
      if (!allowed(origin)) return;
      setHeader(headers, "Access-Control-Allow-Origin", allowOrigin(origin));
      if (s.credentials) setHeader(headers, "Access-Control-Allow-Credentials", "true");
      const isPreflight = ex.req.method === "OPTIONS" && requestHeader(ex.req.headers, "access-control-request-method") !== undefined;
      if (!isPreflight && s.exposed.length > 0) setHeader(headers, "Access-Control-Expose-Headers", s.exposed.join(", "));
    },
  };
}
