// WFLHub's operations (issue 12, items 5 and 6): the app on a real PostgreSQL runs its migrations at
// start-up; two instances started at once on one database (migrations taking turns) serve through
// ONE port — a round-robin TCP proxy written here (test/support/hub-ops.mjs) — and share users,
// browser sessions, rate limits and data; /healthz, /readyz (503 while draining), /metrics; JSON
// access log lines with request ids; SIGTERM during a stream of requests answers every request and
// exits 0; with web_server_shutdown_delay_seconds, /readyz answers 503 while the instance still
// serves, then it drains; restarts keep the data (SQLite and the archives in WFLHUB_DATA).
//
// Parts of the app land from other branches (accounts, registry, portal): a test needing a part that
// is not there yet says so and skips.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as crypto from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import pgModule from "pg";
import Database from "better-sqlite3";
import { startHub, hubProgram, TEST_SECRET } from "./support/wflhub.mjs";
import { killServers, startServer } from "./support/server.mjs";
import { startMailServer } from "./support/smtp.mjs";
import { startPostgres, PG_BIN } from "../scripts/pg-test-server.mjs";
import { startProxy, request, requestJson, makeWflpkg, wflhash, manifest, multipart } from "./support/hub-ops.mjs";

const skipPg = process.env.WFL_SKIP_POSTGRES === "1";
after(() => killServers());

const PASSWORD = "correct horse battery";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Which parts of the app answer (a route that is not there yet is a 404). */
async function partsOf(base) {
  const reg = await requestJson(base, "/api/v1/register", {});
  const search = await request(base, "/api/v1/search?q=probe");
  const login = await request(base, "/login");
  return { accounts: reg.status !== 404, registry: search.status !== 404, portal: login.status === 200 };
}

