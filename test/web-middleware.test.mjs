// The production middleware of the web runtime (src/stdlib/web/middleware/), each on and off by
// `.wflcfg`, against a real WFL server and real HTTP clients (fetch, node:http, raw sockets).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import zlib from "node:zlib";
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, killServers } from "./support/server.mjs";

after(killServers);

// One server program for every case: the routes below, forever.
const PROGRAM = `listen on port 0 as srv
display srv
store served as 0
store big as ""
count from 1 to 200:
    change big to big with "All work and no play makes a WFL server compressible. "
end count
create map encoded_headers:
    "Content-Encoding" is "gzip"
end map
create map tagged_headers:
    "ETag" is "\\"v1\\""
    "Cache-Control" is "max-age=60"
end map
create map no_transform_headers:
    "Cache-Control" is "no-transform"
end map
create map own_headers:
    "Content-Security-Policy" is "default-src 'none'"
    "X-Frame-Options" is "SAMEORIGIN"
end map
main loop:
    wait for request comes in on srv as req
    add 1 to served
    check if path is "/boom":
        display 1 divided by 0
    end check
    check if path is "/big":
        respond to req with big and content_type "text/plain; charset=utf-8"
    otherwise check if path is "/bigjson":
        store json as "[\\"" with big with "\\"]"
        respond to req with json and content_type "application/json"
    otherwise check if path is "/encoded":
        respond to req with big and content_type "text/plain" and headers encoded_headers
    otherwise check if path is "/tagged":
        respond to req with big and content_type "text/plain" and headers tagged_headers
    otherwise check if path is "/notransform":
        respond to req with big and content_type "text/plain" and headers no_transform_headers
    otherwise check if path is "/bigpng":
        respond to req with big and content_type "image/png"
    otherwise check if path is "/small":
        respond to req with "tiny" and content_type "text/plain"
    otherwise check if path is "/empty":
        respond to req with "" and status 204
    otherwise check if path is "/own":
        respond to req with "mine" and content_type "text/html" and headers own_headers
    otherwise check if path is "/count":
        respond to req with served
    otherwise check if path is "/drain":
        stop accepting connections on srv
        respond to req with "draining"
        wait for 3000 milliseconds
    otherwise check if path starts with "/users/":
        respond to req with "a user"
    otherwise check if path is "/ok":
        respond to req with "ok"
    otherwise:
        respond to req with "not here" and status 404
    end check
end loop
`;

/** Writes the program and a `.wflcfg` with `config` beside it, and starts it. */
async function serve(config = {}) {
  const dir = mkdtempSync(join(tmpdir(), "wfl-mw-"));
  const lines = Object.entries(config).map(([k, v]) => `${k} = ${v}`);
  writeFileSync(join(dir, ".wflcfg"), `${lines.join("\n")}\n`);
  writeFileSync(join(dir, "server.wfl"), PROGRAM);
  const s = await startServer(join(dir, "server.wfl"));
  return { ...s, dir, url: (p) => `http://127.0.0.1:${s.port}${p}` };
}

