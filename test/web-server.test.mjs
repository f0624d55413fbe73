// A real WFL server on loopback, answered by a real HTTP client.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

test("listen / wait for request / respond serve real HTTP requests", async () => {
  const child = spawn("bin/wfl", ["test/fixtures/hello_server.wfl"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const port = await new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      out += d;
      const m = /WebServer::127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", () => reject(new Error(`server exited early: ${err}`)));
  });
  const ok = await fetch(`http://127.0.0.1:${port}/greet`);
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get("content-type"), "text/plain");
  assert.equal(await ok.text(), "Hello from /greet");
  const missing = await fetch(`http://127.0.0.1:${port}/missing`);
  assert.equal(missing.status, 404);
  assert.equal(await missing.text(), "not here");
  const code = await new Promise((resolve) => child.on("exit", resolve));
  assert.equal(code, 0, err);
  assert.match(out, /served\n$/);
});

test("a failing request handler answers 500 and the server keeps serving", async () => {
  const child = spawn("bin/wfl", ["test/fixtures/failing_handler.wfl"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const port = await new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      out += d;
      const m = /WebServer::127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", () => reject(new Error(`server exited early: ${err}`)));
  });
  const first = await fetch(`http://127.0.0.1:${port}/a`);
  assert.equal(await first.text(), "ok 1");
  const boom = await fetch(`http://127.0.0.1:${port}/boom`);
  assert.equal(boom.status, 500);
  await boom.text();
  const after = await fetch(`http://127.0.0.1:${port}/b`);
  assert.equal(after.status, 200);
  assert.equal(await after.text(), "ok 3");
  const code = await new Promise((resolve) => child.on("exit", resolve));
  assert.equal(code, 0, err);
  assert.match(err, /Division by zero/);
  assert.match(err, /failing_handler\.wfl:10:/);
  assert.doesNotMatch(err, /\n\s+at /);
  assert.match(out, /done after 3\n$/);
});
