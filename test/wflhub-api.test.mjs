// WFLHub's registry API end to end (PRD 2, 4.1, 4.4): the real app (apps/wflhub/main.wfl under
// bin/wfl) over real HTTP, on SQLite and on a real PostgreSQL 15 (scripts/pg-test-server.mjs).
// Archives are real tar.gz files (test/support/wflpkg.mjs). Users of the main suite are made
// through the accounts API (register, the verification link from a real SMTP server, login,
// scoped tokens); the admin flag, which no API sets, and the users of the limit and load suites
// are rows written into the hub's own database, with tokens signed as lib/auth.wfl signs them.
// Set WFL_SKIP_POSTGRES=1 to skip the PostgreSQL half where PostgreSQL is missing.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as net from "node:net";
import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import { startHub, TEST_SECRET, root, postgresForTests, openHubDb, makeUser, makeToken } from "./support/wflhub.mjs";
import { killServers } from "./support/server.mjs";
import { startMailServer } from "./support/smtp.mjs";
import { wflpkg, manifest, wflhash, publish } from "./support/wflpkg.mjs";

const skipPg = process.env.WFL_SKIP_POSTGRES === "1"; // (postgresForTests skips the same way)
const RAISED = {
  WFLHUB_LIMIT_SEARCH_PER_MINUTE: "100000",
  WFLHUB_LIMIT_DOWNLOAD_PER_MINUTE: "100000",
  WFLHUB_LIMIT_PUBLISH_PER_HOUR: "100000",
  WFLHUB_LIMIT_LOGIN_PER_MINUTE: "100000",
};
let databases = 0;
after(() => killServers()); // registered first: the hubs stop before their PostgreSQL does
const pgTest = postgresForTests();

/** A fresh PostgreSQL database on the test server; its URL. */
const freshPgDatabase = () => pgTest.freshDatabase(`wflhub_api_${process.pid}_${++databases}`);