/** A GET (or other method) with node:http, which leaves the body as sent (no decoding). */
function raw(port, path, { method = "GET", headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

const SECURITY = ["x-content-type-options", "content-security-policy", "x-frame-options", "referrer-policy"];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function assertSecurityHeaders(res, what) {
  assert.equal(res.headers.get("x-content-type-options"), "nosniff", what);
  assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'self'/, what);
  assert.match(res.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/, what);
  assert.equal(res.headers.get("x-frame-options"), "DENY", what);
  assert.equal(res.headers.get("referrer-policy"), "strict-origin-when-cross-origin", what);
  assert.equal(res.headers.get("strict-transport-security"), null, `${what}: no HSTS over plain HTTP`);
  assert.match(res.headers.get("x-request-id") ?? "", UUID, what);
}

test("by default every answer (200, the program's 404, the runtime's 500) has the security headers and a request id, and nothing else is on", async () => {
  const s = await serve();
  const ok = await fetch(s.url("/ok"));
  assert.equal(await ok.text(), "ok");
  assertSecurityHeaders(ok, "200");
  const missing = await fetch(s.url("/nope"));
  assert.equal(missing.status, 404);
  await missing.text();
  assertSecurityHeaders(missing, "404");
  const boom = await fetch(s.url("/boom"));
  assert.equal(boom.status, 500);
  await boom.text();
  assertSecurityHeaders(boom, "500");
  // Compression, CORS, metrics and health are off: those go to the program or are not added.
  const big = await raw(s.port, "/big", { headers: { "accept-encoding": "gzip, br", origin: "https://a.example" } });
  assert.equal(big.headers["content-encoding"], undefined);
  assert.equal(big.headers["access-control-allow-origin"], undefined);
  assert.match(big.body.toString(), /^All work/);
  for (const p of ["/metrics", "/healthz", "/readyz"]) assert.equal((await raw(s.port, p)).status, 404, p);
  const preflight = await raw(s.port, "/ok", { method: "OPTIONS", headers: { origin: "https://a.example", "access-control-request-method": "PUT" } });
  assert.equal(preflight.body.toString(), "ok", "without CORS a preflight reaches the program");
  assert.doesNotMatch(s.io.err, /"method"/, "no access log by default");
});

test("the request id honours a sane incoming X-Request-Id and replaces one that is not", async () => {
  const s = await serve();
  const kept = await raw(s.port, "/ok", { headers: { "x-request-id": "edge-42.abc:7" } });
  assert.equal(kept.headers["x-request-id"], "edge-42.abc:7");
  const tooLong = await raw(s.port, "/ok", { headers: { "x-request-id": "x".repeat(200) } });
  assert.match(tooLong.headers["x-request-id"], UUID);
  const odd = await raw(s.port, "/ok", { headers: { "x-request-id": "a b<script>" } });
  assert.match(odd.headers["x-request-id"], UUID);
  const a = await raw(s.port, "/ok");
  const b = await raw(s.port, "/ok");
  assert.notEqual(a.headers["x-request-id"], b.headers["x-request-id"], "each request gets its own id");
});

test("security headers: the program's own values win, each header can be configured, and the whole set turned off", async () => {
  const s = await serve({
    web_server_content_security_policy: "default-src 'self' https://cdn.example",
    web_server_frame_options: "SAMEORIGIN",
    web_server_referrer_policy: "no-referrer",
    web_server_trust_request_id: "false",
  });
  const own = await fetch(s.url("/own"));
  assert.equal(own.headers.get("content-security-policy"), "default-src 'none'");
  assert.equal(own.headers.get("x-frame-options"), "SAMEORIGIN");
  const ok = await fetch(s.url("/ok"), { headers: { "x-request-id": "from-client" } });
  assert.equal(ok.headers.get("content-security-policy"), "default-src 'self' https://cdn.example");
  assert.equal(ok.headers.get("x-frame-options"), "SAMEORIGIN");
  assert.equal(ok.headers.get("referrer-policy"), "no-referrer");
  assert.match(ok.headers.get("x-request-id"), UUID, "an incoming id is not trusted when configured so");

  const defaultCsp = await serve({ web_server_frame_options: "SAMEORIGIN", web_server_content_security_policy: "off" });
  const r = await fetch(defaultCsp.url("/ok"));
  assert.equal(r.headers.get("content-security-policy"), null);
  assert.equal(r.headers.get("x-frame-options"), "SAMEORIGIN");

  const none = await serve({ web_server_security_headers: "false", web_server_request_id: "false" });
  const bare = await fetch(none.url("/boom"));
  assert.equal(bare.status, 500);
  for (const h of [...SECURITY.slice(1), "x-request-id"]) assert.equal(bare.headers.get(h), null, h);
});

test("CORS: allowed origins get Access-Control-Allow-Origin and Vary: Origin; others get no grant; preflights are answered 204 before the program", async () => {
  const s = await serve({
    web_server_cors_allowed_origins: "https://app.example, https://admin.example/",
    web_server_cors_allowed_methods: "GET, POST, DELETE",
    web_server_cors_max_age_seconds: "120",
  });
  const allowed = await fetch(s.url("/ok"), { headers: { origin: "https://admin.example" } });
  assert.equal(allowed.headers.get("access-control-allow-origin"), "https://admin.example");
  assert.match(allowed.headers.get("vary"), /Origin/);
  assert.equal(allowed.headers.get("access-control-expose-headers"), "X-Request-Id");
  assert.equal(allowed.headers.get("access-control-allow-credentials"), null);
  await allowed.text();

  const other = await fetch(s.url("/ok"), { headers: { origin: "https://evil.example" } });
  assert.equal(other.headers.get("access-control-allow-origin"), null);
  assert.match(other.headers.get("vary"), /Origin/);
  await other.text();

  const boom = await fetch(s.url("/boom"), { headers: { origin: "https://app.example" } });
  assert.equal(boom.status, 500);
  assert.equal(boom.headers.get("access-control-allow-origin"), "https://app.example", "the runtime's own 500 carries the grant too");
  await boom.text();

  const before = Number(await (await fetch(s.url("/count"))).text());
  const pre = await raw(s.port, "/ok", {
    method: "OPTIONS",
    headers: { origin: "https://app.example", "access-control-request-method": "DELETE", "access-control-request-headers": "content-type" },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.body.length, 0);
  assert.equal(pre.headers["access-control-allow-origin"], "https://app.example");
  assert.equal(pre.headers["access-control-allow-methods"], "GET, POST, DELETE");
  assert.match(pre.headers["access-control-allow-headers"], /Content-Type/);
  assert.equal(pre.headers["access-control-max-age"], "120");
  assert.match(pre.headers.vary, /Origin/);
  assert.equal(pre.headers["x-content-type-options"], "nosniff");

  const refused = await raw(s.port, "/ok", { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "DELETE" } });
  assert.equal(refused.status, 403);
  assert.equal(refused.headers["access-control-allow-origin"], undefined);
  const afterCount = Number(await (await fetch(s.url("/count"))).text());
  assert.equal(afterCount, before + 1, "the program saw neither preflight, only the second /count");
});

test("CORS with `*` allows any origin; with credentials it echoes the origin", async () => {
  const any = await serve({ web_server_cors_allowed_origins: "*" });
  const r = await fetch(any.url("/ok"), { headers: { origin: "https://whoever.example" } });
  assert.equal(r.headers.get("access-control-allow-origin"), "*");
  await r.text();
  const cred = await serve({ web_server_cors_allowed_origins: "*", web_server_cors_allow_credentials: "true" });
  const c = await fetch(cred.url("/ok"), { headers: { origin: "https://whoever.example" } });
  assert.equal(c.headers.get("access-control-allow-origin"), "https://whoever.example");
  assert.equal(c.headers.get("access-control-allow-credentials"), "true");
  await c.text();
});

test("compression: gzip and brotli bodies decode to the original; small, non-text, 204 and unasked-for answers stay as they are", async () => {
  const s = await serve({ web_server_compression: "true" });
  const plain = await raw(s.port, "/big");
  assert.equal(plain.headers["content-encoding"], undefined, "no Accept-Encoding, no compression");
  assert.match(plain.headers.vary, /Accept-Encoding/);
  const original = plain.body.toString();
  assert.ok(original.length > 10_000);

  const gz = await raw(s.port, "/big", { headers: { "accept-encoding": "gzip" } });
  assert.equal(gz.headers["content-encoding"], "gzip");
  assert.equal(Number(gz.headers["content-length"]), gz.body.length);
  assert.ok(gz.body.length < original.length / 5);
  assert.equal(zlib.gunzipSync(gz.body).toString(), original);
  assert.match(gz.headers.vary, /Accept-Encoding/);
  assert.equal(gz.headers["x-content-type-options"], "nosniff");

  const br = await raw(s.port, "/big", { headers: { "accept-encoding": "gzip, deflate, br" } });
  assert.equal(br.headers["content-encoding"], "br", "brotli is preferred when both are accepted");
  assert.equal(zlib.brotliDecompressSync(br.body).toString(), original);

  const json = await raw(s.port, "/bigjson", { headers: { "accept-encoding": "br;q=0.5, gzip;q=1" } });
  assert.equal(json.headers["content-encoding"], "gzip", "the higher q wins");
  assert.deepEqual(JSON.parse(zlib.gunzipSync(json.body).toString()), [original]);

  const refused = await raw(s.port, "/big", { headers: { "accept-encoding": "br;q=0, gzip;q=0" } });
  assert.equal(refused.headers["content-encoding"], undefined);

  // fetch decodes by itself: the text it gives is the original.
  const viaFetch = await fetch(s.url("/big"), { headers: { "accept-encoding": "br" } });
  assert.equal(viaFetch.headers.get("content-encoding"), "br");
  assert.equal(await viaFetch.text(), original);

  const small = await raw(s.port, "/small", { headers: { "accept-encoding": "gzip" } });
  assert.equal(small.headers["content-encoding"], undefined);
  assert.equal(small.body.toString(), "tiny");
  const png = await raw(s.port, "/bigpng", { headers: { "accept-encoding": "gzip" } });
  assert.equal(png.headers["content-encoding"], undefined, "not a compressible type");
  assert.equal(png.body.toString(), original);
  const empty = await raw(s.port, "/empty", { headers: { "accept-encoding": "gzip" } });
  assert.equal(empty.status, 204);
  assert.equal(empty.headers["content-encoding"], undefined);
  assert.equal(empty.body.length, 0);

  const encoded = await raw(s.port, "/encoded", { headers: { "accept-encoding": "gzip, br" } });
  assert.equal(encoded.headers["content-encoding"], "gzip", "an answer the program encoded itself is left alone");
  assert.equal(encoded.body.toString(), original);
  const tagged = await raw(s.port, "/tagged", { headers: { "accept-encoding": "gzip" } });
  assert.equal(tagged.headers["content-encoding"], "gzip");
  assert.equal(tagged.headers.etag, 'W/"v1"', "a strong ETag becomes weak once the bytes change");
  const untouched = await raw(s.port, "/tagged");
  assert.equal(untouched.headers.etag, '"v1"');
  const noTransform = await raw(s.port, "/notransform", { headers: { "accept-encoding": "gzip" } });
  assert.equal(noTransform.headers["content-encoding"], undefined, "Cache-Control: no-transform is respected");

  const off = await serve({ web_server_compression: "false" });
  const o = await raw(off.port, "/big", { headers: { "accept-encoding": "gzip" } });
  assert.equal(o.headers["content-encoding"], undefined);

  const threshold = await serve({ web_server_compression: "true", web_server_compression_min_size: "2", web_server_compression_encodings: "gzip" });
  const t = await raw(threshold.port, "/big", { headers: { "accept-encoding": "br, gzip" } });
  assert.equal(t.headers["content-encoding"], "gzip", "only the configured codings are used");
});

test("access log: one JSON line per request on stderr with its id, method, path, status, duration, bytes and client ip", async () => {
  const s = await serve({ web_server_access_log: "true", web_server_compression: "true", web_server_health_checks: "true" });
  const ok = await raw(s.port, "/ok?token=secret", { headers: { "x-request-id": "trace-1" } });
  const big = await raw(s.port, "/big", { headers: { "accept-encoding": "gzip" } });
  const boom = await raw(s.port, "/boom");
  const health = await raw(s.port, "/healthz");
  await new Promise((r) => setTimeout(r, 200));
  const lines = s.io.err.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  const byId = new Map(lines.map((l) => [l.id, l]));
  const first = byId.get("trace-1");
  assert.ok(first, s.io.err);
  assert.equal(first.method, "GET");
  assert.equal(first.path, "/ok", "the query (which may hold secrets) is not logged");
  assert.equal(first.status, 200);
  assert.equal(first.bytes, 2);
  assert.equal(first.client_ip, "127.0.0.1");
  assert.equal(typeof first.duration_ms, "number");
  assert.ok(!Number.isNaN(Date.parse(first.time)));
  assert.equal(byId.get(big.headers["x-request-id"]).bytes, big.body.length, "bytes as sent, after compression");
  assert.equal(byId.get(boom.headers["x-request-id"]).status, 500);
  assert.equal(byId.get(health.headers["x-request-id"]).path, "/healthz", "answers given by middleware are logged too");
});

test("a failing handler's error report gives the request id its log line has, with the X-Request-Id header off", async () => {
  const s = await serve({ web_server_access_log: "true", web_server_request_id: "false" });
  const boom = await raw(s.port, "/boom?token=secret");
  assert.equal(boom.status, 500);
  assert.equal(boom.headers["x-request-id"], undefined);
  await new Promise((r) => setTimeout(r, 200));
  const line = s.io.err.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l)).find((l) => l.path === "/boom");
  assert.ok(line, s.io.err);
  assert.equal(line.status, 500);
  assert.match(line.id, UUID);
  assert.ok(s.io.err.includes(`(the request GET /boom was answered with 500, request id ${line.id}; the server goes on)`), s.io.err);
  assert.doesNotMatch(s.io.err, /secret/);
});

