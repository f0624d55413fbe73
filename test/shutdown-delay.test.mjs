// `web_server_shutdown_delay_seconds`: on SIGTERM a server first keeps serving for that long while
// its readiness check (/readyz) answers 503 — so a load balancer that health-checks takes it out of
// rotation before it stops accepting connections — then drains as before and exits 0. Without the
// setting (the default 0), a signal drains at once, as before. A second signal during the delay
// ends the run at once.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startServer, killServers } from "./support/server.mjs";

after(() => killServers());

const PROGRAM = `listen on port 0 as web
display web
main loop concurrently:
    wait for request comes in on web as req
    respond to req with "hello" and content_type "text/plain"
end loop
`;

function app(delay) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wfl-shutdown-delay-"));
  fs.writeFileSync(path.join(dir, "server.wfl"), PROGRAM);
  fs.writeFileSync(path.join(dir, ".wflcfg"), `web_server_health_checks = true\n${delay === null ? "" : `web_server_shutdown_delay_seconds = ${delay}\n`}`);
  return dir;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test("with web_server_shutdown_delay_seconds, a SIGTERM first turns /readyz to 503 while requests (on new connections too) are still served, then the server drains and exits 0", async () => {
  const dir = app(1);
  try {
    const s = await startServer(path.join(dir, "server.wfl"), { cwd: dir });
    assert.equal((await fetch(s.base + "/readyz")).status, 200);
    const t0 = Date.now();
    s.child.kill("SIGTERM");
    await sleep(200);
    const ready = await fetch(s.base + "/readyz", { headers: { connection: "close" } });
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { status: "draining" });
    assert.ok(Number(ready.headers.get("retry-after")) >= 1);
    const served = await fetch(s.base + "/hello", { headers: { connection: "close" } });
    assert.equal(served.status, 200);
    assert.equal(await served.text(), "hello");
    assert.equal((await fetch(s.base + "/healthz", { headers: { connection: "close" } })).status, 200, "still alive");
    assert.equal(await s.exited, 0);
    assert.ok(Date.now() - t0 >= 900, `it served on for the delay (${Date.now() - t0} ms)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a second signal during the shutdown delay ends the run at once, with exit code 0", async () => {
  const dir = app(30);
  try {
    const s = await startServer(path.join(dir, "server.wfl"), { cwd: dir });
    s.child.kill("SIGTERM");
    await sleep(200);
    assert.equal((await fetch(s.base + "/readyz", { headers: { connection: "close" } })).status, 503);
    const t0 = Date.now();
    s.child.kill("SIGTERM");
    assert.equal(await s.exited, 0);
    assert.ok(Date.now() - t0 < 5000);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("without the setting a SIGTERM drains at once: new connections are refused and the run ends with 0", async () => {
  const dir = app(null);
  try {
    const s = await startServer(path.join(dir, "server.wfl"), { cwd: dir });
    const t0 = Date.now();
    s.child.kill("SIGTERM");
    assert.equal(await s.exited, 0);
    assert.ok(Date.now() - t0 < 3000);
    await assert.rejects(fetch(s.base + "/readyz"));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