/** Register a user through `base`, verify the e-mail by the link the SMTP server received, log in: {username, token, logins}. */
async function registerVerifyLogin(base, mail, proxy, name) {
  const username = name ?? "ops-" + crypto.randomBytes(4).toString("hex");
  const email = `${username}@example.test`;
  const reg = await requestJson(base, "/api/v1/register", { username, email, password: PASSWORD }, { proxy });
  assert.ok(reg.status === 201 || reg.status === 200, `register: ${reg.status} ${reg.text}`);
  const message = await mail.next((m) => m.to.includes(email));
  const link = /https?:\/\/[^\s"<>]*verify-email\?token=([A-Za-z0-9_\-%.]+)/.exec(message.text);
  assert.ok(link, "the verification e-mail carries a link");
  const verified = await requestJson(base, "/api/v1/verify-email", { token: decodeURIComponent(link[1]) }, { proxy });
  assert.ok(verified.status < 400, `verify: ${verified.status} ${verified.text}`);
  const login = await requestJson(base, "/api/v1/login", { username, password: PASSWORD }, { proxy });
  assert.equal(login.status, 200, login.text);
  return { username, email, token: login.json().token, reg, verified, login };
}

/** The CSRF token a portal page embeds (a hidden csrf_token field). */
function csrfOf(html) {
  const m = /name="csrf_token"\s+value="([^"]+)"/.exec(html) ?? /value="([^"]+)"\s+name="csrf_token"/.exec(html);
  return m ? m[1] : null;
}

function cookieOf(res, name = "wfl_session") {
  const set = [].concat(res.headers["set-cookie"] ?? []);
  for (const c of set) {
    const [pair] = c.split(";");
    if (pair.startsWith(name + "=")) return pair;
  }
  return null;
}

/** A session row written straight into wfl_sessions (as an instance would): {cookie, csrf}. */
function sessionRow(userId) {
  const id = crypto.randomBytes(24).toString("base64url");
  const csrf = crypto.randomBytes(32).toString("base64url");
  const now = Date.now();
  return { id, csrf, cookie: `wfl_session=${id}`, row: [id, JSON.stringify({ user_id: userId }), csrf, now, now + 3600_000] };
}

/** Publish a small package through `base` with a token: {name, version, archive, res}. */
async function publish(base, token, { name, version = "26.2.1", proxy, extra = {} }) {
  const archive = makeWflpkg({
    "project.wfl": manifest({ name, version, description: "Ops test package " + name, keywords: ["ops", "test"], permissions: ["network-access"] }),
    "README.md": `# ${name}\n\nA package published by the operations test.\n`,
    "src/main.wfl": 'display "hello"\n',
    ...extra,
  });
  const form = multipart({ name, version, checksum: wflhash(archive), archive: { filename: `${name}-${version}.wflpkg`, content: archive } });
  const res = await request(base, "/api/v1/packages", {
    method: "POST", proxy, body: form.body,
    headers: { "content-type": form.contentType, authorization: "Bearer " + token },
  });
  return { name, version, archive, res };
}

describe("WFLHub on PostgreSQL: two instances on one database behind one port", { skip: skipPg ? "WFL_SKIP_POSTGRES=1" : false }, () => {
  let pg, mail, data, a, b, proxy, backends, client, parts, user, published;
  let loginsThisMinute = 0;
  const env = { WFLHUB_LIMIT_SEARCH_PER_MINUTE: "100000", WFLHUB_LIMIT_DOWNLOAD_PER_MINUTE: "100000", WFLHUB_LIMIT_PUBLISH_PER_HOUR: "1000" };

  before(async () => {
    pg = await startPostgres();
    if (!pg) throw new Error(`PostgreSQL 15 is not installed (${PG_BIN}/initdb is missing): .ci/run installs it; set WFL_SKIP_POSTGRES=1 to skip`);
    mail = await startMailServer();
    // One data folder for both (the archives must be where either instance can read them: in
    // production a shared volume), one database.
    data = fs.mkdtempSync(path.join(os.tmpdir(), "wflhub-ops-"));
    [a, b] = await Promise.all([
      startHub({ mail, databaseUrl: pg.url, dataDir: data, env }),
      startHub({ mail, databaseUrl: pg.url, dataDir: data, env }),
    ]);
    backends = [{ port: a.port }, { port: b.port }];
    proxy = await startProxy(backends);
    client = new pgModule.Client(pg.url);
    await client.connect();
    parts = await partsOf(a.base);
  });

  after(async () => {
    await proxy?.close();
    await client?.end();
    for (const h of [a, b]) if (h && h.child.exitCode === null) await h.stop();
    await mail?.close();
    await pg?.stop();
    if (data) fs.rmSync(data, { recursive: true, force: true });
  });

  test("both instances started at once apply each migration exactly once (an advisory lock takes turns)", async () => {
    const applied = [a, b].map((h) => Number(/\(postgres, (\d+) migrations applied\)/.exec(h.io.out)?.[1]));
    assert.ok(applied.every(Number.isInteger), "both report their migrations");
    const total = applied[0] + applied[1];
    assert.ok(total > 0);
    assert.ok(applied.includes(0), `one instance found the schema made by the other: ${applied}`);
    const rows = (await client.query("SELECT version FROM schema_migrations ORDER BY version")).rows.map((r) => Number(r.version));
    assert.deepEqual(rows, Array.from({ length: total }, (_, i) => i + 1));
    const tables = (await client.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")).rows.map((r) => r.table_name);
    for (const t of ["users", "packages", "versions", "api_tokens", "audit_log", "wfl_sessions"]) assert.ok(tables.includes(t), `table ${t}`);
  });

  test("through the one port both instances answer /healthz, /readyz, /metrics, with JSON access log lines carrying the request id", async () => {
    const seen = new Set();
    for (let i = 0; i < 4; i++) {
      const h = await request(proxy.base, "/healthz", { proxy });
      assert.equal(h.status, 200);
      assert.deepEqual(h.json(), { status: "ok" });
      seen.add(h.backend);
    }
    assert.deepEqual([...seen].sort(), [0, 1], "round-robin reaches both instances");
    const ready = await request(proxy.base, "/readyz", { proxy });
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.json(), { status: "ready" });
    const metrics = await request(proxy.base, "/metrics", { proxy });
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /^http_requests_total\{/m);
    assert.match(metrics.text, /http_request_duration_seconds_bucket/);
    // The request id: kept when the client (a proxy) sends a sane one, else made; in the log line.
    const id = "ops-" + crypto.randomUUID();
    const traced = await request(proxy.base, "/no-such-page", { proxy, headers: { "x-request-id": id } });
    assert.equal(traced.status, 404);
    assert.equal(traced.headers["x-request-id"], id);
    const instance = [a, b][traced.backend];
    let line;
    for (let i = 0; i < 50 && !line; i++) {
      line = instance.io.err.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l)).find((l) => l.id === id);
      if (!line) await sleep(20);
    }
    assert.ok(line, "the instance that answered logged the request on stderr as one JSON line");
    assert.equal(line.method, "GET");
    assert.equal(line.path, "/no-such-page");
    assert.equal(line.status, 404);
    assert.equal(typeof line.duration_ms, "number");
    assert.equal(line.client_ip, "127.0.0.1");
    assert.ok(!Number.isNaN(Date.parse(line.time)));
    const made = await request(proxy.base, "/healthz", { proxy });
    assert.match(made.headers["x-request-id"], /^[0-9a-f-]{36}$/);
  });

  test("a user registered and verified through one instance logs in and is known through the other", async (t) => {
    if (!parts.accounts) return t.skip("the accounts API has not landed yet");
    user = await registerVerifyLogin(proxy.base, mail, proxy);
    loginsThisMinute++;
    assert.notEqual(user.reg.backend, user.verified.backend, "registration and verification went to different instances");
    assert.ok(user.token, "login gives a token");
    const me = await request(proxy.base, "/api/v1/me", { proxy, headers: { authorization: "Bearer " + user.token } });
    assert.notEqual(me.backend, user.login.backend, "the token is used on the other instance");
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json().username, user.username);
    const row = (await client.query("SELECT email_verified FROM users WHERE username = $1", [user.username])).rows[0];
    assert.equal(Number(row.email_verified), 1);
  });

  test("a browser session made on one instance works on the other (sessions and CSRF tokens are in the database)", async () => {
    // A session as an instance stores it (the cookie names a row of wfl_sessions).
    const uid = crypto.randomUUID();
    const now = new Date().toISOString();
    await client.query("INSERT INTO users (id, username, email, password_hash, created_at, updated_at) VALUES ($1, $2, $3, 'x', $4, $4)", [uid, "sess-" + uid.slice(0, 8), uid + "@example.test", now]);
    const s = sessionRow(uid);
    await client.query("INSERT INTO wfl_sessions (id, data, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)", s.row);
    for (let i = 0; i < 2; i++) {
      const without = await request(proxy.base, "/api/v1/anything", { method: "POST", proxy, headers: { cookie: s.cookie } });
      assert.equal(without.status, 403, "the session's CSRF token is required on instance " + without.backend);
      const withToken = await request(proxy.base, "/api/v1/anything", { method: "POST", proxy, headers: { cookie: s.cookie, "x-csrf-token": s.csrf } });
      assert.notEqual(withToken.status, 403, "the session's token is accepted on instance " + withToken.backend);
      assert.notEqual(without.backend, withToken.backend);
    }
    // The portal's own sign-in, when it is there: signed in through one, the dashboard of the other knows the user.
    if (parts.portal && user) {
      const form = await request(proxy.base, "/login", { proxy });
      const cookie = cookieOf(form);
      const csrf = csrfOf(form.text);
      assert.ok(cookie && csrf, "the sign-in page starts a session with a CSRF token");
      const refused = await request(proxy.base, "/login", {
        method: "POST", proxy, headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ identifier: user.username, username: user.username, password: PASSWORD }).toString(),
      });
      assert.notEqual(refused.backend, form.backend);
      assert.equal(refused.status, 403, "the other instance knows the session's CSRF token");
      const signIn = await request(proxy.base, "/login", {
        method: "POST", proxy, headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ csrf_token: csrf, identifier: user.username, username: user.username, password: PASSWORD }).toString(),
      });
      loginsThisMinute++;
      assert.ok(signIn.status === 303 || signIn.status === 302 || signIn.status === 200, `sign in: ${signIn.status}`);
      const session = cookieOf(signIn) ?? cookie;
      const dash = await request(proxy.base, "/dashboard", { proxy, headers: { cookie: session } });
      assert.notEqual(dash.backend, signIn.backend);
      assert.equal(dash.status, 200);
      assert.ok(dash.text.includes(user.username), "the dashboard of the other instance shows the signed-in user");
    }
  });

  test("data published through one instance is read, searched and downloaded through the other", async (t) => {
    if (!parts.registry || !user) return t.skip("the registry and accounts APIs have not landed yet");
    const name = "ops-data-" + crypto.randomBytes(3).toString("hex");
    const p = await publish(proxy.base, user.token, { name, proxy });
    assert.ok(p.res.status === 201 || p.res.status === 200, `publish: ${p.res.status} ${p.res.text}`);
    published = p;
    const info = await request(proxy.base, "/api/v1/packages/" + name, { proxy });
    assert.notEqual(info.backend, p.res.backend);
    assert.equal(info.status, 200, info.text);
    assert.equal(info.json().latest_version, "26.2.1");
    assert.equal(info.json().author, user.username);
    const versions = await request(proxy.base, `/api/v1/packages/${name}/versions`, { proxy });
    assert.equal(versions.status, 200);
    const list = versions.json().versions ?? versions.json();
    assert.equal(list[0].checksum, wflhash(p.archive));
    const got = [];
    for (let i = 0; i < 2; i++) {
      const dl = await request(proxy.base, `/api/v1/packages/${name}/26.2.1/download`, { proxy });
      assert.equal(dl.status, 200);
      assert.ok(dl.bytes.equals(p.archive), "the archive comes back byte for byte from instance " + dl.backend);
      assert.ok(dl.headers["content-digest"], "Content-Digest is sent");
      got.push(dl.backend);
    }
    assert.deepEqual(got.sort(), [0, 1]);
    for (let i = 0; i < 2; i++) {
      const found = await request(proxy.base, "/api/v1/search?q=" + name, { proxy });
      assert.equal(found.status, 200);
      const results = found.json().results ?? found.json();
      assert.ok(results.some((r) => r.name === name), "search on instance " + found.backend + " finds it");
    }
    const downloads = (await client.query("SELECT downloads_total FROM packages WHERE name = $1", [name])).rows[0];
    assert.equal(Number(downloads.downloads_total), 2, "downloads on both instances are counted together");
    // Each instance's /metrics counts its share under the route template, never the raw path.
    let counted = 0;
    for (const h of [a, b]) {
      const text = (await request(h.base, "/metrics")).text;
      assert.ok(!text.includes(name), "no series per package name");
      const m = /^http_requests_total\{method="GET",route="\/api\/v1\/packages\/:name\/:version\/download",status="200"\} (\d+)$/m.exec(text);
      counted += m ? Number(m[1]) : 0;
    }
    assert.equal(counted, 2, "the two downloads are counted under /api/v1/packages/:name/:version/download");
  });

  test("the documented PostgreSQL backup (pg_dump, archives copied) restores into a database a new instance serves", async (t) => {
    if (!parts.registry || !user || !published) return t.skip("the registry and accounts APIs have not landed yet");
    const dump = path.join(data, "..", path.basename(data) + ".dump");
    const restoredData = fs.mkdtempSync(path.join(os.tmpdir(), "wflhub-restored-"));
    try {
      execFileSync(path.join(PG_BIN, "pg_dump"), ["--format=custom", `--file=${dump}`, pg.url], { stdio: "pipe" });
      await client.query("CREATE DATABASE wflhub_restored");
      const restoredUrl = pg.url.replace(/\/[^/]+$/, "/wflhub_restored");
      execFileSync(path.join(PG_BIN, "pg_restore"), ["--no-owner", `--dbname=${restoredUrl}`, dump], { stdio: "pipe" });
      fs.cpSync(path.join(data, "archives"), path.join(restoredData, "archives"), { recursive: true });
      const restored = await startHub({ mail, databaseUrl: restoredUrl, dataDir: restoredData, env });
      try {
        assert.match(restored.io.out, /\(postgres, 0 migrations applied\)/);
        const me = await request(restored.base, "/api/v1/me", { headers: { authorization: "Bearer " + user.token } });
        assert.equal(me.status, 200, "the user and the token came back");
        const info = await request(restored.base, "/api/v1/packages/" + published.name);
        assert.equal(info.status, 200, "the package came back");
        const dl = await request(restored.base, `/api/v1/packages/${published.name}/26.2.1/download`);
        assert.equal(dl.status, 200, "its archive came back");
        assert.ok(dl.bytes.equals(published.archive));
      } finally {
        await restored.stop();
      }
    } finally {
      fs.rmSync(dump, { force: true });
      fs.rmSync(restoredData, { recursive: true, force: true });
    }
  });

  test("the login limit (5 per minute per IP) holds across both instances together", async (t) => {
    if (!parts.accounts || !user) return t.skip("the accounts API has not landed yet");
    const results = [];
    for (let i = 0; i < 8; i++) {
      results.push(await requestJson(proxy.base, "/api/v1/login", { username: user.username, password: PASSWORD }, { proxy }));
    }
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    assert.equal(ok.length + loginsThisMinute, 5, `statuses ${results.map((r) => `${r.status}@${r.backend}`).join(" ")}`);
    assert.equal(ok.length + limited.length, results.length);
    assert.deepEqual([...new Set(results.map((r) => r.backend))].sort(), [0, 1]);
    for (const r of limited) {
      assert.ok(Number(r.headers["retry-after"]) >= 1, "a 429 says when to retry");
      assert.equal(r.json().error.code, "rate_limited");
    }
  });

  test("SIGTERM to one instance during a stream of requests: every request is answered, the instance exits 0, the other carries on", async (t) => {
    const target = parts.registry ? "/api/v1/search?q=ops" : "/no-such-page";
    const statuses = [];
    const failures = [];
    let stop = false;
    let answered = 0;
    const worker = async () => {
      while (!stop) {
        try {
          const r = await request(proxy.base, target, { proxy });
          statuses.push(r.status);
          answered++;
        } catch (e) {
          failures.push(e.message);
        }
      }
    };
    const workers = Array.from({ length: 6 }, worker);
    while (answered < 40) await sleep(5);
    a.child.kill("SIGTERM");
    const code = await a.exited;
    const after = answered;
    while (answered < after + 40) await sleep(5);
    stop = true;
    await Promise.all(workers);
    assert.equal(code, 0, "the instance exits 0 after draining");
    assert.deepEqual(failures, [], "no request went unanswered");
    const bad = statuses.filter((s) => s >= 500 && s !== 503);
    assert.deepEqual(bad, [], "no 5xx but the draining 503");
    const drained = statuses.filter((s) => s === 503).length;
    t.diagnostic(`SIGTERM under a stream: ${statuses.length} requests answered (${drained} with 503 while draining), exit code ${code}`);
    assert.ok(statuses.length >= 80);
    // The other instance still answers, and a restarted one keeps the data and the schema.
    const restarted = await startHub({ mail, databaseUrl: pg.url, dataDir: data, env });
    assert.match(restarted.io.out, /\(postgres, 0 migrations applied\)/);
    a = restarted;
    backends[0].port = restarted.port;
    const seen = new Set();
    for (let i = 0; i < 4; i++) seen.add((await request(proxy.base, "/healthz", { proxy })).backend);
    assert.deepEqual([...seen].sort(), [0, 1]);
  });

  test("with a shutdown delay, SIGTERM turns /readyz to 503 while the instance still serves, then it drains: a request it had taken finishes, it exits 0", async (t) => {
    if (!parts.accounts || !user) return t.skip("the accounts API has not landed yet");
    // The app as an operator behind a health-checking balancer configures it: a copy whose
    // .wflcfg adds web_server_shutdown_delay_seconds.
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "wflhub-delay-"));
    fs.cpSync(path.dirname(hubProgram), copy, { recursive: true, filter: (src) => !src.includes(`${path.sep}data`) });
    fs.appendFileSync(path.join(copy, ".wflcfg"), "\nweb_server_shutdown_delay_seconds = 1.5\n");
    const c = await startServer(path.join(copy, "main.wfl"), {
      env: { ...process.env, WFLHUB_PORT: "0", WFLHUB_DATA: data, WFLHUB_SECRET: TEST_SECRET, WFLHUB_DATABASE_URL: pg.url,
        WFLHUB_SMTP_URL: mail.url, NODE_EXTRA_CA_CERTS: mail.certFile, ...env },
    });
    const saved = backends[0].port;
    backends[0].port = c.port;
    const holder = new pgModule.Client(pg.url);
    try {
      const auth = { authorization: "Bearer " + user.token };
      assert.equal((await request(c.base, "/readyz")).status, 200);
      c.child.kill("SIGTERM");
      await sleep(250);
      // Announced: not ready, but still serving, on new connections too.
      const ready = await request(c.base, "/readyz");
      assert.equal(ready.status, 503);
      assert.deepEqual(ready.json(), { status: "draining" });
      const me = await request(c.base, "/api/v1/me", { headers: auth });
      assert.equal(me.status, 200);
      // A slow request taken now (its token check waits for a table we hold) outlives the delay.
      await holder.connect();
      await holder.query("BEGIN");
      await holder.query("LOCK TABLE api_tokens IN ACCESS EXCLUSIVE MODE");
      const slow = request(c.base, "/api/v1/me", { headers: auth });
      let blocked = false;
      for (let i = 0; i < 100 && !blocked; i++) {
        const waiting = await client.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%api_tokens%'");
        blocked = waiting.rows[0].n > 0;
        if (!blocked) await sleep(20);
      }
      assert.ok(blocked, "the request is waiting for the table");
      // After the delay the instance drains: it refuses new connections (the proxy sends them on).
      let refused = false;
      for (let i = 0; i < 100 && !refused; i++) {
        refused = await request(c.base, "/healthz").then(() => false, () => true);
        if (!refused) await sleep(50);
      }
      assert.ok(refused, "draining, the instance accepts no new connection");
      const viaProxy = await request(proxy.base, "/readyz", { proxy });
      assert.equal(viaProxy.status, 200);
      assert.equal(viaProxy.backend, 1);
      await holder.query("COMMIT");
      const finished = await slow;
      assert.equal(finished.status, 200, "the request taken before the drain finished");
      assert.equal(finished.json().username, user.username);
      assert.equal(await c.exited, 0);
    } finally {
      await holder.end().catch(() => {});
      if (c.child.exitCode === null) c.child.kill("SIGKILL");
      backends[0].port = saved;
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe("WFLHub on SQLite: a restart keeps the data, a backup restores it", () => {
  test("users, sessions, packages and archives in WFLHUB_DATA survive a stop (exit 0) and a start", async () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), "wflhub-restart-"));
    const mail = await startMailServer();
    try {
      const first = await startHub({ mail, dataDir: data });
      const parts = await partsOf(first.base);
      // A session as the instance stores it, and its CSRF token enforced.
      const dbFile = path.join(data, "wflhub.db");
      const uid = crypto.randomUUID();
      const s = sessionRow(uid);
      {
        const db = new Database(dbFile);
        db.prepare("INSERT INTO users (id, username, email, password_hash, created_at, updated_at) VALUES (?, ?, ?, 'x', ?, ?)").run(uid, "restart-user", "restart@example.test", new Date().toISOString(), new Date().toISOString());
        db.prepare("INSERT INTO wfl_sessions (id, data, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)").run(...s.row);
        db.close();
      }
      let user = null;
      let pub = null;
      if (parts.accounts) user = await registerVerifyLogin(first.base, mail);
      if (parts.registry && user) {
        pub = await publish(first.base, user.token, { name: "restart-pkg" });
        assert.ok(pub.res.status === 201 || pub.res.status === 200, `publish: ${pub.res.status} ${pub.res.text}`);
        assert.ok(fs.readdirSync(path.join(data, "archives"), { recursive: true }).length > 0, "the archive is kept under WFLHUB_DATA/archives");
      }
      assert.equal(await first.stop(), 0);

      const second = await startHub({ mail, dataDir: data });
      try {
        assert.match(second.io.out, /\(sqlite, 0 migrations applied\)/);
        const without = await request(second.base, "/api/v1/anything", { method: "POST", headers: { cookie: s.cookie } });
        assert.equal(without.status, 403, "the session (and its CSRF token) outlived the restart");
        const withToken = await request(second.base, "/api/v1/anything", { method: "POST", headers: { cookie: s.cookie, "x-csrf-token": s.csrf } });
        assert.notEqual(withToken.status, 403);
        const db = new Database(dbFile, { readonly: true });
        assert.equal(db.prepare("SELECT username FROM users WHERE id = ?").get(uid).username, "restart-user");
        db.close();
        if (user) {
          const me = await request(second.base, "/api/v1/me", { headers: { authorization: "Bearer " + user.token } });
          assert.equal(me.status, 200, "the token issued before the restart still works");
        }
        if (pub) {
          const dl = await request(second.base, "/api/v1/packages/restart-pkg/26.2.1/download");
          assert.equal(dl.status, 200);
          assert.ok(dl.bytes.equals(pub.archive));
        }
      } finally {
        assert.equal(await second.stop(), 0);
      }
    } finally {
      await mail.close();
      fs.rmSync(data, { recursive: true, force: true });
    }
  });

  test("the documented SQLite backup (sqlite3 .backup while it runs, archives copied) restores into a working instance", async (t) => {
    const sqlite3 = spawnSync("sqlite3", ["--version"]);
    if (sqlite3.error) return t.skip("the sqlite3 command is not installed");
    const data = fs.mkdtempSync(path.join(os.tmpdir(), "wflhub-backup-"));
    const restoredData = fs.mkdtempSync(path.join(os.tmpdir(), "wflhub-restored-"));
    const mail = await startMailServer();
    try {
      const hub = await startHub({ mail, dataDir: data });
      const parts = await partsOf(hub.base);
      let user = null;
      let pub = null;
      if (parts.accounts) user = await registerVerifyLogin(hub.base, mail);
      if (parts.registry && user) pub = await publish(hub.base, user.token, { name: "backup-pkg" });
      if (!user) {
        const db = new Database(path.join(data, "wflhub.db"));
        db.prepare("INSERT INTO users (id, username, email, password_hash, created_at, updated_at) VALUES (?, 'backup-user', 'b@example.test', 'x', ?, ?)").run(crypto.randomUUID(), new Date().toISOString(), new Date().toISOString());
        db.close();
      }
      // The README's commands, while the server runs.
      const backup = spawnSync("sqlite3", [path.join(data, "wflhub.db"), `.backup '${path.join(restoredData, "wflhub.db")}'`], { encoding: "utf8" });
      assert.equal(backup.status, 0, backup.stderr);
      fs.cpSync(path.join(data, "archives"), path.join(restoredData, "archives"), { recursive: true });
      assert.equal(await hub.stop(), 0);
      const restored = await startHub({ mail, dataDir: restoredData });
      try {
        assert.match(restored.io.out, /\(sqlite, 0 migrations applied\)/);
        const db = new Database(path.join(restoredData, "wflhub.db"), { readonly: true });
        assert.equal(db.prepare("SELECT COUNT(*) AS n FROM users").get().n, 1);
        db.close();
        if (user) {
          const me = await request(restored.base, "/api/v1/me", { headers: { authorization: "Bearer " + user.token } });
          assert.equal(me.status, 200);
        }
        if (pub) {
          const dl = await request(restored.base, "/api/v1/packages/backup-pkg/26.2.1/download");
          assert.equal(dl.status, 200);
          assert.ok(dl.bytes.equals(pub.archive));
        }
      } finally {
        assert.equal(await restored.stop(), 0);
      }
    } finally {
      await mail.close();
      fs.rmSync(data, { recursive: true, force: true });
      fs.rmSync(restoredData, { recursive: true, force: true });
    }
  });
});
