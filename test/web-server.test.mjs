// A real WFL server on loopback, answered by a real HTTP client.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startServer } from "./support/server.mjs";


test("listen / wait for request / respond serve real HTTP requests", async () => {
  const { port, io, exited } = await startServer("test/fixtures/hello_server.wfl");
  const ok = await fetch(`http://127.0.0.1:${port}/greet`);
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get("content-type"), "text/plain");
  assert.equal(await ok.text(), "Hello from /greet");
  const missing = await fetch(`http://127.0.0.1:${port}/missing`);
  assert.equal(missing.status, 404);
  assert.equal(await missing.text(), "not here");
  assert.equal(await exited, 0, io.err);
  assert.match(io.out, /served\n$/);
});

test("a failing request handler answers 500 and the server keeps serving", async () => {
  const { port, io, exited } = await startServer("test/fixtures/failing_handler.wfl");
  const first = await fetch(`http://127.0.0.1:${port}/a`);
  assert.equal(await first.text(), "ok 1");
  const boom = await fetch(`http://127.0.0.1:${port}/boom?token=secret`);
  assert.equal(boom.status, 500);
  await boom.text();
  const id = boom.headers.get("x-request-id");
  assert.match(id ?? "", /^[0-9a-f-]{36}$/);
  const after = await fetch(`http://127.0.0.1:${port}/b`);
  assert.equal(after.status, 200);
  assert.equal(await after.text(), "ok 3");
  assert.equal(await exited, 0, io.err);
  // The report names the request (its path, never its query) and the id its 500 carried, so the
  // answer a user saw leads to the error without an access log.
  assert.ok(io.err.includes(`Division by zero (the request GET /boom was answered with 500, request id ${id}; the server goes on)`), io.err);
  assert.doesNotMatch(io.err, /secret/);
  assert.match(io.err, /failing_handler\.wfl:10:/);
  assert.doesNotMatch(io.err, /\n\s+at /);
  assert.match(io.out, /done after 3\n$/);
});

test("a request value reads, changes and displays as a map, its fields in their order", async () => {
  const { port, io, exited } = await startServer("test/fixtures/request_value_map.wfl");
  const first = await fetch(`http://127.0.0.1:${port}/one?a=1`, { method: "POST", body: "hi", headers: { "x-test": "yes" } });
  assert.equal(await first.text(), "first");
  const second = await fetch(`http://127.0.0.1:${port}/two`);
  assert.equal(await second.text(), "second");
  assert.equal(await exited, 0, io.err);
  const lines = io.out.split("\n");
  assert.deepEqual(lines.slice(1, 5), ["/one", "a=1", "Object", "added"]);
  assert.match(lines[5], /^\{method: POST, path: \/one, query: a=1, client_ip: 127\.0\.0\.1, headers: \{.*x-test: yes.*\}, body: hi, body_bytes: \[Binary: 2 bytes\], note: added\}$/);
  assert.match(lines[6], /^\{method: GET, path: \/two, query: , client_ip: 127\.0\.0\.1, headers: \{.*\}, body: , body_bytes: \[Binary: 0 bytes\]\}$/);
});

test("sent_status of req is nothing before the answer, then the status sent: 200, 404, 304 or 206 for a file", async () => {
  const { port, io, exited } = await startServer("test/fixtures/sent_status.wfl");
  const base = `http://127.0.0.1:${port}`;
  const first = await fetch(`${base}/file`);
  assert.equal(first.status, 200);
  await first.text();
  assert.equal((await fetch(`${base}/missing`)).status, 404);
  assert.equal((await fetch(`${base}/cached`, { headers: { "if-none-match": first.headers.get("etag") } })).status, 304);
  const part = await fetch(`${base}/last`, { headers: { range: "bytes=3-" } });
  assert.equal(part.status, 206);
  await part.text();
  assert.equal(await exited, 0, io.err);
  assert.deepEqual(io.out.split("\n").slice(1, 9), ["before: nothing", "/file: 200", "before: nothing", "/missing: 404", "before: nothing", "/cached: 304", "before: nothing", "/last: 206"]);
});

test("a file answer still being sent when the program ends is sent whole, then the program exits", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wfl-file-end-"));
  const big = crypto.randomBytes(8 * 1024 * 1024);
  fs.writeFileSync(path.join(dir, "big.bin"), big);
  fs.writeFileSync(path.join(dir, "main.wfl"), `listen on port 0 as srv
display srv
wait for request comes in on srv as req
respond to req with file at "${path.join(dir, "big.bin")}"
display "answered"
`);
  const { port, io, exited } = await startServer(path.join(dir, "main.wfl"));
  const res = await fetch(`http://127.0.0.1:${port}/big.bin`);
  assert.equal(res.status, 200);
  const body = Buffer.from(await res.arrayBuffer());
  assert.equal(body.length, big.length);
  assert.ok(body.equals(big), "the whole file, unchanged");
  assert.equal(await exited, 0, io.err);
  assert.match(io.out, /answered\n$/);
});
