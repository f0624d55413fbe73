// A real WFL server on loopback, answered by a real HTTP client.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Start a WFL server program; resolves with the child, its port, and readers for its output. */
async function startServer(program) {
  const child = spawn("bin/wfl", [program], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  const io = { out: "", err: "" };
  child.stderr.on("data", (d) => (io.err += d));
  const port = await new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      io.out += d;
      const m = /WebServer::127\.0\.0\.1:(\d+)/.exec(io.out);
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", () => reject(new Error(`server exited early: ${io.err}`)));
  });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  return { port, io, exited };
}

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
  const boom = await fetch(`http://127.0.0.1:${port}/boom`);
  assert.equal(boom.status, 500);
  await boom.text();
  const after = await fetch(`http://127.0.0.1:${port}/b`);
  assert.equal(after.status, 200);
  assert.equal(await after.text(), "ok 3");
  assert.equal(await exited, 0, io.err);
  assert.match(io.err, /Division by zero/);
  assert.match(io.err, /failing_handler\.wfl:10:/);
  assert.doesNotMatch(io.err, /\n\s+at /);
  assert.match(io.out, /done after 3\n$/);
});
