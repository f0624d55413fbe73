// Structured route registration (seed 003, section 3.10), through real HTTP against real WFL server
// processes. One test per acceptance criterion of the section (named after it), plus the issue's
// additions: HEAD for GET routes, a failing handler answers 500 and the server goes on, concurrent
// handlers run concurrently with their own variables, and the seed's own example.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, portIsFree, startServer, killServers } from "./support/server.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const appFile = path.join(root, "test/fixtures/routes/app.wfl");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wfl-routes-"));

after(() => {
  killServers();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Start a WFL program; resolves once its output matches `pattern` (by default its `WebServer::127.0.0.1:PORT`). */
const start = (program, pattern) => startServer(program, { pattern });

async function get(url, init) {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.text(), headers: res.headers };
}

let shared = null;
/** One server for the tests that only read (started on first use). */
async function app() {
  shared ??= await start(appFile);
  return shared;
}

test("`register route \"GET\" at \"/path\" on server as handler` registers a route", async () => {
  const s = await app();
  const r = await get(`${s.base}/items`);
  assert.deepEqual([r.status, r.body], [200, "all items"]);
  assert.equal(r.headers.get("content-type"), "text/plain");
});

test("Routes with path parameters (`:name`) extract values accessible via `route parameter \"name\" of request`", async () => {
  const s = await app();
  assert.equal((await get(`${s.base}/items/42`)).body, "item 42");
  assert.equal((await get(`${s.base}/items/a%20b`)).body, "item a b", "percent-decoded");
  assert.equal((await get(`${s.base}/files/docs/guide/intro.md`)).body, "file docs/guide/intro.md", "a final *rest takes the rest");
});

test("Query parameters accessible via `parameter \"q\" of request`", async () => {
  const s = await app();
  assert.equal((await get(`${s.base}/search?q=web%20kit&page=2`)).body, "results for web kit");
  assert.equal((await get(`${s.base}/search`)).body, "no query", "an absent parameter is nothing");
  // Form fields too (urlencoded and multipart bodies).
  assert.deepEqual(await get(`${s.base}/items`, { method: "POST", body: new URLSearchParams({ name: "lamp" }) }).then((r) => [r.status, r.body]), [201, "created lamp"]);
  const form = new FormData();
  form.set("name", "desk");
  assert.equal((await get(`${s.base}/items`, { method: "POST", body: form })).body, "created desk");
});

test("`start server` dispatches requests to correct handlers", async () => {
  const s = await app();
  const cases = [["GET", "/items", "all items"], ["GET", "/items/7", "item 7"], ["GET", "/items/new", "new item form"],
    ["DELETE", "/items/7", "deleted 7"], ["GET", "/files/readme", "the readme"], ["GET", "/files/other", "file other"]];
  for (const [method, p, body] of cases) assert.equal((await get(`${s.base}${p}`, { method })).body, body, `${method} ${p}`);
});

test("Method mismatch returns 405 Method Not Allowed", async () => {
  const s = await app();
  const r = await get(`${s.base}/items`, { method: "PUT" });
  assert.equal(r.status, 405);
  assert.equal(r.headers.get("allow"), "GET, HEAD, POST");
  const r2 = await get(`${s.base}/items/9`, { method: "POST" });
  assert.equal(r2.status, 405);
  assert.equal(r2.headers.get("allow"), "DELETE, GET, HEAD");
});

test("Path mismatch returns 404 Not Found", async () => {
  const s = await app();
  for (const p of ["/nope", "/items/1/2", "/itemsx", "/filesx/a"]) assert.equal((await get(`${s.base}${p}`)).status, 404, p);
});

test("Multiple routes can be registered for the same path with different methods", async () => {
  const s = await app();
  assert.equal((await get(`${s.base}/items`)).body, "all items");
  assert.equal((await get(`${s.base}/items`, { method: "POST", body: new URLSearchParams({ name: "x" }) })).body, "created x");
  assert.equal((await get(`${s.base}/items/3`)).body, "item 3");
  assert.equal((await get(`${s.base}/items/3`, { method: "DELETE" })).body, "deleted 3");
});

test("Route registration order doesn't affect matching (most specific wins)", async () => {
  const src = fs.readFileSync(appFile, "utf8");
  const lines = src.split("\n");
  const first = lines.findIndex((l) => l.startsWith("register route"));
  const last = lines.indexOf("// end of routes");
  const reversed = [...lines.slice(0, first), ...lines.slice(first, last).reverse(), ...lines.slice(last)].join("\n");
  assert.notEqual(reversed, src);
  const file = path.join(dir, "reversed.wfl");
  fs.writeFileSync(file, reversed);
  const a = await app();
  const b = await start(file);
  for (const p of ["/items/new", "/items/12", "/files/readme", "/files/x/y", "/items"]) {
    const [ra, rb] = [await get(`${a.base}${p}`), await get(`${b.base}${p}`)];
    assert.equal(rb.body, ra.body, p);
  }
  assert.equal((await get(`${b.base}/items/new`)).body, "new item form", "a literal segment beats :id");
  assert.equal((await get(`${b.base}/files/readme`)).body, "the readme", "a literal segment beats *rest");
  b.child.kill();
});

test("Existing `wait for request` pattern continues to work (backward compatibility)", async () => {
  // The upstream corpus's route-parameter server (a `wait for request` loop), on a free port.
  const source = fs.readFileSync(path.join(root, "../shared/wfl-upstream/TestPrograms/web_route_params_test.wfl"), "utf8");
  const port = await freePort();
  const file = path.join(dir, "web_route_params_test.wfl");
  fs.writeFileSync(file, source.replaceAll("8096", String(port)));
  const s = await start(file, /Server listening on port (\d+)/);
  assert.equal((await get(`${s.base}/`)).body, "Route server ready - request 1");
  assert.equal((await get(`${s.base}/users/17`)).body, "User 17");
  assert.equal((await get(`${s.base}/agent`, { headers: { "user-agent": "routes-test" } })).body, "Agent: routes-test");
  assert.equal((await get(`${s.base}/elsewhere`)).status, 404);
  s.child.kill();
});

test("HEAD is answered for GET routes, without a body", async () => {
  const s = await app();
  const r = await get(`${s.base}/items/5`, { method: "HEAD" });
  assert.equal(r.status, 200);
  assert.equal(r.body, "");
  assert.equal(r.headers.get("content-length"), String("item 5".length));
});

test("a handler that fails answers 500 and the server keeps serving", async () => {
  const s = await app();
  const r = await get(`${s.base}/fail`);
  assert.equal(r.status, 500);
  assert.equal((await get(`${s.base}/items/1`)).body, "item 1");
  await new Promise((res) => setTimeout(res, 50));
  const id = r.headers.get("x-request-id");
  assert.ok(s.io.err.includes(`Division by zero (the request GET /fail was answered with 500, request id ${id}; the server goes on)`), s.io.err);
});

test("handlers of concurrent requests run concurrently, each with its own variables", async () => {
  const s = await app();
  const t0 = performance.now();
  const bodies = await Promise.all([1, 2, 3, 4].map((n) => get(`${s.base}/slow/${n}`).then((r) => r.body)));
  const ms = performance.now() - t0;
  assert.deepEqual(bodies, ["slow 1", "slow 2", "slow 3", "slow 4"], "each handler kept its own `n` across its wait");
  assert.ok(ms < 1000, `four 300 ms handlers took ${Math.round(ms)} ms together (serially: 1200 ms)`);
});

test("the seed's own example of section 3.10 runs", async () => {
  const program = path.join(root, "test/fixtures/routes/seed_example.wfl");
  let file = program;
  let port = 8080;
  if (!(await portIsFree(8080))) {
    port = await freePort();
    file = path.join(dir, "seed_example.wfl");
    fs.writeFileSync(file, fs.readFileSync(program, "utf8").replace("listen on port 8080", `listen on port ${port}`));
  }
  const s = await start(file, /(ready)/);
  const base = `http://127.0.0.1:${port}`;
  await waitListening(port);
  const search = await get(`${base}/api/v1/search?q=json`);
  assert.equal(search.body, '{"query": "json"}');
  assert.equal(search.headers.get("content-type"), "application/json");
  assert.equal((await get(`${base}/api/v1/packages/web-kit`)).body, '{"name": "web-kit"}');
  assert.equal((await get(`${base}/api/v1/packages`, { method: "POST" })).status, 201);
  assert.equal((await get(`${base}/api/v1/packages/web-kit/1.2.0`, { method: "DELETE" })).body, "web-kit@1.2.0");
  assert.equal((await get(`${base}/api/v1/packages/web-kit/1.2.0/download`)).body, "web-kit-1.2.0.tar.gz");
  assert.equal((await get(`${base}/api/v1/packages/web-kit/1.2.0`)).status, 405);
  s.child.kill();
});

test("`start server` returns when a handler stops the server, and the program goes on", async () => {
  const file = path.join(dir, "stop.wfl");
  fs.writeFileSync(file, [
    "listen on port 0 as server",
    'register route "GET" at "/stop" on server as stopper',
    "define action called stopper with parameters request:",
    '    respond to request with "stopping"',
    "    stop accepting connections on server",
    "end action",
    "display server",
    "start server",
    'display "start server returned"',
  ].join("\n") + "\n");
  const s = await start(file);
  assert.equal((await get(`${s.base}/stop`)).body, "stopping");
  assert.equal(await s.exited, 0);
  assert.match(s.io.out, /start server returned\n$/);
});

async function waitListening(port) {
  for (let i = 0; i < 50; i++) {
    if (!(await portIsFree(port))) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("`register fallback route on server as handler` answers what no route's path matches; 405 stays 405", async () => {
  const file = path.join(dir, "fallback.wfl");
  fs.writeFileSync(file, [
    "listen on port 0 as server",
    'register route "GET" at "/items/:id" on server as item',
    'register route "POST" at "/items" on server as add_item',
    "register fallback route on server as not_found",
    "define action called item with parameters request:",
    '    respond to request with "item " with route parameter "id" of request',
    "end action",
    "define action called add_item with parameters request:",
    '    respond to request with "added" and status 201',
    "end action",
    "define action called not_found with parameters request:",
    '    respond to request with "no page at " with path of request with " (" with method of request with ")" and status 404 and content_type "text/html"',
    "end action",
    "display server",
    "start server",
    "",
  ].join("\n"));
  const s = await start(file);
  assert.equal((await get(`${s.base}/items/7`)).body, "item 7");
  const missing = await get(`${s.base}/nowhere/at/all?x=1`);
  assert.deepEqual([missing.status, missing.body, missing.headers.get("content-type")], [404, "no page at /nowhere/at/all (GET)", "text/html"]);
  assert.equal((await get(`${s.base}/other`, { method: "POST" })).body, "no page at /other (POST)");
  const wrongMethod = await get(`${s.base}/items`, { method: "GET" });
  assert.equal(wrongMethod.status, 405, "a known path with another method is still 405");
  assert.equal(wrongMethod.headers.get("allow"), "POST");
  s.child.kill();

  const twice = path.join(dir, "fallback-twice.wfl");
  fs.writeFileSync(twice, "listen on port 0 as server\ndefine action called h with parameters request:\n    respond to request with \"x\"\nend action\nregister fallback route on server as h\nregister fallback route on server as h\n");
  const run = spawn(path.join(root, "bin/wfl"), [twice], { cwd: root });
  let err = "";
  run.stderr.on("data", (d) => (err += d));
  run.stdout.on("data", (d) => (err += d));
  await new Promise((r) => run.on("exit", r));
  assert.match(err, /A fallback route is already registered on this server/);
});