test("access log to a file: the lines are appended there, not to stderr", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wfl-mw-log-"));
  const file = join(dir, "access.log");
  const s = await serve({ web_server_access_log: "true", web_server_access_log_file: file });
  const r = await raw(s.port, "/ok");
  const id = r.headers["x-request-id"];
  for (let i = 0; i < 50 && !(existsSync(file) && readFileSync(file, "utf8").includes(id)); i++) await new Promise((res) => setTimeout(res, 20));
  const line = JSON.parse(readFileSync(file, "utf8").trim().split("\n").at(-1));
  assert.equal(line.id, id);
  assert.equal(line.status, 200);
  assert.doesNotMatch(s.io.err, /"client_ip"/);
});

/** Prometheus text → Map of `name{labels}` → value. */
function parseMetrics(text) {
  const out = new Map();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    assert.ok(m, `a metrics line: ${line}`);
    out.set(`${m[1]}${m[2] ?? ""}`, Number(m[3]));
  }
  return out;
}

test("metrics: /metrics counts requests by route template and status, with a duration histogram and the in-flight gauge", async () => {
  const s = await serve({ web_server_metrics: "true" });
  for (const p of ["/ok", "/ok", "/users/7", "/users/8", "/users/0b9f3c2e-2a4d-4e55-9a1c-5c0b1f0e9d11", "/nope", "/boom"]) await (await fetch(s.url(p))).arrayBuffer();
  const res = await fetch(s.url("/metrics"));
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type"), /^text\/plain; version=0\.0\.4/);
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  const m = parseMetrics(await res.text());
  assert.equal(m.get('http_requests_total{method="GET",route="/ok",status="200"}'), 2);
  assert.equal(m.get('http_requests_total{method="GET",route="/users/:id",status="200"}'), 3);
  assert.equal(m.get('http_requests_total{method="GET",route="unmatched",status="404"}'), 1);
  assert.equal(m.get('http_requests_total{method="GET",route="/boom",status="500"}'), 1);
  assert.equal(m.get('http_request_duration_seconds_count{method="GET",route="/ok",status="200"}'), 2);
  assert.equal(m.get('http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/users/:id",status="200"}'), 3);
  assert.ok(m.get('http_request_duration_seconds_sum{method="GET",route="/ok",status="200"}') > 0);
  assert.equal(m.get("http_requests_in_flight"), 1, "the /metrics request itself is in flight");
  assert.ok(m.has("process_resident_memory_bytes"), "process metrics are on by default");
  // The scrape itself is counted once it has finished.
  const again = parseMetrics(await (await fetch(s.url("/metrics"))).text());
  assert.equal(again.get('http_requests_total{method="GET",route="/metrics",status="200"}'), 1);
  const post = await fetch(s.url("/metrics"), { method: "POST" });
  assert.equal(post.status, 405);
  await post.text();
});