/** A user made as a person makes one: register, the e-mail's link (unless verify is false), login. */
async function apiUser(hub, mail, username, { verify = true } = {}) {
  const email = `${username}@example.test`;
  const password = `correct horse battery ${username}`;
  const post = (p, body) => getJson(hub.base + p, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const registered = await post("/api/v1/register", { username, email, password });
  assert.equal(registered.status, 201, JSON.stringify(registered.body));
  if (verify) {
    const message = await mail.next((m) => m.to.includes(email));
    const link = /\/verify-email\?token=([0-9a-f]+)/.exec(message.text);
    assert.ok(link, message.text);
    assert.equal((await post("/api/v1/verify-email", { token: link[1] })).status, 200);
  }
  const login = await post("/api/v1/login", { username, password });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  const me = await getJson(hub.base + "/api/v1/me", { headers: { authorization: `Bearer ${login.body.token}` } });
  assert.equal(me.status, 200, JSON.stringify(me.body));
  return { id: me.body.id, username, token: login.body.token };
}
/** A new token of a scope for a user, from POST /api/v1/tokens. */
async function apiToken(hub, user, scope) {
  const res = await getJson(hub.base + "/api/v1/tokens", { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` }, body: JSON.stringify({ name: `${scope} token`, scope }) });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.token;
}

const getJson = async (url, init) => {
  const res = await fetch(url, init);
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, headers: res.headers, body };
};
const assertError = (res, status, code, re) => {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(typeof res.body, "object", `a JSON error body: ${res.body}`);
  assert.equal(res.body.error.code, code, JSON.stringify(res.body));
  assert.equal(typeof res.body.error.message, "string");
  if (re) assert.match(res.body.error.message, re);
};
const pkg = (name, version, opts = {}, extra = {}) => wflpkg({ "project.wfl": manifest({ name, version, ...opts }), "src/main.wfl": `display "${name}"\n`, ...extra });

// The two engines side by side (each suite's tests in order).
describe("WFLHub registry API", { concurrency: 2 }, () => {
  for (const engine of ["sqlite", "postgresql"]) {
    describe(`WFLHub registry API on ${engine}`, { concurrency: 1, skip: engine === "postgresql" && skipPg ? "WFL_SKIP_POSTGRES=1" : false }, () => {
      let hub, db, url, mail;
      const u = {};
      const t = {};

      before(async () => {
        url = engine === "postgresql" ? await freshPgDatabase() : undefined;
        mail = await startMailServer();
        hub = await startHub({ mail, databaseUrl: url, env: RAISED });
        db = await openHubDb(engine, hub, url);
        [u.alice, u.bob, u.carol, u.root] = await Promise.all([apiUser(hub, mail, "alice"), apiUser(hub, mail, "bob"), apiUser(hub, mail, "carol", { verify: false }), apiUser(hub, mail, "root")]);
        await db.run("UPDATE users SET is_admin = 1 WHERE id = $1", [u.root.id]);
        [t.alice, t.aliceRead, t.bob] = await Promise.all([apiToken(hub, u.alice, "publish"), apiToken(hub, u.alice, "read-only"), apiToken(hub, u.bob, "publish")]);
        t.aliceFull = u.alice.token;
        t.carol = u.carol.token;
        t.root = u.root.token;
      });
      after(async () => {
        await db?.close();
        await hub?.stop();
        await mail?.close();
      });

      test("publish stores the archive as sent, answers 201 {name, version, checksum} and the package appears", async () => {
        const archive = pkg("http-client", "26.1.3", { description: "A simple HTTP client for WFL", keywords: ["http", "network"], permissions: ["network-access"], repository: "https://github.com/alice/http-client" }, { "README.md": "# HTTP client\n\nFetch **pages**.\n\n<script>alert(1)</script>\n" });
        const res = await publish(hub.base, t.alice, { name: "http-client", version: "26.1.3", archive });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        assert.deepEqual(res.body, { name: "http-client", version: "26.1.3", checksum: wflhash(archive) });
        const stored = fs.readFileSync(path.join(hub.dataDir, "archives/http-client/26.1.3.wflpkg"));
        assert.ok(stored.equals(archive), "the archive is stored byte for byte");
        const second = pkg("http-client", "26.2.1", { description: "A simple HTTP client for WFL", keywords: ["http", "network"], permissions: ["network-access"], repository: "https://github.com/alice/http-client", dependencies: [{ name: "json-parser", version: "25.12 or newer" }] }, { "README.md": "# HTTP client\n\nFetch **pages**.\n\n<script>alert(1)</script>\n" });
        assert.equal((await publish(hub.base, t.alice, { name: "http-client", version: "26.2.1", archive: second })).status, 201);
        const older = pkg("http-client", "25.12.8", { description: "old description" });
        assert.equal((await publish(hub.base, t.alice, { name: "http-client", version: "25.12.8", archive: older })).status, 201);
        const audit = await db.all("SELECT action, subject FROM audit_log WHERE action = 'publish' ORDER BY at");
        assert.deepEqual(audit.map((r) => r.subject).sort(), ["http-client@25.12.8", "http-client@26.1.3", "http-client@26.2.1"]);
      });

      test("package info answers the PRD 4.1.2 object: latest non-yanked version, versions newest first, author, permissions", async () => {
        const res = await getJson(hub.base + "/api/v1/packages/http-client");
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type"), /application\/json/);
        const p = res.body;
        for (const key of ["name", "description", "latest_version", "versions", "author", "license", "downloads", "repository", "permissions", "created_at", "updated_at"]) assert.ok(key in p, `has ${key}`);
        assert.equal(p.name, "http-client");
        assert.equal(p.latest_version, "26.2.1");
        assert.deepEqual(p.versions, ["26.2.1", "26.1.3", "25.12.8"]);
        assert.equal(p.author, "alice");
        assert.equal(p.license, "MIT");
        assert.equal(p.description, "A simple HTTP client for WFL", "an older version published later does not take over the description");
        assert.equal(p.repository, "https://github.com/alice/http-client");
        assert.deepEqual(p.permissions, ["network-access"]);
        assert.deepEqual(p.keywords, ["http", "network"]);
        assert.equal(p.dependencies.length, 1);
        assert.equal(p.dependencies[0].name, "json-parser");
        assert.equal(typeof p.downloads, "number");
        assert.ok(p.install_size > 0);
        assert.match(p.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        assert.match(p.updated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      });

      test("version list answers [{version, checksum, published_at, yanked}] newest first (PRD 4.1.5)", async () => {
        const res = await getJson(hub.base + "/api/v1/packages/http-client/versions");
        assert.equal(res.status, 200);
        assert.deepEqual(res.body.map((v) => v.version), ["26.2.1", "26.1.3", "25.12.8"]);
        for (const v of res.body) {
          assert.match(v.checksum, /^wflhash:[0-9a-f]{64}$/);
          assert.equal(v.yanked, false);
          assert.match(v.published_at, /^\d{4}-\d\d-\d\dT/);
        }
        assert.equal(res.body[1].checksum, wflhash(fs.readFileSync(path.join(hub.dataDir, "archives/http-client/26.1.3.wflpkg"))));
      });

      test("unknown packages and versions are 404 not_found", async () => {
        assertError(await getJson(hub.base + "/api/v1/packages/no-such-thing"), 404, "not_found");
        assertError(await getJson(hub.base + "/api/v1/packages/no-such-thing/versions"), 404, "not_found");
        assertError(await getJson(hub.base + "/api/v1/packages/http-client/9.9.9/download"), 404, "not_found");
        assertError(await getJson(hub.base + "/api/v1/packages/no-such-thing/26.1.1/download"), 404, "not_found");
        assertError(await getJson(hub.base + "/api/v1/packages/http-client/9.9.9", { method: "DELETE", headers: { authorization: `Bearer ${t.alice}` } }), 404, "not_found");
      });

      test("download sends the stored bytes with Content-Type, Content-Digest and Content-Disposition, and counts (a HEAD, a 304 or a range from the middle does not)", async () => {
        const before = (await getJson(hub.base + "/api/v1/packages/http-client")).body.downloads;
        const res = await fetch(hub.base + "/api/v1/packages/http-client/26.1.3/download");
        assert.equal(res.status, 200);
        const bytes = Buffer.from(await res.arrayBuffer());
        const stored = fs.readFileSync(path.join(hub.dataDir, "archives/http-client/26.1.3.wflpkg"));
        assert.ok(bytes.equals(stored), "bytes identical to the published archive");
        assert.equal(res.headers.get("content-type"), "application/gzip");
        assert.equal(res.headers.get("content-digest"), `sha-256=:${createHash("sha256").update(bytes).digest("base64")}:`);
        assert.equal(res.headers.get("content-disposition"), 'attachment; filename="http-client-26.1.3.wflpkg"');
        assert.ok(res.headers.get("ratelimit-limit"));
        assert.equal(res.headers.get("content-encoding"), null, "the archive is sent as it is, gzip already, whatever Accept-Encoding says");
        await (await fetch(hub.base + "/api/v1/packages/http-client/26.1.3/download")).arrayBuffer();
        const head = await fetch(hub.base + "/api/v1/packages/http-client/26.1.3/download", { method: "HEAD" });
        assert.equal(head.status, 200);
        assert.equal(Number(head.headers.get("content-length")), stored.length);
        assert.ok(head.headers.get("content-digest"));
        // Not downloads either: a revalidation the client's copy passes (304), and a range from the
        // middle (a resumed download, counted when it began). A range from the start is one.
        const etag = res.headers.get("etag");
        assert.ok(etag);
        const cached = await fetch(hub.base + "/api/v1/packages/http-client/26.1.3/download", { headers: { "if-none-match": etag } });
        assert.equal(cached.status, 304);
        const rest = await fetch(hub.base + "/api/v1/packages/http-client/26.1.3/download", { headers: { range: "bytes=10-" } });
        assert.equal(rest.status, 206);
        assert.ok(Buffer.from(await rest.arrayBuffer()).equals(stored.subarray(10)));
        const start = await fetch(hub.base + "/api/v1/packages/http-client/26.1.3/download", { headers: { range: "bytes=0-9" } });
        assert.equal(start.status, 206);
        await start.arrayBuffer();
        const after = (await getJson(hub.base + "/api/v1/packages/http-client")).body.downloads;
        assert.equal(after, before + 3);
        const rows = await db.all("SELECT v.downloads FROM versions v JOIN packages p ON p.id = v.package_id WHERE p.name = 'http-client' AND v.version_string = '26.1.3'");
        assert.equal(Number(rows[0].downloads), 3);
        const days = await db.all("SELECT d.day, d.downloads FROM download_days d JOIN packages p ON p.id = d.package_id WHERE p.name = 'http-client'");
        assert.equal(days.length, 1);
        assert.equal(days[0].day, new Date().toISOString().slice(0, 10));
        assert.equal(Number(days[0].downloads), 3);
      });

      test("publish needs a token with the publish scope: none is 401, a read-only one 403", async () => {
        const archive = pkg("scoped-pkg", "26.1.1");
        assertError(await publish(hub.base, undefined, { name: "scoped-pkg", version: "26.1.1", archive }), 401, "unauthorized");
        assertError(await publish(hub.base, "not-a-token", { name: "scoped-pkg", version: "26.1.1", archive }), 401, "invalid_token");
        assertError(await publish(hub.base, t.aliceRead, { name: "scoped-pkg", version: "26.1.1", archive }), 403, "insufficient_scope");
        assert.equal((await publish(hub.base, t.aliceFull, { name: "scoped-pkg", version: "26.1.1", archive })).status, 201, "a full token may publish");
      });

      test("publish checks the form: a JSON body is 400 invalid_form, a missing field 400 missing_field", async () => {
        assertError(await getJson(hub.base + "/api/v1/packages", { method: "POST", headers: { authorization: `Bearer ${t.alice}`, "content-type": "application/json" }, body: "{}" }), 400, "invalid_form");
        const archive = pkg("form-pkg", "26.1.1");
        assertError(await publish(hub.base, t.alice, { name: "form-pkg", version: "26.1.1", checksum: wflhash(archive) }), 400, "missing_field", /archive/);
        assertError(await publish(hub.base, t.alice, { name: "form-pkg", archive }), 400, "missing_field", /version/);
        assertError(await publish(hub.base, t.alice, { version: "26.1.1", archive }), 400, "missing_field", /name/);
      });

      test("step 1: a name outside [a-z][a-z0-9-]{0,63} is 400 invalid_name", async () => {
        for (const name of ["Http-Client", "1abc", "-abc", "a_b", "a".repeat(65), "ab/../cd"]) {
          assertError(await publish(hub.base, t.alice, { name, version: "26.1.1", archive: pkg("valid-name", "26.1.1") }), 400, "invalid_name", undefined);
        }
        assert.equal((await publish(hub.base, t.alice, { name: "a" + "b".repeat(63), version: "26.1.1", archive: pkg("a" + "b".repeat(63), "26.1.1") })).status, 201, "64 characters are allowed");
      });

      test("step 2: a version that is not YY.MM.BUILD is 400 invalid_version", async () => {
        for (const version of ["1.2", "v26.1.1", "26.1", "26.1.1.1", "banana", "26.13.1", "26.0.1", "26.2.1-beta", "026.1.1"]) {
          assertError(await publish(hub.base, t.alice, { name: "version-pkg", version, archive: pkg("version-pkg", version) }), 400, "invalid_version");
        }
      });

      test("step 3: publishing an existing version again is 409 version_exists and the stored archive is unchanged", async () => {
        const original = fs.readFileSync(path.join(hub.dataDir, "archives/http-client/26.1.3.wflpkg"));
        const other = pkg("http-client", "26.1.3", { description: "replacement" });
        assertError(await publish(hub.base, t.alice, { name: "http-client", version: "26.1.3", archive: other }), 409, "version_exists");
        assert.ok(fs.readFileSync(path.join(hub.dataDir, "archives/http-client/26.1.3.wflpkg")).equals(original));
        assertError(await publish(hub.base, t.alice, { name: "http-client", version: "26.1.3", archive: other, checksum: "bogus" }), 409, "version_exists", undefined);
      });

      test("step 4: a checksum not of the form wflhash:<hex> is 400 invalid_checksum; a wrong one 400 checksum_mismatch", async () => {
        const archive = pkg("sum-pkg", "26.1.1");
        assertError(await publish(hub.base, t.alice, { name: "sum-pkg", version: "26.1.1", archive, checksum: "sha256:" + "0".repeat(64) }), 400, "invalid_checksum");
        assertError(await publish(hub.base, t.alice, { name: "sum-pkg", version: "26.1.1", archive, checksum: "wflhash:" + "Z".repeat(64) }), 400, "invalid_checksum");
        assertError(await publish(hub.base, t.alice, { name: "sum-pkg", version: "26.1.1", archive, checksum: wflhash(Buffer.from("something else")) }), 400, "checksum_mismatch", /wflhash:[0-9a-f]{64}/);
        assertError(await getJson(hub.base + "/api/v1/packages/sum-pkg"), 404, "not_found");
      });

      test("an archive over 50 MiB is refused with 413 before it is read", async () => {
        const status = await new Promise((resolve, reject) => {
          const s = net.connect(hub.port, "127.0.0.1", () => {
            s.write(`POST /api/v1/packages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.alice}\r\nContent-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: ${60 * 1024 * 1024}\r\n\r\n`);
          });
          let got = "";
          s.on("data", (d) => { got += d; const m = /^HTTP\/1\.1 (\d+)/.exec(got); if (m) { resolve(Number(m[1])); s.destroy(); } });
          s.on("error", reject);
        });
        assert.equal(status, 413);
      });

      test("step 5: a symlink, a hard link, a ../ entry or an absolute path is 400 unsafe_archive with the reason", async () => {
        const cases = [
          [{ "project.wfl": manifest({ name: "evil-pkg", version: "26.1.1" }), "link": { symlink: "/etc/passwd" } }, /symlink/],
          [{ "project.wfl": manifest({ name: "evil-pkg", version: "26.1.1" }), "hard": { hardlink: "project.wfl" } }, /hardlink/],
          [{ "project.wfl": manifest({ name: "evil-pkg", version: "26.1.1" }), "../escape.wfl": "x" }, /path_traversal/],
          [{ "project.wfl": manifest({ name: "evil-pkg", version: "26.1.1" }), "src/../../escape.wfl": "x" }, /path_traversal/],
          [{ "project.wfl": manifest({ name: "evil-pkg", version: "26.1.1" }), "/etc/cron.d/evil": "x" }, /absolute_path/],
        ];
        for (const [entries, reason] of cases) {
          const archive = wflpkg(entries);
          assertError(await publish(hub.base, t.alice, { name: "evil-pkg", version: "26.1.1", archive }), 400, "unsafe_archive", reason);
        }
        const notGzip = Buffer.from("this is not a tar.gz");
        assertError(await publish(hub.base, t.alice, { name: "evil-pkg", version: "26.1.1", archive: notGzip }), 400, "unsafe_archive", /corrupt/);
        assertError(await getJson(hub.base + "/api/v1/packages/evil-pkg"), 404, "not_found");
        assert.ok(!fs.existsSync(path.join(hub.dataDir, "archives/evil-pkg")));
      });

      test("step 6: no project.wfl is 400 missing_manifest; a comment or a duplicate key is 400 invalid_manifest with its MG code and line", async () => {
        assertError(await publish(hub.base, t.alice, { name: "bad-manifest", version: "26.1.1", archive: wflpkg({ "README.md": "# no manifest" }) }), 400, "missing_manifest");
        const withComment = `create map package:\n    name is "bad-manifest"\n    // a comment\n    version is "26.1.1"\nend map\n`;
        assertError(await publish(hub.base, t.alice, { name: "bad-manifest", version: "26.1.1", archive: wflpkg({ "project.wfl": withComment }) }), 400, "invalid_manifest", /MG-L01.*line 3/);
        const duplicate = `create map package:\n    name is "bad-manifest"\n    version is "26.1.1"\n    version is "26.1.2"\nend map\n`;
        assertError(await publish(hub.base, t.alice, { name: "bad-manifest", version: "26.1.1", archive: wflpkg({ "project.wfl": duplicate }) }), 400, "invalid_manifest", /MG-S02.*line 4/);
      });

      test("an archive whose files are in one top folder (tar czf x.wflpkg folder/) is read from that folder; checksums may be upper case", async () => {
        const archive = wflpkg({ "folder-pkg/": { dir: true }, "folder-pkg/project.wfl": manifest({ name: "folder-pkg", version: "26.1.1", description: "In a folder" }), "folder-pkg/README.md": "# In a folder\n" });
        const res = await publish(hub.base, t.alice, { name: "folder-pkg", version: "26.1.1", archive, checksum: wflhash(archive).replace(/[0-9a-f]{64}$/, (h) => h.toUpperCase()) });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        assert.equal(res.body.checksum, wflhash(archive));
        assert.equal((await getJson(hub.base + "/api/v1/packages/folder-pkg")).body.description, "In a folder");
        const twoFolders = wflpkg({ "a/project.wfl": manifest({ name: "folder-pkg", version: "26.1.2" }), "b/x.wfl": "x" });
        assertError(await publish(hub.base, t.alice, { name: "folder-pkg", version: "26.1.2", archive: twoFolders }), 400, "missing_manifest");
      });

      test("step 7: a manifest whose name or version differs from the form is 400 manifest_mismatch", async () => {
        assertError(await publish(hub.base, t.alice, { name: "mismatch-pkg", version: "26.1.1", archive: pkg("other-name", "26.1.1") }), 400, "manifest_mismatch", /other-name/);
        assertError(await publish(hub.base, t.alice, { name: "mismatch-pkg", version: "26.1.1", archive: pkg("mismatch-pkg", "26.1.2") }), 400, "manifest_mismatch", /26\.1\.2/);
      });

      test("step 8: the first publish claims the name; another user's publish is 403 not_owner", async () => {
        assertError(await publish(hub.base, t.bob, { name: "http-client", version: "26.3.1", archive: pkg("http-client", "26.3.1") }), 403, "not_owner");
        assert.equal((await publish(hub.base, t.bob, { name: "bobs-tool", version: "26.1.1", archive: pkg("bobs-tool", "26.1.1") })).status, 201);
        assertError(await publish(hub.base, t.alice, { name: "bobs-tool", version: "26.1.2", archive: pkg("bobs-tool", "26.1.2") }), 403, "not_owner");
        assert.equal((await getJson(hub.base + "/api/v1/packages/bobs-tool")).body.author, "bob");
      });

      test("an account made through the API publishes once its e-mail is verified by the link it was sent, with the token from login", async () => {
        const post = (p, body, token) => getJson(hub.base + p, { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
        const registered = await post("/api/v1/register", { username: "dora", email: "dora@example.test", password: "correct horse battery" });
        assert.equal(registered.status, 201, JSON.stringify(registered.body));
        const login = await post("/api/v1/login", { username: "dora", password: "correct horse battery" });
        assert.equal(login.status, 200, JSON.stringify(login.body));
        const archive = pkg("doras-pkg", "26.5.1");
        assertError(await publish(hub.base, login.body.token, { name: "doras-pkg", version: "26.5.1", archive }), 403, "email_not_verified");
        const message = await mail.next((m) => m.to.includes("dora@example.test"));
        const link = /\/verify-email\?token=([0-9a-f]+)/.exec(message.text);
        assert.ok(link, message.text);
        assert.equal((await post("/api/v1/verify-email", { token: link[1] })).status, 200);
        const res = await publish(hub.base, login.body.token, { name: "doras-pkg", version: "26.5.1", archive });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        assert.equal((await getJson(hub.base + "/api/v1/packages/doras-pkg")).body.author, "dora");
        const scoped = await post("/api/v1/tokens", { name: "ci", scope: "read-only" }, login.body.token);
        assert.equal(scoped.status, 201, JSON.stringify(scoped.body));
        assertError(await publish(hub.base, scoped.body.token, { name: "doras-pkg", version: "26.5.2", archive: pkg("doras-pkg", "26.5.2") }), 403, "insufficient_scope");
      });

      test("a publisher whose e-mail is not verified gets 403 email_not_verified", async () => {
        assertError(await publish(hub.base, t.carol, { name: "carols-pkg", version: "26.1.1", archive: pkg("carols-pkg", "26.1.1") }), 403, "email_not_verified");
        assertError(await getJson(hub.base + "/api/v1/packages/carols-pkg"), 404, "not_found");
      });

      test("checks run in the PRD's order: a bad name wins over a bad version, a bad version over a bad checksum", async () => {
        assertError(await publish(hub.base, t.alice, { name: "Bad", version: "x", archive: pkg("Bad", "x"), checksum: "nope" }), 400, "invalid_name");
        assertError(await publish(hub.base, t.alice, { name: "order-pkg", version: "x", archive: pkg("order-pkg", "x"), checksum: "nope" }), 400, "invalid_version");
        assertError(await publish(hub.base, t.alice, { name: "order-pkg", version: "26.1.1", archive: wflpkg({ "x": { symlink: "/" } }), checksum: "wflhash:" + "0".repeat(64) }), 400, "checksum_mismatch");
      });

      describe("search", () => {
        before(async () => {
          const list = [
            ["json", { description: "Exact-name match", keywords: ["data"], license: "MIT" }],
            ["json-parser", { description: "Parse documents", keywords: ["data"], license: "Apache-2.0", permissions: ["file-access"] }],
            ["fast-json-tools", { description: "Tools", keywords: ["data"], license: "MIT" }],
            ["yaml-kit", { description: "YAML reading", keywords: ["json", "yaml"], license: "MIT" }],
            ["config-loader", { description: "Loads settings from json files", keywords: ["config"], license: "BSD-3-Clause", permissions: ["file-access", "network-access"] }],
            ["unrelated", { description: "Nothing to see", keywords: ["misc"], license: "MIT" }],
            ["percent-lib", { description: "Handles 100% of cases", keywords: [], license: "MIT" }],
          ];
          for (const [name, opts] of list) {
            const r = await publish(hub.base, t.bob, { name, version: "26.1.1", archive: pkg(name, "26.1.1", opts) });
            assert.equal(r.status, 201, JSON.stringify(r.body));
          }
          // downloads: config-loader 3, yaml-kit 1
          for (const [name, n] of [["config-loader", 3], ["yaml-kit", 1]]) for (let i = 0; i < n; i++) await (await fetch(`${hub.base}/api/v1/packages/${name}/26.1.1/download`)).arrayBuffer();
        });

        test("results are [{name, description, version, downloads}] ranked exact name, name prefix, name contains, keyword, description", async () => {
          const res = await getJson(hub.base + "/api/v1/search?q=json");
          assert.equal(res.status, 200);
          assert.deepEqual(res.body.map((r) => r.name), ["json", "json-parser", "fast-json-tools", "yaml-kit", "config-loader"]);
          assert.deepEqual(Object.keys(res.body[0]).sort(), ["description", "downloads", "name", "version"]);
          assert.deepEqual(res.body[0], { name: "json", description: "Exact-name match", version: "26.1.1", downloads: 0 });
          assert.equal(res.headers.get("x-total-count"), "5");
          assert.ok(res.headers.get("ratelimit-limit"));
        });

        test("every word must match, in any of name, description, keywords; case does not matter", async () => {
          assert.deepEqual((await getJson(hub.base + "/api/v1/search?q=JSON%20files")).body.map((r) => r.name), ["config-loader"]);
          assert.deepEqual((await getJson(hub.base + "/api/v1/search?q=yaml")).body.map((r) => r.name), ["yaml-kit"]);
          assert.equal((await getJson(hub.base + "/api/v1/search?q=json%20parser")).body[0].name, "json-parser", "words joined by hyphens are the name");
          assert.deepEqual((await getJson(hub.base + "/api/v1/search?q=zzzz")).body, []);
        });

        test("% and _ in the query are literal characters, not wildcards", async () => {
          assert.deepEqual((await getJson(hub.base + "/api/v1/search?q=100%25")).body.map((r) => r.name), ["percent-lib"]);
          assert.deepEqual((await getJson(hub.base + "/api/v1/search?q=%25")).body.map((r) => r.name), ["percent-lib"]);
          assert.deepEqual((await getJson(hub.base + "/api/v1/search?q=_")).body, []);
        });

        test("sort=downloads and sort=recent; an unknown sort is 400 invalid_parameter", async () => {
          const byDownloads = (await getJson(hub.base + "/api/v1/search?q=json&sort=downloads")).body.map((r) => r.name);
          assert.deepEqual(byDownloads.slice(0, 2), ["config-loader", "yaml-kit"]);
          const recent = (await getJson(hub.base + "/api/v1/search?q=json&sort=recent")).body.map((r) => r.name);
          assert.equal(recent.length, 5);
          await db.run("UPDATE packages SET updated_at = '2020-01-01T00:00:00Z' WHERE name = 'json'");
          assert.equal((await getJson(hub.base + "/api/v1/search?q=json&sort=recent")).body.map((r) => r.name).at(-1), "json");
          assertError(await getJson(hub.base + "/api/v1/search?q=json&sort=stars"), 400, "invalid_parameter");
        });

        test("pagination: page and per_page, X-Total-Count and Link headers; per_page is at most 100", async () => {
          const p1 = await getJson(hub.base + "/api/v1/search?q=json&per_page=2");
          assert.deepEqual(p1.body.map((r) => r.name), ["json", "json-parser"]);
          assert.equal(p1.headers.get("x-total-count"), "5");
          const link = p1.headers.get("link");
          assert.match(link, /<\/api\/v1\/search\?q=json&[^>]*page=2>; rel="next"/);
          assert.match(link, /page=3>; rel="last"/);
          assert.doesNotMatch(link, /rel="prev"/);
          const p3 = await getJson(hub.base + "/api/v1/search?q=json&per_page=2&page=3");
          assert.deepEqual(p3.body.map((r) => r.name), ["config-loader"]);
          assert.match(p3.headers.get("link"), /page=2>; rel="prev"/);
          assert.doesNotMatch(p3.headers.get("link"), /rel="next"/);
          assert.deepEqual((await getJson(hub.base + "/api/v1/search?q=json&per_page=2&page=9")).body, []);
          const big = await getJson(hub.base + "/api/v1/search?per_page=1000");
          assert.equal(big.headers.get("x-per-page"), "100");
          const all = await getJson(hub.base + "/api/v1/search");
          assert.equal(all.headers.get("x-per-page"), "20");
          assert.ok(all.body.length >= 8);
        });

        test("filters: license, permission, updated within N days", async () => {
          assert.deepEqual((await getJson(hub.base + "/api/v1/search?q=json&license=mit")).body.map((r) => r.name), ["json", "fast-json-tools", "yaml-kit"]);
          assert.deepEqual((await getJson(hub.base + "/api/v1/search?q=json&permission=file-access")).body.map((r) => r.name), ["json-parser", "config-loader"]);
          assert.deepEqual((await getJson(hub.base + "/api/v1/search?q=json&permission=network-access")).body.map((r) => r.name), ["config-loader"]);
          const recent = (await getJson(hub.base + "/api/v1/search?q=json&updated_within_days=30")).body.map((r) => r.name);
          assert.ok(!recent.includes("json"), "json was last updated in 2020");
          assert.equal(recent.length, 4);
        });
      });

      test("the logic actions answer the portal's contract: details with README HTML, versions, dependents, home stats, a user's packages, publish and yank", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wflhub-actions-"));
        const archiveFile = path.join(dir, "portal-pkg.wflpkg");
        fs.writeFileSync(archiveFile, pkg("portal-pkg", "26.4.1", { description: "Published by the portal" }));
        const env = { ...process.env, WFLHUB_DATA: hub.dataDir, WFLHUB_SECRET: TEST_SECRET, ...RAISED, ...(url ? { WFLHUB_DATABASE_URL: url } : {}) };
        const r = spawnSync(path.join(root, "bin/wfl"), [path.join(root, "test/fixtures/wflhub/registry_actions.wfl"), u.alice.id, archiveFile], { env, encoding: "utf8" });
        fs.rmSync(dir, { recursive: true, force: true });
        assert.equal(r.status, 0, r.stderr + r.stdout);
        const out = Object.fromEntries(r.stdout.trim().split("\n").map((line) => { const i = line.indexOf(": "); return [line.slice(0, i), JSON.parse(line.slice(i + 2))]; }));
        const d = out.details;
        assert.equal(d.latest_version, "26.2.1");
        assert.match(d.readme_html, /<h1>HTTP client<\/h1>/);
        assert.match(d.readme_html, /<strong>pages<\/strong>/);
        assert.doesNotMatch(d.readme_html, /<script>/, "raw HTML is not passed through");
        assert.deepEqual(d.dependencies, [{ name: "json-parser", version: "25.12 or newer" }]);
        assert.equal(out.missing, null);
        assert.deepEqual(out.versions.map((v) => [v.version, v.yanked, v.size > 0]), [["26.2.1", false, true], ["26.1.3", false, true], ["25.12.8", false, true]]);
        assert.deepEqual(out.dependents, [{ name: "http-client", version: "26.2.1", constraint: "25.12 or newer" }]);
        const st = out.stats;
        assert.ok(st.packages >= 10 && st.versions >= 12 && st.users >= 4, JSON.stringify(st));
        assert.ok(st.downloads >= 6);
        assert.deepEqual(st.trending.slice(0, 3).map((x) => x.name), ["config-loader", "http-client", "yaml-kit"]);
        for (const key of ["name", "description", "version", "downloads", "author", "license", "updated_at", "permissions"]) assert.ok(key in st.trending[0], `trending item has ${key}`);
        assert.equal(st.recent.length, 10);
        assert.ok(st.recent.every((x, i) => i === 0 || st.recent[i - 1].published_at >= x.published_at), "recent: newest first");
        assert.deepEqual(out.mine.map((x) => x.name).sort(), ["a" + "b".repeat(63), "folder-pkg", "http-client", "scoped-pkg"].sort());
        const mine = out.mine.find((x) => x.name === "http-client");
        assert.equal(mine.versions, 3);
        assert.equal(mine.latest_version, "26.2.1");
        assert.equal(out.search.total, 3);
        assert.equal(out.search.per_page, 2);
        assert.deepEqual(out.search.results.map((x) => x.name), ["json", "fast-json-tools"]);
        assert.equal(out.search.results[0].author, "bob");
        assert.equal(out.search_all.page, 1);
        assert.equal(out.search_all.per_page, 20);
        assert.deepEqual(out.publish, { ok: true, name: "portal-pkg", version: "26.4.1", checksum: wflhash(fs.readFileSync(path.join(hub.dataDir, "archives/portal-pkg/26.4.1.wflpkg"))) });
        assert.equal(out.publish_again.ok, false);
        assert.equal(out.publish_again.status, 409);
        assert.equal(out.publish_again.code, "version_exists");
        assert.equal(out.yank.ok, true);
        assert.deepEqual([out.yank_missing.ok, out.yank_missing.status, out.yank_missing.code], [false, 404, "not_found"]);
      });

      describe("yank", () => {
        test("a stranger may not yank (403 forbidden); the owner may, and the version leaves latest but stays downloadable", async () => {
          const path1 = "/api/v1/packages/http-client/26.2.1";
          assertError(await getJson(hub.base + path1, { method: "DELETE" }), 401, "unauthorized");
          assertError(await getJson(hub.base + path1, { method: "DELETE", headers: { authorization: `Bearer ${t.aliceRead}` } }), 403, "insufficient_scope");
          assertError(await getJson(hub.base + path1, { method: "DELETE", headers: { authorization: `Bearer ${t.bob}` } }), 403, "forbidden");
          const res = await getJson(hub.base + path1, { method: "DELETE", headers: { authorization: `Bearer ${t.alice}` } });
          assert.equal(res.status, 200, JSON.stringify(res.body));
          assert.deepEqual(res.body, { name: "http-client", version: "26.2.1", yanked: true });
          const again = await getJson(hub.base + path1, { method: "DELETE", headers: { authorization: `Bearer ${t.alice}` } });
          assert.equal(again.status, 200, "yanking twice is fine");
          const info = (await getJson(hub.base + "/api/v1/packages/http-client")).body;
          assert.equal(info.latest_version, "26.1.3");
          assert.deepEqual(info.versions, ["26.1.3", "25.12.8"]);
          const versions = (await getJson(hub.base + "/api/v1/packages/http-client/versions")).body;
          assert.deepEqual(versions.map((v) => [v.version, v.yanked]), [["26.2.1", true], ["26.1.3", false], ["25.12.8", false]]);
          const dl = await fetch(hub.base + "/api/v1/packages/http-client/26.2.1/download");
          assert.equal(dl.status, 200, "a yanked version stays downloadable");
          await dl.arrayBuffer();
          const found = (await getJson(hub.base + "/api/v1/search?q=http-client")).body;
          assert.equal(found[0].version, "26.1.3");
          const audit = await db.all("SELECT subject FROM audit_log WHERE action = 'yank' AND subject LIKE 'http-client@%'");
          assert.deepEqual(audit.map((r) => r.subject), ["http-client@26.2.1"]);
        });

        test("an admin may yank any package; a package with every version yanked leaves search", async () => {
          const res = await getJson(hub.base + "/api/v1/packages/bobs-tool/26.1.1", { method: "DELETE", headers: { authorization: `Bearer ${t.root}` } });
          assert.equal(res.status, 200, JSON.stringify(res.body));
          const info = (await getJson(hub.base + "/api/v1/packages/bobs-tool")).body;
          assert.equal(info.latest_version, null);
          assert.deepEqual(info.versions, []);
          assert.deepEqual((await getJson(hub.base + "/api/v1/search?q=bobs-tool")).body, []);
        });
      });

      test("GET /api/v1/openapi.json is an OpenAPI 3.1 document listing every API route", async () => {
        const res = await getJson(hub.base + "/api/v1/openapi.json");
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type"), /^application\/json/);
        const doc = res.body;
        assert.match(doc.openapi, /^3\.1\./);
        const routes = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
        for (const r of [
          "GET /api/v1/search", "POST /api/v1/packages", "GET /api/v1/packages/{name}", "GET /api/v1/packages/{name}/versions",
          "GET /api/v1/packages/{name}/{version}/download", "DELETE /api/v1/packages/{name}/{version}", "GET /api/v1/openapi.json",
          "POST /api/v1/register", "POST /api/v1/verify-email", "POST /api/v1/resend-verification", "POST /api/v1/login", "GET /api/v1/me", "PATCH /api/v1/me",
          "POST /api/v1/me/password", "GET /api/v1/tokens", "POST /api/v1/tokens", "DELETE /api/v1/tokens/{id}",
        ]) assert.ok(routes.includes(r), `documents ${r}`);
        // … and every API route the app's source registers, so a new one cannot go undocumented.
        const lib = path.join(root, "apps/wflhub/lib");
        const registered = fs.readdirSync(lib).filter((f) => f.endsWith(".wfl")).flatMap((f) => [...fs.readFileSync(path.join(lib, f), "utf8").matchAll(/register route "([A-Z]+)" at "(\/api\/[^"]*)"/g)].map((m) => `${m[1]} ${m[2].replace(/:(\w+)/g, "{$1}")}`));
        assert.ok(registered.length >= 17, registered.join(", "));
        for (const r of registered) assert.ok(routes.includes(r), `documents ${r}`);
        // Every documented registry route answers (not 404 for the path).
        for (const r of routes.filter((x) => x.startsWith("GET ") && /search|packages|openapi/.test(x))) {
          const p = r.slice(4).replace("{name}", "http-client").replace("{version}", "26.1.3");
          const answer = await fetch(hub.base + p, { headers: { authorization: `Bearer ${t.alice}` } });
          await answer.arrayBuffer();
          assert.notEqual(answer.status, 404, `${r} is served`);
        }
      });
    });

    describe(`WFLHub rate limits at the PRD's values on ${engine}`, { concurrency: 1, skip: engine === "postgresql" && skipPg ? "WFL_SKIP_POSTGRES=1" : false }, () => {
      let hub, db, url;
      before(async () => {
        url = engine === "postgresql" ? await freshPgDatabase() : undefined;
        hub = await startHub({ databaseUrl: url });
        db = await openHubDb(engine, hub, url);
      });
      after(async () => {
        await db?.close();
        await hub?.stop();
      });

      test("search allows 60 requests a minute per IP, then 429 rate_limited with Retry-After and RateLimit headers", async () => {
        for (let i = 0; i < 60; i++) {
          const res = await fetch(hub.base + "/api/v1/search?q=x");
          await res.arrayBuffer();
          assert.equal(res.status, 200, `request ${i + 1}`);
        }
        const refused = await getJson(hub.base + "/api/v1/search?q=x");
        assertError(refused, 429, "rate_limited");
        assert.ok(Number(refused.headers.get("retry-after")) >= 1);
        assert.equal(refused.headers.get("ratelimit-limit"), "60");
        assert.equal(refused.headers.get("ratelimit-remaining"), "0");
      });

      test("publish allows 10 a hour per user, then 429 rate_limited", async () => {
        const user = await makeUser(db, "limited");
        const token = await makeToken(db, user, "publish");
        for (let i = 1; i <= 10; i++) {
          const r = await publish(hub.base, token, { name: "limited-pkg", version: `26.1.${i}`, archive: pkg("limited-pkg", `26.1.${i}`) });
          assert.equal(r.status, 201, JSON.stringify(r.body));
        }
        const refused = await publish(hub.base, token, { name: "limited-pkg", version: "26.1.11", archive: pkg("limited-pkg", "26.1.11") });
        assertError(refused, 429, "rate_limited");
        assert.ok(Number(refused.headers.get("retry-after")) >= 1);
        const other = await makeToken(db, await makeUser(db, "unlimited"), "publish");
        assert.equal((await publish(hub.base, other, { name: "other-pkg", version: "26.1.1", archive: pkg("other-pkg", "26.1.1") })).status, 201, "the limit is per user");
      });

      test("download allows 300 requests a minute per IP, then 429 rate_limited", async () => {
        const target = hub.base + "/api/v1/packages/limited-pkg/26.1.1/download";
        const batch = async (n) => Promise.all(Array.from({ length: n }, async () => { const r = await fetch(target); await r.arrayBuffer(); return r.status; }));
        const statuses = [];
        for (let i = 0; i < 30; i++) statuses.push(...(await batch(10)));
        assert.deepEqual([...new Set(statuses)], [200]);
        const refused = await getJson(target);
        assertError(refused, 429, "rate_limited");
        assert.equal(refused.headers.get("ratelimit-limit"), "300");
        assert.ok(Number(refused.headers.get("retry-after")) >= 1);
        const info = (await getJson(hub.base + "/api/v1/packages/limited-pkg")).body;
        assert.equal(info.downloads, 300, "refused downloads are not counted");
      });
    });
  }
});

