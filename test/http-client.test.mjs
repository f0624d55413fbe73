// `open url …` against real node:http and node:https servers started here.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import https from "node:https";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run, parse } from "../dist/internal.js";
import { freePort } from "./support/server.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const seen = []; // every request the plain server received: { method, url, headers, body }
let server, base, sockets = new Set();
let resetsLeft = 0; // /flaky: drop this many connections without answering first

before(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      const u = req.url;
      if (u === "/flaky" && resetsLeft > 0) {
        resetsLeft--;
        req.socket.destroy();
        return;
      }
      if (u === "/lines") {
        res.writeHead(200, { "content-type": "application/x-ndjson" });
        res.write("first\n");
        setTimeout(() => { res.write("sec"); res.write("ond\r\nthird"); res.end(); }, 30);
        return;
      }
      if (u === "/endless") {
        res.writeHead(200, { "content-type": "text/plain" });
        const t = setInterval(() => res.write("tick\n"), 10);
        res.on("close", () => { clearInterval(t); seen.push({ method: "CLOSED", url: u }); });
        return;
      }
      if (u === "/silent") return; // never answers
      if (u === "/head-only") {
        res.writeHead(200, { "content-type": "text/plain" });
        res.flushHeaders();
        return; // then nothing
      }
      if (u === "/big") {
        res.writeHead(200, { "content-type": "text/plain" }); // chunked, no length
        res.write("x".repeat(600));
        res.end("y".repeat(600));
        return;
      }
      if (u === "/cookies") {
        res.writeHead(200, [["Set-Cookie", "a=1"], ["Set-Cookie", "b=2"], ["Content-Type", "text/plain"]]);
        res.end("ok");
        return;
      }
      const status = u === "/missing" ? 404 : u === "/broken" ? 500 : 200;
      res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "x-method": req.method });
      res.end(`${req.method} ${u} [${req.headers["content-type"] ?? ""}] ${body}`);
    });
  });
  server.on("connection", (s) => { sockets.add(s); s.on("close", () => sockets.delete(s)); });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => {
  for (const s of sockets) s.destroy();
  server.close();
});

async function wfl(source, config = {}) {
  const r = await run(source, { config, timeoutMs: 20000 });
  return { out: r.output ?? "", err: r.diagnostics, code: r.exitCode };
}

test("open url … and read content as v binds the body text of a GET", async () => {
  const r = await wfl(`open url at "${base}/hello" and read content as page\ndisplay page`);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, "GET /hello [] \n");
});

test("read response as r gives status, ok, body and lower-case headers; a 404 is an answer, not an error", async () => {
  const r = await wfl(`
open url at "${base}/missing" and read response as resp
display resp.status
display resp.ok
display resp.body
display resp.headers["content-type"]
open url at "${base}/fine" and read response as good
display good.status with " " with good.ok
`);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, "404\nno\nGET /missing [] \ntext/plain; charset=utf-8\n200 yes\n");
});

test("method, headers and body clauses in any order, joined by with/and, also on continuation lines", async () => {
  const r = await wfl(`
create map request_headers:
    Authorization is "Bearer sk_test_123"
    "Content-Type" is "application/x-www-form-urlencoded"
end map
store port_text as "${server.address().port}"
open url at "http://127.0.0.1:" with port_text with "/checkout"
    with method "POST"
    and headers request_headers
    and body "mode=payment"
    and read response as resp
display resp.body
open url at "${base}/put" with body "b" and method "put" and read content as c
display c
`);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, "POST /checkout [application/x-www-form-urlencoded] mode=payment\nPUT /put [text/plain;charset=UTF-8] b\n"); // a text body without a Content-Type header is sent as text/plain
  const post = seen.find((s) => s.url === "/checkout");
  assert.equal(post.headers.authorization, "Bearer sk_test_123");
});

test("the QUERY method (RFC 10008) is sent with its body and Content-Type", async () => {
  const r = await wfl(`
create map request_headers:
    "Content-Type" is "application/jsonpath"
end map
open url at "${base}/search" with method "QUERY" and headers request_headers and body "$.items[*]" and read response as result
display result.status
display result.body
`);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, "200\nQUERY /search [application/jsonpath] $.items[*]\n");
});

