// How a middleware answers a request itself (a health check, `/metrics`, a CORS preflight): the
// answer passes through every middleware of the server like the program's own answers do —
// `transformBody` (compression), then `onHeaders` (security headers, request id, CORS) — and
// `onFinish` follows when the server sees the response end.
import { type Exchange, type HeaderMap, finalHeaders } from "../exchange.js";
import { setHeader } from "./headers.js";

export function answer(ex: Exchange, status: number, headers: HeaderMap, body: string | Buffer): void {
  const res = ex.res;
  if (res.headersSent || ex.state === "answered") return;
  let out = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  const bodiless = status === 204 || status === 304 || (status >= 100 && status < 200);
  if (!bodiless) {
    for (const m of ex.middleware) if (m.transformBody) out = m.transformBody(ex, status, headers, out);
    setHeader(headers, "Content-Length", String(out.length));
  }
  finalHeaders(ex, ex.middleware, status, headers);
  ex.state = "answered";
  res.writeHead(status, headers);
  res.end(bodiless || ex.req.method === "HEAD" ? undefined : out);
}