test("metrics: the path, route templates and process metrics are configurable; off, /metrics is the program's", async () => {
  const s = await serve({
    web_server_metrics: "true",
    web_server_metrics_path: "/internal/metrics",
    web_server_metrics_routes: "/users/:name",
    web_server_metrics_process: "false",
  });
  await (await fetch(s.url("/users/alice"))).text();
  await (await fetch(s.url("/users/bob"))).text();
  const programs = await fetch(s.url("/metrics"));
  assert.equal(programs.status, 404);
  assert.equal(await programs.text(), "not here");
  const m = parseMetrics(await (await fetch(s.url("/internal/metrics"))).text());
  assert.equal(m.get('http_requests_total{method="GET",route="/users/:name",status="200"}'), 2);
  assert.ok(!m.has("process_resident_memory_bytes"));
  // Two servers never share a registry.
  const other = await serve({ web_server_metrics: "true", web_server_metrics_process: "false" });
  const o = parseMetrics(await (await fetch(other.url("/metrics"))).text());
  assert.equal(o.get('http_requests_total{method="GET",route="/users/:name",status="200"}'), undefined);
});

test("health: /healthz and /readyz answer before the program; readiness turns 503 once the server drains", async () => {
  const s = await serve({ web_server_health_checks: "true" });
  const live = await fetch(s.url("/healthz"));
  assert.equal(live.status, 200);
  assert.deepEqual(await live.json(), { status: "ok" });
  assert.equal(live.headers.get("x-frame-options"), "DENY");
  const ready = await fetch(s.url("/readyz"));
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: "ready" });
  assert.equal((await (await fetch(s.url("/count"))).text()), "1", "the program saw only /count");

  // A second connection whose request is half sent stays open when the server stops accepting;
  // the rest of its request arrives after the drain began.
  const late = net.connect(s.port, "127.0.0.1");
  await new Promise((r) => late.once("connect", r));
  late.write("GET /readyz HTTP/1.1\r\nHost: x\r\n");
  await new Promise((r) => setTimeout(r, 100));
  const drain = await raw(s.port, "/drain");
  assert.equal(drain.body.toString(), "draining");
  let answer = "";
  late.on("data", (d) => (answer += d));
  late.write("Connection: close\r\n\r\n");
  await new Promise((r) => late.once("close", r));
  assert.match(answer, /^HTTP\/1\.1 503 /);
  // A draining server refuses every new request with 503 before any middleware (readiness included) runs.
  assert.match(answer, /X-Content-Type-Options: nosniff/i);
});