test("repeated response headers: Set-Cookie is a list", async () => {
  const r = await wfl(`open url at "${base}/cookies" and read response as r\ndisplay r.headers["set-cookie"]`);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, "[a=1, b=2]\n");
});

test("stream response: status at once, lines without their newline (CRLF too), a final unterminated line, then nothing", async () => {
  const r = await wfl(`
open url at "${base}/lines" and stream response as upstream
display "Status: " with upstream.status
display upstream.headers["content-type"]
count from 1 to 100:
    wait for next line from upstream as line
    check if line is nothing:
        break
    otherwise:
        display "[" with line with "]"
    end check
end count
try:
    wait for next line from upstream as again
catch:
    display "after the end: " with error_message
end try
close upstream
`);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, "Status: 200\napplication/x-ndjson\n[first]\n[second]\n[third]\nafter the end: This stream from " +
    `${base.slice(7)} has already ended\n`);
});

test("wait for next chunk binds binary pieces; close cancels the upstream request and a later read fails", async () => {
  const r = await wfl(`
open url at "${base}/endless" and stream response as s
wait for next chunk from s as piece
display typeof of piece
close s
try:
    wait for next chunk from s as more
catch:
    display error_message
end try
`);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^Binary\nThis stream from .* is closed\n$/);
  for (let i = 0; i < 50 && !seen.some((s) => s.method === "CLOSED"); i++) await new Promise((res) => setTimeout(res, 20));
  assert.ok(seen.some((s) => s.method === "CLOSED"), "the server saw the request cancelled");
});

test("a refused connection is a catchable error at the statement's line", async () => {
  const port = await freePort();
  const r = await wfl(`
try:
    open url at "http://127.0.0.1:${port}/" and read content as c
catch:
    display "caught: " with error_message
end try
open url at "http://127.0.0.1:${port}/" and read content as c`);
  assert.equal(r.code, 1);
  assert.equal(r.out, `caught: Cannot connect to 127.0.0.1:${port}: the connection was refused\n`);
  assert.match(r.err, /connection was refused/);
  assert.match(r.err, /:7:1/);
  assert.doesNotMatch(r.err, /\n\s+at /);
});

test("a name that does not resolve is a catchable error", async () => {
  const r = await wfl(`
try:
    open url at "http://no-such-host.invalid/" and read content as c
catch:
    display error_message
end try`);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, "Cannot reach no-such-host.invalid: the host name could not be resolved\n");
});

test("timeout_seconds bounds a request; when timeout catches it", async () => {
  const t0 = Date.now();
  const r = await wfl(`
try:
    open url at "${base}/silent" and read content as c
when timeout:
    display "timed out: " with error_message
end try`, { timeout_seconds: 1 });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^timed out: No answer from 127.0.0.1:\d+ within 1 seconds \(timeout_seconds\)\n$/);
  assert.ok(Date.now() - t0 < 5000);
});

test("a stream read waits at most timeout_seconds, and a stream lives at most outbound_stream_max_seconds", async () => {
  const idle = await wfl(`
open url at "${base}/head-only" and stream response as s
display s.status
try:
    wait for next line from s as line
when timeout:
    display "idle: " with error_message
end try`, { timeout_seconds: 1 });
  assert.equal(idle.code, 0, idle.err);
  assert.match(idle.out, /^200\nidle: No more data from 127\.0\.0\.1:\d+ within 1 seconds \(timeout_seconds\)\n$/);
  const t0 = Date.now();
  const capped = await wfl(`
open url at "${base}/endless" and stream response as s
store n as 0
try:
    repeat forever:
        wait for next line from s as line
        add 1 to n
    end repeat
when timeout:
    display "capped: " with error_message
end try
check if n is greater than 5:
    display "read lines first"
end check`, { outbound_stream_max_seconds: 1 });
  assert.equal(capped.code, 0, capped.err);
  assert.match(capped.out, /^capped: The stream from .* outlived its 1 seconds \(outbound_stream_max_seconds\)\nread lines first\n$/);
  assert.ok(Date.now() - t0 < 5000);
});

