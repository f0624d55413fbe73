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