test("health: the paths are configurable", async () => {
  const s = await serve({ web_server_health_checks: "true", web_server_liveness_path: "/live", web_server_readiness_path: "ready" });
  assert.equal((await raw(s.port, "/live")).status, 200);
  assert.equal((await raw(s.port, "/ready")).status, 200);
  assert.equal((await raw(s.port, "/healthz")).status, 404);
});

test("middlewareFor builds the list in order from configuration: request id and security headers by default, the rest when set", async () => {
  const { middlewareFor } = await import("../dist/internal.js");
  const names = (cfg) => middlewareFor(new Map(Object.entries(cfg))).map((m) => m.name);
  assert.deepEqual(names({}), ["request-id", "security-headers"]);
  assert.deepEqual(
    names({ web_server_access_log: "true", web_server_metrics: "yes", web_server_health_checks: "on", web_server_cors_allowed_origins: "https://a.example", web_server_compression: "1" }),
    ["request-id", "access-log", "metrics", "health", "cors", "security-headers", "compression"],
  );
  assert.deepEqual(names({ web_server_request_id: "false", web_server_security_headers: "off", web_server_cors_allowed_origins: "" }), []);
  assert.deepEqual(names({ web_server_security_headers: "maybe" }), ["request-id", "security-headers"], "a value that does not parse keeps the default");
});

