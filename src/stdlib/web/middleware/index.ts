// The production middleware of a server, built from its `.wflcfg` (see Docs/web-middleware.md):
//
//   middlewareFor(config, server) → Middleware[]
//
// called once per server when it starts listening. `server` is read by the readiness endpoint
// (`draining` turns true when the server stops accepting). The order matters:
//   1. request-id        replaces the exchange's id by a sane incoming X-Request-Id before anyone
//                        reads it; sends X-Request-Id on every response
//   2. access-log        one JSON line per finished request (sees every request, the ones the
//                        middleware below answer included)
//   3. metrics           counts every request after it; answers /metrics
//   4. health            answers /healthz and /readyz
//   5. cors              answers preflights; CORS headers on answers to allowed origins
//   6. security-headers  on every response, the runtime's own errors included
//   7. compression       last, so it compresses the body as it will be sent
import type { Middleware } from "../exchange.js";
import { type Config, cfgBool } from "./headers.js";
import { requestId } from "./request-id.js";
import { accessLog } from "./access-log.js";
import { metrics } from "./metrics.js";
import { type ServerStatus, health } from "./health.js";
import { cors } from "./cors.js";
import { securityHeaders } from "./security-headers.js";
import { compression } from "./compression.js";

export type { ServerStatus } from "./health.js";
export { answer } from "./answer.js";

export function middlewareFor(config: Config, server?: ServerStatus): Middleware[] {
  const list: (Middleware | null)[] = [
    cfgBool(config, "web_server_request_id", true) ? requestId(config) : null,
    accessLog(config),
    metrics(config),
    health(config, server),
    cors(config),
    cfgBool(config, "web_server_security_headers", true) ? securityHeaders(config) : null,
    compression(config),
  ];
  return list.filter((m): m is Middleware => m !== null);
}
