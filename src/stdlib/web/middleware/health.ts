// Liveness and readiness endpoints (off unless `web_server_health_checks = true`), answered
// before the program sees the request:
//   GET /healthz → 200 {"status":"ok"}      the process is up and its event loop turns
//   GET /readyz  → 200 {"status":"ready"}   this server takes new requests
//                  503 {"status":"draining"} once a shutdown has begun — during the
//                                            `web_server_shutdown_delay_seconds` before it stops
//                                            accepting, and after — so a load balancer sends new
//                                            traffic elsewhere
// The readiness answer reads the server's `draining` and `notReady` flags (`ServerStatus`).
import type { Exchange, Middleware } from "../exchange.js";
import { type Config, cfgBool, cfgText } from "./headers.js";
import { answer } from "./answer.js";

/** What the health middleware reads of its server: set once the server begins to drain. */
export interface ServerStatus {
  readonly draining: boolean;
  /** A shutdown is announced (the delay before draining): still serving, but not ready. */
  readonly notReady?: boolean;
}

function pathSetting(config: Config, key: string, byDefault: string): string {
  const p = cfgText(config, key, byDefault);
  return p.startsWith("/") ? p : `/${p}`;
}

export function health(config: Config, server: ServerStatus | undefined): Middleware | null {
  if (!cfgBool(config, "web_server_health_checks", false)) return null;
  const live = pathSetting(config, "web_server_liveness_path", "/healthz");
  const ready = pathSetting(config, "web_server_readiness_path", "/readyz");
  const json = { "Content-Type": "application/json", "Cache-Control": "no-store" };
  return {
    name: "health",
    onRequest(ex: Exchange): boolean {
      if (ex.req.method !== "GET" && ex.req.method !== "HEAD") return false;
      const url = ex.req.url ?? "/";
      const q = url.indexOf("?");
      const path = q < 0 ? url : url.slice(0, q);
      if (path === live) {
        answer(ex, 200, { ...json }, '{"status":"ok"}');
        return true;
      }
      if (path === ready) {
        if (server?.draining === true || server?.notReady === true || ex.locals.get("draining") === true) answer(ex, 503, { ...json, "Retry-After": "5" }, '{"status":"draining"}');
        else answer(ex, 200, { ...json }, '{"status":"ready"}');
        return true;
      }
      return false;
    },
  };
}