test("Accept-Encoding negotiation, compressible types, route templates and sane request ids", async () => {
  const { chooseCoding, isCompressible, pathTemplate, isSaneRequestId } = await import("../dist/internal.js");
  assert.equal(chooseCoding("gzip, deflate, br", ["br", "gzip"]), "br");
  assert.equal(chooseCoding("gzip;q=1.0, br;q=0.8", ["br", "gzip"]), "gzip");
  assert.equal(chooseCoding("*", ["br", "gzip"]), "br");
  assert.equal(chooseCoding("*;q=0.5, br;q=0", ["br", "gzip"]), "gzip");
  assert.equal(chooseCoding("identity", ["br", "gzip"]), null);
  assert.equal(chooseCoding(undefined, ["br", "gzip"]), null);
  assert.equal(chooseCoding("x-gzip", ["gzip"]), "gzip");
  for (const t of ["text/html; charset=utf-8", "application/json", "application/problem+json", "image/svg+xml", "application/javascript"]) assert.ok(isCompressible(t), t);
  for (const t of ["image/png", "application/zip", "video/mp4", "application/octet-stream", undefined]) assert.ok(!isCompressible(t), String(t));
  assert.equal(pathTemplate("/users/42/posts/7?x=1"), "/users/:id/posts/:id");
  assert.equal(pathTemplate("/files/0b9f3c2e-2a4d-4e55-9a1c-5c0b1f0e9d11"), "/files/:id");
  assert.equal(pathTemplate("/about"), "/about");
  assert.equal(pathTemplate("/"), "/");
  assert.ok(isSaneRequestId("req_abc-123.4:5"));
  for (const bad of ["", "a b", "x".repeat(129), "é", "a\r\nb"]) assert.ok(!isSaneRequestId(bad), JSON.stringify(bad));
});

