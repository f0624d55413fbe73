// WFLHub under load (issue 12, item 7's load test; PRD 4.4.3): search and download at a sustained
// rate below their limits answer every request with 200; then, from the same IP, above the limit:
// 429s with Retry-After appear, the limit holds exactly (the 200s in the window equal the limit),
// and nothing answers 5xx. The PRD's limits are kept (search 60/min/IP, download 300/min/IP).
// Timings are printed, never asserted.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { startHub } from "./support/wflhub.mjs";
import { killServers } from "./support/server.mjs";
import { startMailServer } from "./support/smtp.mjs";
import { request, requestJson, makeWflpkg, wflhash, manifest, multipart, percentile } from "./support/hub-ops.mjs";

after(() => killServers());

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `count` requests to `path()` spread evenly over `ms`: [{status, ms, retryAfter}]. */
async function sustained(base, path, count, ms) {
  const gap = ms / count;
  const start = performance.now();
  const pending = [];
  for (let i = 0; i < count; i++) {
    const due = start + i * gap;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const t = performance.now();
    pending.push(request(base, path(i)).then((r) => ({ status: r.status, ms: performance.now() - t, retryAfter: r.headers["retry-after"] }),
      (e) => ({ status: 0, ms: performance.now() - t, error: e.message })));
  }
  return Promise.all(pending);
}

/** `count` requests in bursts of `width` at once. */
async function burst(base, path, count, width) {
  const out = [];
  for (let i = 0; i < count; i += width) {
    const n = Math.min(width, count - i);
    out.push(...await Promise.all(Array.from({ length: n }, (_, j) => request(base, path(i + j)).then(
      (r) => ({ status: r.status, retryAfter: r.headers["retry-after"], body: r.text }),
      (e) => ({ status: 0, error: e.message })))));
  }
  return out;
}

function summary(label, results) {
  const by = {};
  for (const r of results) by[r.status] = (by[r.status] ?? 0) + 1;
  const ms = results.filter((r) => r.ms !== undefined).map((r) => r.ms);
  return `${label}: ${results.length} requests, statuses ${JSON.stringify(by)}` +
    (ms.length ? `, latency p50 ${percentile(ms, 50).toFixed(1)} ms, p95 ${percentile(ms, 95).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms` : "");
}

test("search and download at a sustained rate under their limits all succeed; above the limit 429s with Retry-After appear, the limit holds exactly and nothing answers 5xx", async (t) => {
  const mail = await startMailServer();
  const hub = await startHub({ mail });
  try {
    const probe = await request(hub.base, "/api/v1/search?q=probe");
    const reg = await requestJson(hub.base, "/api/v1/register", {});
    if (probe.status === 404 || reg.status === 404) return t.skip("the registry and accounts APIs have not landed yet");
    // An author and a package to download, through the API.
    const username = "load-" + crypto.randomBytes(3).toString("hex");
    const email = `${username}@example.test`;
    const password = "load test password";
    assert.ok((await requestJson(hub.base, "/api/v1/register", { username, email, password })).status < 300);
    const message = await mail.next((m) => m.to.includes(email));
    const token = /verify-email\?token=([A-Za-z0-9_\-%.]+)/.exec(message.text)[1];
    const v = await requestJson(hub.base, "/api/v1/verify-email", { token: decodeURIComponent(token) });
    assert.ok(v.status < 400, v.text);
    const login = await requestJson(hub.base, "/api/v1/login", { username, password });
    assert.equal(login.status, 200, login.text);
    const name = "load-pkg";
    const archive = makeWflpkg({ "project.wfl": manifest({ name, version: "26.2.1", description: "Package for the load test", keywords: ["load"] }), "README.md": "# load-pkg\n" });
    const form = multipart({ name, version: "26.2.1", checksum: wflhash(archive), archive: { filename: "load-pkg.wflpkg", content: archive } });
    const pub = await request(hub.base, "/api/v1/packages", { method: "POST", body: form.body, headers: { "content-type": form.contentType, authorization: "Bearer " + login.json().token } });
    assert.ok(pub.status === 201 || pub.status === 200, pub.text);

    const queries = ["load", "pkg", "test", "json", "http", "load-pkg", "package", "x"];
    const searchPath = (i) => `/api/v1/search?q=${encodeURIComponent(queries[i % queries.length])}&page=${(i % 3) + 1}`;
    const downloadPath = () => `/api/v1/packages/${name}/26.2.1/download`;

    // Sustained, under the limits: 40 searches (limit 60) and 200 downloads (limit 300) in 3 s.
    const [searches, downloads] = await Promise.all([
      sustained(hub.base, searchPath, 40, 3000),
      sustained(hub.base, downloadPath, 200, 3000),
    ]);
    t.diagnostic(summary("sustained search (13/s)", searches));
    t.diagnostic(summary("sustained download (67/s)", downloads));
    assert.deepEqual(searches.filter((r) => r.status !== 200), [], "every search under the limit answers 200");
    assert.deepEqual(downloads.filter((r) => r.status !== 200), [], "every download under the limit answers 200");

    // Above the limit, from the same IP, 10 at a time: exactly the rest of the window passes.
    const moreSearches = await burst(hub.base, searchPath, 50, 10);
    const moreDownloads = await burst(hub.base, downloadPath, 150, 10);
    t.diagnostic(summary("search burst over the limit", moreSearches));
    t.diagnostic(summary("download burst over the limit", moreDownloads));
    // The first search (the probe above) counted in the same window.
    const probed = [{ status: probe.status }];
    for (const [label, before, more, limit] of [["search", [...probed, ...searches], moreSearches, 60], ["download", downloads, moreDownloads, 300]]) {
      const all = [...before, ...more];
      assert.deepEqual(all.filter((r) => r.status === 0 || r.status >= 500), [], `no ${label} failed or answered 5xx`);
      assert.equal(all.filter((r) => r.status === 200).length, limit, `the ${label} limit holds exactly: ${limit} answered 200 in the window`);
      const refused = more.filter((r) => r.status === 429);
      assert.equal(refused.length, all.length - limit);
      for (const r of refused) {
        assert.ok(Number(r.retryAfter) >= 1, `a ${label} 429 carries Retry-After`);
        assert.equal(JSON.parse(r.body).error.code, "rate_limited");
      }
    }
    // The count of downloads is exact too (each 200 counted once).
    const info = await request(hub.base, "/api/v1/packages/" + name);
    assert.equal(info.json().downloads, 300);
  } finally {
    await hub.stop();
    await mail.close();
  }
});