test("web_server_max_response_size stops a larger (chunked) answer", async () => {
  const r = await wfl(`
try:
    open url at "${base}/big" and read content as c
catch:
    display error_message
end try
open url at "${base}/big" and stream response as s
try:
    repeat forever:
        wait for next chunk from s as piece
        check if piece is nothing:
            break
        end check
    end repeat
catch:
    display "stream: " with error_message
end try`, { web_server_max_response_size: 1000 });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /larger than 1000 bytes \(web_server_max_response_size\)\nstream: .*larger than 1000 bytes/);
});

test("a GET whose connection is lost before any answer is sent once more; a POST is not", async () => {
  resetsLeft = 1;
  const ok = await wfl(`open url at "${base}/flaky" and read content as c\ndisplay c`);
  assert.equal(ok.code, 0, ok.err);
  assert.equal(ok.out, "GET /flaky [] \n");
  resetsLeft = 1;
  const post = await wfl(`
try:
    open url at "${base}/flaky" with method "POST" and body "x" and read content as c
catch:
    display error_message
end try`);
  assert.equal(post.code, 0, post.err);
  assert.match(post.out, /connection to .* was lost/);
  resetsLeft = 0;
});

test("a GET with a body and a non-http URL are WFL errors that say why", async () => {
  const r = await wfl(`
try:
    open url at "${base}/" with body "x" and read content as c
catch:
    display error_message
end try
try:
    open url at "file:///etc/passwd" and read content as c
catch:
    display error_message
end try`);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, "A GET request cannot have a body (use POST, PUT or QUERY)\nopen url can only fetch http: and https: URLs, not file:\n");
});

test("every documented open url form parses", () => {
  for (const src of [
    `open url at "https://api.example.com/data" and read content as api_response`,
    `open url at "https://api.stripe.com/v1/checkout/sessions"\n    with method "POST"\n    and headers request_headers\n    and body "mode=payment&line_items[0][price]=price_123"\n    and read response as resp`,
    `open url at "https://api.example.com/events"\n    with method "POST"\n    and headers request_headers\n    and body payload\n    and stream response as upstream`,
    `open url at "https://model.example.com/generate" with method "POST" and body prompt and stream response as upstream`,
    `open url at "https://api.example.com/search" with method "QUERY" and headers request_headers and body "$.items[*]" and read response as result`,
    `wait for next line from upstream as line`,
    `wait for next chunk from upstream as piece`,
  ]) {
    const p = parse(src, "forms.wfl");
    assert.deepEqual(p.diagnostics.map((d) => d.message), [], src);
    assert.ok(p.program, src);
  }
});

test("https: a self-signed certificate is refused, and trusted through NODE_EXTRA_CA_CERTS (node and bin/wfl)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wfl-tls-"));
  try {
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
      "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], { stdio: "ignore" });
    const tls = https.createServer({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) }, (req, res) => res.end("secure hello"));
    await new Promise((r) => tls.listen(0, "127.0.0.1", r));
    const url = `https://localhost:${tls.address().port}/`;
    writeFileSync(join(dir, "get.wfl"), `
try:
    open url at "${url}" and read content as c
    display c
catch:
    display "refused: " with error_message
end try
`);
    const go = (env, viaLauncher = false) => new Promise((resolve) => {
      const [cmd, args] = viaLauncher ? [join(root, "bin/wfl"), []] : [process.execPath, [join(root, "dist/cli.js")]];
      const child = spawn(cmd, [...args, join(dir, "get.wfl")], { env: { ...process.env, ...env } });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.on("exit", (code) => resolve({ out, code }));
    });
    const untrusted = await go({ NODE_EXTRA_CA_CERTS: "" });
    assert.match(untrusted.out, /^refused: The TLS certificate of localhost:\d+ could not be verified/);
    const trusted = await go({ NODE_EXTRA_CA_CERTS: join(dir, "cert.pem") });
    assert.equal(trusted.out, "secure hello\n");
    // bin/wfl keeps NODE_EXTRA_CA_CERTS from Node's start-up; the client still trusts them.
    const launched = await go({ NODE_EXTRA_CA_CERTS: join(dir, "cert.pem") }, true);
    assert.equal(launched.out, "secure hello\n");
    const launchedUntrusted = await go({ NODE_EXTRA_CA_CERTS: "" }, true);
    assert.match(launchedUntrusted.out, /^refused: The TLS certificate/);
    tls.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