describe("WFLHub search over 10,000 packages on SQLite", () => {
  let hub, db;
  before(async () => {
    hub = await startHub({ env: RAISED });
    db = new Database(path.join(hub.dataDir, "wflhub.db"));
    db.pragma("busy_timeout = 5000");
    const words = ["http", "json", "yaml", "client", "server", "parser", "tools", "data", "crypto", "math", "text", "file", "stream", "cli", "test", "log", "config", "cache", "queue", "image", "audio", "date", "money", "graph"];
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    db.prepare("INSERT INTO users (id, username, email, password_hash, email_verified, created_at, updated_at) VALUES ('seed', 'seeder', 'seed@example.test', 'x', 1, ?, ?)").run(now, now);
    const addPackage = db.prepare("INSERT INTO packages (id, name, owner_id, description, license, keywords, latest_version, downloads_total, created_at, updated_at) VALUES (?, ?, 'seed', ?, ?, ?, '26.1.1', ?, ?, ?)");
    const addVersion = db.prepare("INSERT INTO versions (id, package_id, version_string, version_key, checksum, archive_path, archive_size_bytes, permissions, published_at) VALUES (?, ?, '26.1.1', '026.00001.00001', ?, 'archives/none', 100, ?, ?)");
    db.transaction(() => {
      for (let i = 0; i < 10000; i++) {
        const w = (k) => words[(i * 7 + k * 13 + Math.floor(i / 24)) % words.length];
        const id = `pkg-${i}`;
        addPackage.run(id, `${w(1)}-${w(2)}-${i}`, `A ${w(3)} library for ${w(4)} and ${w(5)} work (number ${i})`, i % 3 ? "MIT" : "Apache-2.0", JSON.stringify([w(6), w(7)]), (i * 7919) % 10007, now, now);
        addVersion.run(`ver-${i}`, id, "wflhash:" + "0".repeat(64), i % 4 ? '["file-access"]' : "[]", now);
      }
    })();
  });
  after(async () => {
    db?.close();
    await hub?.stop();
  });

  test("search answers in well under 50 ms at p95 (measured; the assertion allows a loaded machine)", async (t) => {
    const queries = ["json", "http client", "parser", "data tools", "x", "", "server&sort=downloads", "cli&sort=recent&page=3", "yaml&license=MIT", "crypto&permission=file-access", "image stream cache", "number 4242", "money&updated_within_days=7", "graph&per_page=100"];
    const times = [];
    for (let round = 0; round < 12; round++) {
      for (const q of queries) {
        const t0 = performance.now();
        const res = await fetch(hub.base + "/api/v1/search?q=" + q);
        const body = await res.json();
        times.push(performance.now() - t0);
        assert.equal(res.status, 200);
        assert.ok(Array.isArray(body));
      }
    }
    const first = await getJson(hub.base + "/api/v1/search?q=json");
    assert.equal(first.body.length, 20);
    assert.ok(Number(first.headers.get("x-total-count")) > 1000);
    times.sort((a, b) => a - b);
    const p50 = times[Math.floor(times.length * 0.5)];
    const p95 = times[Math.floor(times.length * 0.95)];
    t.diagnostic(`search over 10,000 packages: ${times.length} requests, p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${times.at(-1).toFixed(1)} ms`);
    assert.ok(p95 < 250, `p95 ${p95.toFixed(1)} ms`);
  });

  test("a 10 MB archive publishes in under a second (measured; the assertion allows a loaded machine) and downloads intact", async (t) => {
    const handle = await openHubDb("sqlite", hub);
    const user = await makeUser(handle, "big-publisher");
    const token = await makeToken(handle, user, "publish");
    await handle.close();
    const noise = Buffer.alloc(10 * 1024 * 1024);
    for (let i = 0; i < noise.length; i += 4) noise.writeUInt32LE((Math.imul(i, 2654435761) ^ (i >>> 7)) >>> 0, i);
    const archive = pkg("big-package", "26.1.1", {}, { "assets/data.bin": noise });
    assert.ok(archive.length > 10 * 1000 * 1000, `archive of ${archive.length} bytes`);
    const t0 = performance.now();
    const res = await publish(hub.base, token, { name: "big-package", version: "26.1.1", archive });
    const ms = performance.now() - t0;
    assert.equal(res.status, 201, JSON.stringify(res.body));
    t.diagnostic(`publish of a ${(archive.length / 1e6).toFixed(1)} MB archive: ${ms.toFixed(0)} ms`);
    assert.ok(ms < 5000, `${ms.toFixed(0)} ms`);
    const dl = await fetch(hub.base + "/api/v1/packages/big-package/26.1.1/download");
    assert.ok(Buffer.from(await dl.arrayBuffer()).equals(archive));
    const info = (await getJson(hub.base + "/api/v1/packages/big-package")).body;
    assert.ok(info.install_size > 10 * 1024 * 1024);
  });
});

