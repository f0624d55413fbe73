// WFLHub accounts (PRD 4.2; apps/wflhub/lib/accounts.wfl): registration and its rules, the
// verification e-mail (through a real STARTTLS+AUTH SMTP server on loopback), login with its rate
// limit and exponential backoff, API tokens (scopes, listing, revocation), over real HTTP against
// the app as an operator starts it — once on SQLite and once on a real PostgreSQL 15
// (scripts/pg-test-server.mjs; each hub has its own database). WFL_SKIP_POSTGRES=1 skips the
// PostgreSQL half.
//
// Per engine, three hubs: the main one (real SMTP, the login limit raised so that the other tests
// are not limited), one with the PRD's 5 logins a minute and no SMTP (e-mails go to the log), and
// one whose SMTP server is not there (a failed send keeps the registration).
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { SignJWT } from "jose";
import { startHub, TEST_SECRET, postgresForTests } from "./support/wflhub.mjs";
import { startMailServer } from "./support/smtp.mjs";
import { SMTPServer } from "smtp-server";
import { killServers } from "./support/server.mjs";

const skipPg = process.env.WFL_SKIP_POSTGRES === "1"; // (postgresForTests skips the same way)
const RAISED = { WFLHUB_LIMIT_LOGIN_PER_MINUTE: "100000", WFLHUB_LIMIT_REGISTER_PER_HOUR: "100000" };
const ARGON2ID = /^\$argon2id\$v=19\$m=65536,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;
const sha256 = (s) => crypto.createHash("sha256").update(s).digest("hex");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

after(() => killServers()); // registered first: the hubs stop before their PostgreSQL does
const pgTest = postgresForTests();
const freshPgDatabase = (name) => pgTest.freshDatabase(name);

/**
 * One request to the hub, from `from` (a loopback address: 127.0.0.1 by default; the hub sees it
 * as the client's IP). Resolves with {status, headers, json, text}.
 */
