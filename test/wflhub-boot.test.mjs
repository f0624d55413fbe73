// WFLHub starts on its embedded defaults (SQLite in its data folder), runs its migrations once,
// and serves its health, metrics and 404 answers; a restart applies no migration twice.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startHub } from "./support/wflhub.mjs";
import { killServers } from "./support/server.mjs";

after(() => killServers());

test("WFLHub boots on SQLite, migrates once, answers /healthz and /metrics, and stops cleanly on SIGTERM", async () => {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "wflhub-boot-"));
  try {
    const first = await startHub({ dataDir: data });
    assert.match(first.io.out, /\(sqlite, \d+ migrations applied\)/);
    assert.ok(fs.existsSync(path.join(data, "wflhub.db")));
    const health = await fetch(first.base + "/healthz");
    assert.equal(health.status, 200);
    assert.match(await (await fetch(first.base + "/metrics")).text(), /http_requests_total/);
    const missing = await fetch(first.base + "/no-such-page");
    assert.equal(missing.status, 404);
    assert.ok(missing.headers.get("x-request-id"));
    assert.equal(await first.stop(), 0);
    const second = await startHub({ dataDir: data });
    assert.match(second.io.out, /\(sqlite, 0 migrations applied\)/);
    assert.equal(await second.stop(), 0);
  } finally {
    fs.rmSync(data, { recursive: true, force: true });
  }
});

test("WFLHub behind a TLS proxy: with an https base URL the session cookie is Secure; X-Forwarded-For from the local proxy names the client in the access log", async () => {
  const hub = await startHub({ env: { WFLHUB_BASE_URL: "https://hub.example.org" } });
  try {
    const page = await fetch(hub.base + "/login", { headers: { "x-forwarded-for": "203.0.113.77" } });
    assert.equal(page.status, 200);
    const cookie = page.headers.get("set-cookie") ?? "";
    assert.match(cookie, /wfl_session=[^;]+;.*HttpOnly/);
    assert.match(cookie, /; Secure/);
    await new Promise((r) => setTimeout(r, 100));
    assert.match(hub.io.err, /"path":"\/login"[^\n]*"client_ip":"203\.0\.113\.77"/);
  } finally {
    await hub.stop();
  }
});