test("a child program's .wflcfg cannot loosen its parent's web middleware settings", async () => {
  const { narrowConfig } = await import("../dist/internal.js");
  const narrow = (parent, own) => Object.fromEntries(narrowConfig(new Map(Object.entries(parent)), new Map(Object.entries(own))));
  assert.equal(narrow({}, { web_server_security_headers: "false" }).web_server_security_headers, undefined, "cannot turn security headers off");
  assert.equal(narrow({ web_server_security_headers: "false" }, { web_server_security_headers: "true" }).web_server_security_headers, "true", "may turn them on");
  assert.equal(narrow({}, { web_server_hsts: "off" }).web_server_hsts, undefined);
  assert.equal(narrow({}, { web_server_content_security_policy: "off" }).web_server_content_security_policy, undefined);
  assert.equal(narrow({}, { web_server_access_log_file: "/etc/passwd" }).web_server_access_log_file, undefined, "cannot choose where logs are appended");
  assert.equal(narrow({}, { web_server_cors_allowed_origins: "*" }).web_server_cors_allowed_origins, undefined, "cannot turn CORS on");
  assert.equal(narrow({ web_server_cors_allowed_origins: "https://a.example, https://b.example" }, { web_server_cors_allowed_origins: "https://b.example, https://evil.example" }).web_server_cors_allowed_origins, "https://b.example");
  assert.equal(narrow({ web_server_cors_allowed_origins: "https://a.example" }, { web_server_cors_allowed_origins: "*" }).web_server_cors_allowed_origins, "https://a.example");
  assert.equal(narrow({ web_server_cors_allow_credentials: "true" }, { web_server_cors_allow_credentials: "false" }).web_server_cors_allow_credentials, "false");
  assert.equal(narrow({}, { web_server_cors_allow_credentials: "true" }).web_server_cors_allow_credentials, undefined);
  assert.equal(narrow({}, { web_server_compression: "true" }).web_server_compression, "true", "switches that allow nothing more are the child's");
});

test("HSTS goes out only on TLS exchanges, and is configurable", async () => {
  const { middlewareFor } = await import("../dist/internal.js");
  // The exchange of a TLS connection (the TLS listener is the server's part; here only what the
  // middleware reads of it).
  const exchange = (secure) => ({ id: "id-1", secure, req: { headers: {}, method: "GET", url: "/" }, locals: new Map() });
  const headersFor = (cfg, secure) => {
    const h = { "Content-Type": "text/plain" };
    for (const m of middlewareFor(new Map(Object.entries(cfg)))) m.onHeaders?.(exchange(secure), 200, h);
    return h;
  };
  assert.equal(headersFor({}, true)["Strict-Transport-Security"], "max-age=31536000; includeSubDomains");
  assert.equal(headersFor({}, false)["Strict-Transport-Security"], undefined);
  assert.equal(headersFor({ web_server_hsts_max_age: "600", web_server_hsts_include_subdomains: "false", web_server_hsts_preload: "true" }, true)["Strict-Transport-Security"], "max-age=600; preload");
  assert.equal(headersFor({ web_server_hsts: "false" }, true)["Strict-Transport-Security"], undefined);
  assert.equal(headersFor({ web_server_hsts_max_age: "0" }, true)["Strict-Transport-Security"], undefined);
  assert.equal(headersFor({}, true)["X-Request-Id"], "id-1");
});