function api(hub, method, p, { body, token, from = "127.0.0.1", raw } = {}) {
  return new Promise((resolve, reject) => {
    const payload = raw ?? (body === undefined ? undefined : JSON.stringify(body));
    const headers = {};
    if (payload !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = Buffer.byteLength(payload);
    }
    if (token) headers.authorization = `Bearer ${token}`;
    const req = http.request({ host: "127.0.0.1", port: hub.port, method, path: p, headers, localAddress: from }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => {
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, json, text });
      });
    });
    req.on("error", reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Assert an API error: the status and the stable code, in the one error shape. */
function isError(res, status, code) {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status} ${res.text}`);
  assert.equal(res.json?.error?.code, code, res.text);
  assert.equal(typeof res.json.error.message, "string");
  assert.ok(res.json.error.message.length > 0);
}

/** SQL on the hub's database ($1… placeholders): SQLite through its file, PostgreSQL through pg. */
function sqlOf(engine, hub, url) {
  if (engine === "sqlite") {
    return async (text, params = []) => {
      const db = new Database(path.join(hub.dataDir, "wflhub.db"));
      try {
        db.pragma("busy_timeout = 5000");
        const st = db.prepare(text.replace(/\$\d+/g, "?"));
        return st.reader ? st.all(...params) : (st.run(...params), []);
      } finally {
        db.close();
      }
    };
  }
  return async (text, params = []) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(text, params)).rows;
    } finally {
      await client.end();
    }
  };
}

/** The token of the verification link in an e-mail (or a log) text. */
function linkToken(text) {
  const m = /\/verify-email\?token=([0-9a-f]{64})/.exec(text);
  assert.ok(m, `no verification link in: ${text}`);
  return m[1];
}

/** The hub's standard output once it matches `re` (it is written as the hub goes; waits up to 5 s). */
async function logged(hub, re) {
  for (let waited = 0; !re.test(hub.io.out); waited += 50) {
    if (waited > 5000) assert.match(hub.io.out, re);
    await sleep(50);
  }
  return hub.io.out;
}

function engines() {
  const list = ["sqlite"];
  if (!skipPg) list.push("postgresql");
  return list;
}

let seq = 0;
const unique = (prefix) => `${prefix}${process.pid % 1000}x${++seq}`;

// The engines run side by side (each has its own hubs, databases and mail server).
describe("WFLHub accounts", { concurrency: 2 }, () => {
  for (const engine of engines()) {
    describe(`WFLHub accounts on ${engine}`, () => {
      let mail, hub, sql, mainUrl;
      before(async () => {
        mail = await startMailServer();
        mainUrl = engine === "postgresql" ? await freshPgDatabase("hub_main") : undefined;
        hub = await startHub({ mail, databaseUrl: mainUrl, env: { ...RAISED, WFLHUB_BASE_URL: "https://hub.example.test" } });
        sql = sqlOf(engine, hub, mainUrl);
      });
      after(async () => {
        if (hub) await hub.stop();
        if (mail) await mail.close();
      });

      /** Register a user and read the verification e-mail; {username, email, password, token}. */
      async function registered(prefix = "user") {
        const username = unique(prefix);
        const email = `${username}@example.com`;
        const password = `pw-${username}-long`;
        const res = await api(hub, "POST", "/api/v1/register", { body: { username, email, password } });
        assert.equal(res.status, 201, res.text);
        const message = await mail.next((m) => m.to.includes(email));
        return { username, email, password, verification: linkToken(message.text), message };
      }
      async function login(user, from) {
        const res = await api(hub, "POST", "/api/v1/login", { body: { username: user.username, password: user.password }, from });
        assert.equal(res.status, 200, res.text);
        return res.json.token;
      }

      test("registration answers 201 {username, email, email_verified: false} and stores an Argon2id hash, never the password", async () => {
        const username = unique("ada");
        const password = "correct horse battery";
        const res = await api(hub, "POST", "/api/v1/register", { body: { username, email: `${username.toUpperCase()}@Example.COM`, password } });
        assert.equal(res.status, 201, res.text);
        assert.deepEqual(res.json, { username, email: `${username}@example.com`, email_verified: false });
        const [row] = await sql("SELECT password_hash, email_verified FROM users WHERE username = $1", [username]);
        assert.match(row.password_hash, ARGON2ID);
        assert.equal(Number(row.email_verified), 0);
        if (engine === "sqlite") {
          const files = ["wflhub.db", "wflhub.db-wal"].map((f) => path.join(hub.dataDir, f)).filter((f) => fs.existsSync(f));
          const bytes = Buffer.concat(files.map((f) => fs.readFileSync(f)));
          assert.ok(bytes.includes(Buffer.from(username)), "the user is in the database file");
          assert.ok(!bytes.includes(Buffer.from(password)), "the password is not in the database file");
        }
      });

      test("registration rules of PRD 4.2.1: each refusal has its code (invalid_username, invalid_email, weak_password, invalid_body)", async () => {
        const good = { username: unique("rules"), email: `${unique("rules")}@example.com`, password: "long enough pw" };
        const cases = [
          [{ username: "ab" }, "invalid_username"], // too short
          [{ username: "a".repeat(40) }, "invalid_username"], // too long
          [{ username: "Ada-lovelace" }, "invalid_username"], // upper case
          [{ username: "1ada" }, "invalid_username"], // must start with a letter
          [{ username: "-ada" }, "invalid_username"],
          [{ username: "ada_lovelace" }, "invalid_username"], // underscore
          [{ username: "ada lovelace" }, "invalid_username"],
          [{ username: 42 }, "invalid_username"],
          [{ username: undefined }, "invalid_username"],
          [{ email: "not-an-address" }, "invalid_email"],
          [{ email: "ada@localhost" }, "invalid_email"],
          [{ email: "ada lovelace@example.com" }, "invalid_email"],
          [{ email: "ada@exa mple.com" }, "invalid_email"],
          [{ email: "a@b@example.com" }, "invalid_email"],
          [{ email: "ada@example.com, eve@example.com" }, "invalid_email"],
          [{ email: "Ada <ada@example.com>" }, "invalid_email"],
          [{ email: "" }, "invalid_email"],
          [{ password: "123456789" }, "weak_password"], // 9 characters
          [{ password: "" }, "weak_password"],
          [{ password: undefined }, "weak_password"],
        ];
        for (const [change, code] of cases) {
          const body = { ...good, ...change };
          isError(await api(hub, "POST", "/api/v1/register", { body }), 400, code);
        }
        isError(await api(hub, "POST", "/api/v1/register", { raw: "{not json" }), 400, "invalid_body");
        isError(await api(hub, "POST", "/api/v1/register", { raw: "[1, 2]" }), 400, "invalid_body");
        // The limits themselves are allowed: 3 and 39 characters, a 10-character password.
        const three = `z${(++seq).toString(36).padStart(2, "0").slice(-2)}`;
        assert.equal(three.length, 3);
        const res = await api(hub, "POST", "/api/v1/register", { body: { username: three, email: `${unique("three")}@example.com`, password: "0123456789" } });
        assert.equal(res.status, 201, res.text);
        const longName = `l${unique("")}`.padEnd(39, "a");
        assert.equal(longName.length, 39);
        assert.equal((await api(hub, "POST", "/api/v1/register", { body: { username: longName, email: `${unique("long")}@example.com`, password: "0123456789" } })).status, 201);
        const [{ n }] = await sql("SELECT COUNT(*) AS n FROM users WHERE username = $1", ["ab"]);
        assert.equal(Number(n), 0, "nothing refused was stored");
      });

      test("a taken username answers 409 username_taken, a taken e-mail address (in any case) 409 email_taken", async () => {
        const user = await registered("dup");
        isError(await api(hub, "POST", "/api/v1/register", { body: { username: user.username, email: `${unique("other")}@example.com`, password: "another password" } }), 409, "username_taken");
        isError(await api(hub, "POST", "/api/v1/register", { body: { username: unique("other"), email: user.email.toUpperCase(), password: "another password" } }), 409, "email_taken");
        const [{ n }] = await sql("SELECT COUNT(*) AS n FROM users WHERE email = $1", [user.email]);
        assert.equal(Number(n), 1);
      });

      test("two registrations of one username at the same moment: one is created (201), the other answers 409 username_taken", async () => {
        const username = unique("race");
        const attempts = [1, 2].map((i) => api(hub, "POST", "/api/v1/register", { body: { username, email: `${username}-${i}@example.com`, password: "a long password" } }));
        const answers = await Promise.all(attempts);
        assert.deepEqual(answers.map((r) => r.status).sort(), [201, 409], answers.map((r) => r.text).join("\n"));
        isError(answers.find((r) => r.status === 409), 409, "username_taken");
        const [{ n }] = await sql("SELECT COUNT(*) AS n FROM users WHERE username = $1", [username]);
        assert.equal(Number(n), 1);
      });

      test("the verification e-mail arrives over SMTP (STARTTLS, AUTH) with a link whose token verifies the address once", async () => {
        const user = await registered("mail");
        assert.equal(user.message.secure, true, "sent over TLS");
        assert.match(user.message.raw, /Subject: Verify your WFLHub account/);
        assert.match(user.message.text, new RegExp(`Hello ${user.username}`));
        assert.ok(user.message.text.includes(`https://hub.example.test/verify-email?token=${user.verification}`), user.message.text);
        // Stored only as its SHA-256.
        const rows = await sql("SELECT v.token_hash, v.expires_at, v.created_at FROM email_verifications v JOIN users u ON u.id = v.user_id WHERE u.username = $1", [user.username]);
        assert.equal(rows.length, 1);
        assert.equal(rows[0].token_hash, sha256(user.verification));
        const hours = (Date.parse(rows[0].expires_at) - Date.parse(rows[0].created_at)) / 3600e3;
        assert.equal(hours, 24);
        const token = await login(user);
        assert.equal((await api(hub, "GET", "/api/v1/me", { token })).json.email_verified, false, "an unverified account may log in");
        const ok = await api(hub, "POST", "/api/v1/verify-email", { body: { token: user.verification } });
        assert.equal(ok.status, 200, ok.text);
        assert.deepEqual(ok.json, { username: user.username, email_verified: true });
        const me = await api(hub, "GET", "/api/v1/me", { token });
        assert.equal(me.status, 200);
        assert.equal(me.json.email_verified, true);
        assert.equal(me.json.username, user.username);
        assert.equal(me.json.email, user.email);
        assert.equal(me.json.password_hash, undefined);
        // Used once: refused after.
        isError(await api(hub, "POST", "/api/v1/verify-email", { body: { token: user.verification } }), 400, "invalid_token");
      });

      test("a wrong, missing or expired verification token is refused (invalid_token, expired_token) and verifies nothing", async () => {
        const user = await registered("expire");
        isError(await api(hub, "POST", "/api/v1/verify-email", { body: { token: "0".repeat(64) } }), 400, "invalid_token");
        isError(await api(hub, "POST", "/api/v1/verify-email", { body: { token: user.verification.slice(0, 63) + "x" } }), 400, "invalid_token");
        isError(await api(hub, "POST", "/api/v1/verify-email", { body: {} }), 400, "invalid_token");
        isError(await api(hub, "POST", "/api/v1/verify-email", { body: { token: 12 } }), 400, "invalid_token");
        // The hash of the link's token names the row; 24 h later it has expired.
        await sql("UPDATE email_verifications SET expires_at = $1 WHERE token_hash = $2", ["2001-01-01T00:00:00Z", sha256(user.verification)]);
        isError(await api(hub, "POST", "/api/v1/verify-email", { body: { token: user.verification } }), 400, "expired_token");
        const [row] = await sql("SELECT email_verified FROM users WHERE username = $1", [user.username]);
        assert.equal(Number(row.email_verified), 0);
      });

      test("resend-verification sends a new link (at most one a minute) that verifies; a verified account is told so", async () => {
        const user = await registered("resend");
        const token = await login(user);
        const soon = await api(hub, "POST", "/api/v1/resend-verification", { token });
        isError(soon, 429, "rate_limited");
        assert.ok(Number(soon.headers["retry-after"]) >= 1);
        // A minute later (the first link's time moved back) a new e-mail goes out.
        await sql("UPDATE email_verifications SET created_at = $1 WHERE token_hash = $2", ["2001-01-01T00:00:00Z", sha256(user.verification)]);
        const before = mail.messages.filter((m) => m.to.includes(user.email)).length;
        const res = await api(hub, "POST", "/api/v1/resend-verification", { token });
        assert.equal(res.status, 202, res.text);
        const second = await mail.next((m) => m.to.includes(user.email) && linkToken(m.text) !== user.verification);
        assert.equal(mail.messages.filter((m) => m.to.includes(user.email)).length, before + 1);
        const fresh = linkToken(second.text);
        assert.equal((await api(hub, "POST", "/api/v1/verify-email", { body: { token: fresh } })).status, 200);
        isError(await api(hub, "POST", "/api/v1/resend-verification", { token }), 409, "already_verified");
      });

      test("login by username and by e-mail answers {token, expires_at}: a full-scope JWT for 90 days", async () => {
        const user = await registered("login");
        for (const body of [{ username: user.username, password: user.password }, { email: user.email, password: user.password }, { email: user.email.toUpperCase(), password: user.password }]) {
          const res = await api(hub, "POST", "/api/v1/login", { body });
          assert.equal(res.status, 200, res.text);
          assert.deepEqual(Object.keys(res.json).sort(), ["expires_at", "token"]);
          const days = (Date.parse(res.json.expires_at) - Date.now()) / 86400e3;
          assert.ok(days > 89.9 && days <= 90, `expires in ${days} days`);
          const claims = JSON.parse(Buffer.from(res.json.token.split(".")[1], "base64url").toString());
          assert.equal(claims.scope, "full");
          const me = await api(hub, "GET", "/api/v1/me", { token: res.json.token });
          assert.equal(me.status, 200);
          assert.equal(me.json.username, user.username);
          assert.equal(claims.sub, me.json.id);
        }
        const audit = await sql("SELECT a.action, a.ip FROM audit_log a JOIN users u ON u.id = a.actor_id WHERE u.username = $1 AND a.action = 'login'", [user.username]);
        assert.equal(audit.length, 3);
        assert.equal(audit[0].ip, "127.0.0.1");
      });

      test("a wrong password, an unknown user or a missing field answers 401 invalid_credentials, in the same words", async () => {
        const user = await registered("wrong");
        const from = "127.0.0.20";
        const wrong = await api(hub, "POST", "/api/v1/login", { body: { username: user.username, password: "not the password" }, from });
        isError(wrong, 401, "invalid_credentials");
        const nobody = await api(hub, "POST", "/api/v1/login", { body: { username: unique("nobody"), password: "not the password" }, from: "127.0.0.21" });
        isError(nobody, 401, "invalid_credentials");
        assert.equal(nobody.json.error.message, wrong.json.error.message);
        isError(await api(hub, "POST", "/api/v1/login", { body: { username: user.username }, from: "127.0.0.22" }), 401, "invalid_credentials");
        isError(await api(hub, "POST", "/api/v1/login", { raw: "nope", from: "127.0.0.22" }), 400, "invalid_body");
        const failed = await sql("SELECT a.ip FROM audit_log a JOIN users u ON u.id = a.actor_id WHERE u.username = $1 AND a.action = 'login_failed'", [user.username]);
        assert.deepEqual(failed.map((r) => r.ip).sort(), [from, "127.0.0.22"]);
      });

      test("a login naming no user costs a password check like a wrong password does (no telling who has an account by timing)", async () => {
        const user = await registered("timing");
        const timed = async (username, from) => {
          const t0 = performance.now();
          isError(await api(hub, "POST", "/api/v1/login", { body: { username, password: "not the password" }, from }), 401, "invalid_credentials");
          return performance.now() - t0;
        };
        const known = [], unknown = [];
        for (let i = 0; i < 3; i++) {
          known.push(await timed(user.username, `127.0.6.${i + 1}`));
          unknown.push(await timed(unique("nobody"), `127.0.6.${i + 11}`));
        }
        const [k, u] = [Math.min(...known), Math.min(...unknown)];
        // Not much faster (a check skipped would be: a failure without Argon2 takes a few ms). An upper
      // bound would only measure the load of a shared test machine.
      assert.ok(u > 0.3 * k, `fastest known-user failure ${k.toFixed(0)} ms, unknown-user ${u.toFixed(0)} ms`);
        await sleep(1100); // the three failures made the account wait 1 s
        await login(user, "127.0.6.30"); // clears the account's failures
      });

      test("backoff: after 3 failures in a row an account waits 1 s, then 2 s (429 + Retry-After), from any IP; a success clears it", async () => {
        const user = await registered("backoff");
        const bad = { username: user.username, password: "not the password" };
        // Each failure from another IP, so that only the account's count grows.
        for (let i = 1; i <= 3; i++) isError(await api(hub, "POST", "/api/v1/login", { body: bad, from: `127.0.1.${i}` }), 401, "invalid_credentials");
        // Blocked now, even with the right password, from a fresh IP.
        let res = await api(hub, "POST", "/api/v1/login", { body: { username: user.username, password: user.password }, from: "127.0.1.10" });
        isError(res, 429, "rate_limited");
        assert.equal(res.headers["retry-after"], "1");
        await sleep(1100);
        isError(await api(hub, "POST", "/api/v1/login", { body: bad, from: "127.0.1.4" }), 401, "invalid_credentials");
        res = await api(hub, "POST", "/api/v1/login", { body: bad, from: "127.0.1.5" });
        isError(res, 429, "rate_limited");
        assert.ok(["1", "2"].includes(res.headers["retry-after"]), res.headers["retry-after"]);
        // Another account from one of those IPs is not blocked.
        const other = await registered("bystander");
        await login(other, "127.0.1.5");
        await sleep(2100);
        await login(user, "127.0.1.11");
        const [row] = await sql("SELECT COUNT(*) AS n FROM login_failures l JOIN users u ON l.key = 'user:' || u.id WHERE u.username = $1", [user.username]);
        assert.equal(Number(row.n), 0, "the success cleared the account's failures");
        isError(await api(hub, "POST", "/api/v1/login", { body: bad, from: "127.0.1.12" }), 401, "invalid_credentials");
      });

      test("backoff per IP: 3 failures from one IP, whatever the accounts, make that IP wait; other IPs do not", async () => {
        const user = await registered("ipwait");
        const from = "127.0.2.1";
        for (let i = 0; i < 3; i++) isError(await api(hub, "POST", "/api/v1/login", { body: { username: unique("ghost"), password: "whatever it is" }, from }), 401, "invalid_credentials");
        const res = await api(hub, "POST", "/api/v1/login", { body: { username: user.username, password: user.password }, from });
        isError(res, 429, "rate_limited");
        assert.equal(res.headers["retry-after"], "1");
        await login(user, "127.0.2.2");
        const [row] = await sql("SELECT failures, blocked_until FROM login_failures WHERE key = $1", [`ip:${from}`]);
        assert.equal(Number(row.failures), 3);
        assert.match(row.blocked_until, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      });

      test("failures nobody repeated for a day are forgotten (the next failure sweeps them)", async () => {
        await sql("INSERT INTO login_failures (key, failures, blocked_until, updated_at) VALUES ($1, 7, '', $2)", ["ip:192.0.2.1", "2001-01-01T00:00:00Z"]);
        isError(await api(hub, "POST", "/api/v1/login", { body: { username: unique("nobody"), password: "whatever it is" }, from: "127.0.7.1" }), 401, "invalid_credentials");
        assert.equal((await sql("SELECT key FROM login_failures WHERE key = $1", ["ip:192.0.2.1"])).length, 0);
        assert.equal((await sql("SELECT key FROM login_failures WHERE key = $1", ["ip:127.0.7.1"])).length, 1);
      });

      test("tokens: created with a scope (shown once, stored only as SHA-256), listed with last_used_at after use, never with the token", async () => {
        const user = await registered("tokens");
        const full = await login(user);
        const created = await api(hub, "POST", "/api/v1/tokens", { token: full, body: { name: "CI", scope: "publish" } });
        assert.equal(created.status, 201, created.text);
        assert.equal(created.json.name, "CI");
        assert.equal(created.json.scope, "publish");
        assert.match(created.json.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
        const unused = await api(hub, "POST", "/api/v1/tokens", { token: full, body: { name: "spare", scope: "read-only" } });
        assert.equal(unused.status, 201);
        for (const scope of ["admin", "", "Full", undefined]) isError(await api(hub, "POST", "/api/v1/tokens", { token: full, body: { name: "x", scope } }), 400, "invalid_scope");
        isError(await api(hub, "POST", "/api/v1/tokens", { token: full, body: { name: "  ", scope: "full" } }), 400, "invalid_name");
        isError(await api(hub, "POST", "/api/v1/tokens", { token: full, body: { name: "x".repeat(101), scope: "full" } }), 400, "invalid_name");
        // Use the publish token (it may read).
        assert.equal((await api(hub, "GET", "/api/v1/me", { token: created.json.token })).status, 200);
        const list = await api(hub, "GET", "/api/v1/tokens", { token: full });
        assert.equal(list.status, 200, list.text);
        const tokens = list.json.tokens;
        assert.equal(tokens.length, 3); // the login's, CI, spare
        for (const t of tokens) {
          assert.deepEqual(Object.keys(t).sort(), ["created_at", "expires_at", "id", "last_used_at", "name", "revoked_at", "scope"]);
        }
        const ci = tokens.find((t) => t.id === created.json.id);
        assert.match(ci.last_used_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        assert.equal(tokens.find((t) => t.id === unused.json.id).last_used_at, null);
        assert.ok(!list.text.includes(created.json.token));
        // The database holds only the hash.
        const [row] = await sql("SELECT token_hash FROM api_tokens WHERE id = $1", [created.json.id]);
        assert.equal(row.token_hash, sha256(created.json.token));
        if (engine === "sqlite") {
          const files = ["wflhub.db", "wflhub.db-wal"].map((f) => path.join(hub.dataDir, f)).filter((f) => fs.existsSync(f));
          const bytes = Buffer.concat(files.map((f) => fs.readFileSync(f)));
          assert.ok(!bytes.includes(Buffer.from(created.json.token)), "the token is not in the database file");
          assert.ok(!bytes.includes(Buffer.from(user.verification)), "the verification token is not in the database file");
        }
        const audit = await sql("SELECT subject FROM audit_log WHERE action = 'token_created' AND subject = $1", [created.json.id]);
        assert.equal(audit.length, 1);
      });

      test("API logins keep at most 10 live login tokens: each later login revokes the oldest; tokens a user made and named (even 'login') stay", async () => {
        const user = await registered("logins");
        const first = await login(user);
        const named = await api(hub, "POST", "/api/v1/tokens", { token: first, body: { name: "login", scope: "read-only" } });
        assert.equal(named.status, 201, named.text);
        const later = [];
        for (let i = 0; i < 11; i++) later.push(await login(user));
        const status = async (token) => (await api(hub, "GET", "/api/v1/me", { token })).status;
        assert.equal(await status(first), 401, "the oldest login token is revoked");
        assert.equal(await status(later[0]), 401, "so is the next oldest: 12 logins, 10 live");
        for (const token of later.slice(1)) assert.equal(await status(token), 200);
        assert.equal(await status(named.json.token), 200, "a token the user made is never retired by logins");
        const list = (await api(hub, "GET", "/api/v1/tokens", { token: later.at(-1) })).json.tokens;
        assert.equal(list.length, 13);
        assert.equal(list.filter((t) => t.revoked_at !== null).length, 2);
        assert.equal(list.filter((t) => t.name === "login" && t.revoked_at === null).length, 11); // 10 from logins, and the named one
      });

      test("a revoked token is refused (401) at once; revoking an unknown or another user's token answers 404", async () => {
        const user = await registered("revoke");
        const full = await login(user);
        const made = (await api(hub, "POST", "/api/v1/tokens", { token: full, body: { name: "to revoke", scope: "full" } })).json;
        assert.equal((await api(hub, "GET", "/api/v1/me", { token: made.token })).status, 200);
        const other = await registered("thief");
        const otherToken = await login(other);
        isError(await api(hub, "DELETE", `/api/v1/tokens/${made.id}`, { token: otherToken }), 404, "not_found");
        isError(await api(hub, "DELETE", `/api/v1/tokens/${crypto.randomUUID()}`, { token: full }), 404, "not_found");
        const res = await api(hub, "DELETE", `/api/v1/tokens/${made.id}`, { token: full });
        assert.equal(res.status, 200, res.text);
        const refused = await api(hub, "GET", "/api/v1/me", { token: made.token });
        isError(refused, 401, "invalid_token");
        assert.match(refused.headers["www-authenticate"], /^Bearer/);
        const listed = (await api(hub, "GET", "/api/v1/tokens", { token: full })).json.tokens.find((t) => t.id === made.id);
        assert.match(listed.revoked_at, /^\d{4}-\d\d-\d\dT/);
        assert.equal((await sql("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'token_revoked' AND subject = $1", [made.id]))[0].n * 1, 1);
        // A token may revoke itself.
        const { jti } = JSON.parse(Buffer.from(full.split(".")[1], "base64url").toString());
        assert.equal((await api(hub, "DELETE", `/api/v1/tokens/${jti}`, { token: full })).status, 200);
        isError(await api(hub, "GET", "/api/v1/tokens", { token: full }), 401, "invalid_token");
      });

      test("a read-only token may read but is refused (403 insufficient_scope) for a full-scope action; no token is 401", async () => {
        const user = await registered("readonly");
        const full = await login(user);
        const ro = (await api(hub, "POST", "/api/v1/tokens", { token: full, body: { name: "read", scope: "read-only" } })).json.token;
        assert.equal((await api(hub, "GET", "/api/v1/me", { token: ro })).status, 200);
        isError(await api(hub, "POST", "/api/v1/tokens", { token: ro, body: { name: "escalate", scope: "full" } }), 403, "insufficient_scope");
        isError(await api(hub, "GET", "/api/v1/tokens", { token: ro }), 403, "insufficient_scope");
        const pub = (await api(hub, "POST", "/api/v1/tokens", { token: full, body: { name: "pub", scope: "publish" } })).json.token;
        isError(await api(hub, "POST", "/api/v1/tokens", { token: pub, body: { name: "escalate", scope: "full" } }), 403, "insufficient_scope");
        isError(await api(hub, "GET", "/api/v1/me"), 401, "unauthorized");
      });

      test("a token signed with another secret is refused (401), though its claims name a live token", async () => {
        const user = await registered("forged");
        const real = await login(user);
        const claims = JSON.parse(Buffer.from(real.split(".")[1], "base64url").toString());
        const forged = await new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode("another-secret-another-secret-another-secret-0"));
        isError(await api(hub, "GET", "/api/v1/me", { token: forged }), 401, "invalid_token");
        const same = await new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(TEST_SECRET));
        assert.equal(same, real, "the same claims with the hub's secret give the very token (so only the secret differed)");
      });

      test("profile: PATCH /api/v1/me sets bio and avatar_url (checked), keeps what is left out, clears an empty one; read-only tokens may not", async () => {
        const user = await registered("profile");
        const full = await login(user);
        let res = await api(hub, "PATCH", "/api/v1/me", { token: full, body: { bio: "  Writes WFL packages.  ", avatar_url: "https://example.com/a.png" } });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.bio, "Writes WFL packages.");
        assert.equal(res.json.avatar_url, "https://example.com/a.png");
        res = await api(hub, "PATCH", "/api/v1/me", { token: full, body: { bio: "Changed." } });
        assert.equal(res.json.avatar_url, "https://example.com/a.png", "left out, kept");
        isError(await api(hub, "PATCH", "/api/v1/me", { token: full, body: { avatar_url: "javascript:alert(1)" } }), 400, "invalid_avatar_url");
        isError(await api(hub, "PATCH", "/api/v1/me", { token: full, body: { bio: "x".repeat(1001) } }), 400, "invalid_bio");
        isError(await api(hub, "PATCH", "/api/v1/me", { token: full, body: { bio: 7 } }), 400, "invalid_bio");
        res = await api(hub, "PATCH", "/api/v1/me", { token: full, body: { avatar_url: "" } });
        assert.equal(res.json.avatar_url, null);
        assert.equal(res.json.bio, "Changed.");
        const ro = (await api(hub, "POST", "/api/v1/tokens", { token: full, body: { name: "ro", scope: "read-only" } })).json.token;
        isError(await api(hub, "PATCH", "/api/v1/me", { token: ro, body: { bio: "no" } }), 403, "insufficient_scope");
        const [row] = await sql("SELECT bio, avatar_url FROM users WHERE username = $1", [user.username]);
        assert.deepEqual({ ...row }, { bio: "Changed.", avatar_url: null });
      });

      test("password change: the current password is required (403), the new one follows the rules (400); afterwards only the new one logs in", async () => {
        const user = await registered("passwd");
        const full = await login(user);
        isError(await api(hub, "POST", "/api/v1/me/password", { token: full, body: { current_password: "not it at all", new_password: "a new long password" } }), 403, "invalid_credentials");
        isError(await api(hub, "POST", "/api/v1/me/password", { token: full, body: { current_password: user.password, new_password: "short" } }), 400, "weak_password");
        const res = await api(hub, "POST", "/api/v1/me/password", { token: full, body: { current_password: user.password, new_password: "a new long password" } });
        assert.equal(res.status, 200, res.text);
        isError(await api(hub, "POST", "/api/v1/login", { body: { username: user.username, password: user.password }, from: "127.0.4.1" }), 401, "invalid_credentials");
        await login({ ...user, password: "a new long password" }, "127.0.4.2");
        const [row] = await sql("SELECT password_hash FROM users WHERE username = $1", [user.username]);
        assert.match(row.password_hash, ARGON2ID);
      });

      describe("with the PRD's login limit, the default registration limit and no SMTP server", () => {
        let limited;
        before(async () => {
          const url = engine === "postgresql" ? await freshPgDatabase("hub_limit") : undefined;
          limited = await startHub({ databaseUrl: url });
        });
        after(async () => limited && (await limited.stop()));

        test("without WFLHUB_SMTP_URL the e-mail (to, subject, link) is written to the log, and its link verifies", async () => {
          const username = unique("logged");
          const email = `${username}@example.com`;
          const res = await api(limited, "POST", "/api/v1/register", { body: { username, email, password: "a long password" } });
          assert.equal(res.status, 201, res.text);
          const out = await logged(limited, new RegExp(`to ${email}, subject: Verify your WFLHub account[^]*verify-email\\?token=[0-9a-f]{64}`));
          const token = linkToken(out.slice(out.indexOf(`to ${email}`)));
          assert.equal((await api(limited, "POST", "/api/v1/verify-email", { body: { token } })).status, 200);
        });

        test("the sixth login in a minute from one IP answers 429 rate_limited with Retry-After (5 per minute per IP); another IP may log in", async () => {
          const username = unique("limit");
          const password = "a long password";
          assert.equal((await api(limited, "POST", "/api/v1/register", { body: { username, email: `${username}@example.com`, password } })).status, 201);
          const from = "127.0.3.1";
          for (let i = 0; i < 5; i++) {
            const ok = await api(limited, "POST", "/api/v1/login", { body: { username, password }, from });
            assert.equal(ok.status, 200, `login ${i + 1}: ${ok.text}`);
          }
          const res = await api(limited, "POST", "/api/v1/login", { body: { username, password }, from });
          isError(res, 429, "rate_limited");
          const retry = Number(res.headers["retry-after"]);
          assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `Retry-After: ${res.headers["retry-after"]}`);
          assert.equal((await api(limited, "POST", "/api/v1/login", { body: { username, password }, from: "127.0.3.2" })).status, 200);
        });

        test("the eleventh registration attempt in an hour from one IP answers 429 rate_limited with Retry-After; another IP may register", async () => {
          const from = "127.0.5.1";
          for (let i = 0; i < 10; i++) isError(await api(limited, "POST", "/api/v1/register", { body: { username: "x" }, from }), 400, "invalid_username");
          const username = unique("spam");
          const body = { username, email: `${username}@example.com`, password: "a long password" };
          const res = await api(limited, "POST", "/api/v1/register", { body, from });
          isError(res, 429, "rate_limited");
          assert.ok(Number(res.headers["retry-after"]) > 3000, res.headers["retry-after"]);
          assert.equal((await api(limited, "POST", "/api/v1/register", { body, from: "127.0.5.2" })).status, 201);
        });
      });

      describe("with a development SMTP server without TLS (?tls=off)", () => {
        let devHub, dev;
        const received = [];
        before(async () => {
          dev = new SMTPServer({
            disabledCommands: ["STARTTLS", "AUTH"],
            logger: false,
            onData(stream, session, cb) {
              let raw = "";
              stream.on("data", (d) => (raw += d));
              stream.on("end", () => {
                received.push({ raw, to: session.envelope.rcptTo.map((r) => r.address), secure: session.secure });
                cb();
              });
            },
          });
          await new Promise((resolve) => dev.listen(0, "127.0.0.1", resolve));
          const url = engine === "postgresql" ? await freshPgDatabase("hub_devmail") : undefined;
          devHub = await startHub({ databaseUrl: url, env: { ...RAISED, WFLHUB_SMTP_URL: `smtp://127.0.0.1:${dev.server.address().port}?tls=off` } });
        });
        after(async () => {
          if (devHub) await devHub.stop();
          if (dev) await new Promise((r) => dev.close(r));
        });

        test("the verification e-mail goes out in plain text, without credentials, only because the URL says ?tls=off", async () => {
          const username = unique("devmail");
          const email = `${username}@example.com`;
          assert.equal((await api(devHub, "POST", "/api/v1/register", { body: { username, email, password: "a long password" } })).status, 201);
          const message = received.find((m) => m.to.includes(email));
          assert.ok(message, "the e-mail arrived");
          assert.equal(message.secure, false);
          assert.match(message.raw.replace(/=\r\n/g, ""), /verify-email\?token=3D[0-9a-f]{64}/); // quoted-printable
        });
      });

      describe("with an SMTP server that is not there", () => {
        let broken;
        before(async () => {
          const port = await new Promise((resolve) => {
            const s = net.createServer();
            s.listen(0, "127.0.0.1", () => {
              const p = s.address().port;
              s.close(() => resolve(p));
            });
          });
          const url = engine === "postgresql" ? await freshPgDatabase("hub_nomail") : undefined;
          broken = await startHub({ databaseUrl: url, env: { ...RAISED, WFLHUB_SMTP_URL: `smtp://user:pass@127.0.0.1:${port}` } });
        });
        after(async () => broken && (await broken.stop()));

        test("a failed send keeps the registration (201, logged); the account may log in", async () => {
          const username = unique("nomail");
          const res = await api(broken, "POST", "/api/v1/register", { body: { username, email: `${username}@example.com`, password: "a long password" } });
          assert.equal(res.status, 201, res.text);
          await logged(broken, new RegExp(`mail to ${username}@example.com \\(Verify your WFLHub account\\) could not be sent: Cannot connect`));
          assert.doesNotMatch(broken.io.out + broken.io.err, /user:pass|:pass@/);
          const login = await api(broken, "POST", "/api/v1/login", { body: { username, password: "a long password" } });
          assert.equal(login.status, 200, login.text);
        });
      });
    });
  }
});
