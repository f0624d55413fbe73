// The example app examples/guestbook/ end to end, with real parts: a real SMTP server on loopback
// that demands STARTTLS before AUTH (smtp-server, a throw-away certificate the app trusts through
// NODE_EXTRA_CA_CERTS), the app as a subprocess (bin/wfl) on a real SQLite file, and fetch with a
// small cookie jar. It checks the five features of seed 003, 3.6-3.10, working together: routes
// (404, 405), templates (escaped HTML), e-mail (the sign-in code), sessions with CSRF (403 without
// the token), rate limiting (429 with Retry-After), and that entries survive a restart.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { startMailServer, SMTP_USER, SMTP_PASSWORD } from "./support/smtp.mjs";
import { startServer, killServers, browserSession as browser } from "./support/server.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const app = path.join(root, "examples/guestbook/main.wfl");
let dir;
let smtp;
let mail;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "wfl-guestbook-"));
  smtp = await startMailServer();
  mail = smtp;
  fs.writeFileSync(path.join(dir, "settings.toml"), [
    "[app]",
    "port = 0",
    `database = "sqlite://${path.join(dir, "guestbook.db")}"`,
    'from = "Guestbook <guestbook@example.org>"',
    "[smtp]",
    'host = "127.0.0.1"',
    `port = ${smtp.port}`,
    `username = "${SMTP_USER}"`,
    `password = "${SMTP_PASSWORD}"`,
    "[limits]",
    "sign_in_attempts_per_minute = 5",
    "",
  ].join("\n"));
});
after(async () => {
  killServers();
  if (smtp) await smtp.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Starts the app on the test's settings; resolves once it displays its server (port 0 → the real one). */
function startApp() {
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: smtp.certFile };
  return startServer(app, { cwd: dir, env, args: [path.join(dir, "settings.toml")] });
}

const tokenOf = (html) => {
  const m = /name="csrf_token" value="([^"]+)"/.exec(html);
  assert.ok(m, `no csrf_token field in the page:\n${html}`);
  return m[1];
};

async function stop(server) {
  server.child.kill("SIGTERM");
  assert.equal(await server.exited, 0, server.io.err);
}

// One visit, in order: each test goes on from where the one before left off.
let server;
let get;
let token;
let oldToken;

test("the home page is HTML from the templates, with a session cookie and the CSRF token in its form; 404 for an unknown path, 405 with Allow for a wrong method", async () => {
  server = await startApp();
  get = browser(server.base);
  const home = await get("/");
  assert.equal(home.status, 200);
  assert.match(home.headers.get("content-type"), /^text\/html/);
  assert.match(home.headers.get("set-cookie"), /^wfl_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
  assert.match(home.text, /<h2>Sign in to write<\/h2>/);
  assert.match(home.text, /No entries yet\./);
  token = tokenOf(home.text);

  assert.equal((await get("/nowhere")).status, 404);
  const wrong = await get("/entries");
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get("allow"), "POST");
  // Posting before signing in is refused (401), with the token; without it, CSRF answers 403 first.
  assert.equal((await get("/entries", { method: "POST", form: { message: "hi", csrf_token: token } })).status, 401);
  assert.equal((await get("/entries", { method: "POST", form: { message: "hi" } })).status, 403);
});

test("a visitor signs in with a code the app e-mails through an SMTP server demanding STARTTLS; the signed-in session is a new one", async () => {
  const asked = await get("/sign-in", { method: "POST", form: { email: "Ada@Example.org", csrf_token: token } });
  assert.equal(asked.status, 303);
  assert.equal(asked.headers.get("location"), "/");
  assert.equal(mail.messages.length, 1);
  const letter = mail.messages[0];
  assert.deepEqual(letter.to, ["ada@example.org"]);
  assert.equal(letter.secure, true);
  assert.ok(mail.auths.length >= 1 && mail.auths.every((a) => a.secure), "AUTH only over TLS");
  assert.match(letter.raw, /Subject: Your guestbook sign-in code/);
  const code = /^ {4}([0-9A-F]{8})\s*$/m.exec(letter.raw)?.[1];
  assert.ok(code, `no code in the e-mail:\n${letter.raw}`);
  const pending = await get("/");
  assert.match(pending.text, /We sent a code to ada@example.org\./);
  assert.match(pending.text, /<h2>Enter your code<\/h2>/);

  // A wrong code does not sign in; the right one does, with a new session (new id, new token).
  oldToken = tokenOf(pending.text);
  assert.equal((await get("/verify", { method: "POST", form: { code: "00000000", csrf_token: oldToken } })).status, 303);
  assert.match((await get("/")).text, /That code is not right/);
  const verified = await get("/verify", { method: "POST", form: { code: code.toLowerCase(), csrf_token: oldToken } });
  assert.equal(verified.status, 303);
  const signedIn = await get("/");
  assert.match(signedIn.text, /Welcome, ada@example.org\./);
  assert.match(signedIn.text, /Signed in as <strong>ada@example.org<\/strong>/);
  token = tokenOf(signedIn.text);
  assert.notEqual(token, oldToken);
});

test("a signed-in post with the CSRF token (form field or X-CSRF-Token) is stored (303); without it, or with the token of the old session, 403; an entry with <script> is shown escaped", async () => {
  const evil = `<script>alert("x")</script> & "quotes" 'too'`;
  assert.equal((await get("/entries", { method: "POST", form: { message: "no token" } })).status, 403);
  assert.equal((await get("/entries", { method: "POST", form: { message: "old token", csrf_token: oldToken } })).status, 403);
  const posted = await get("/entries", { method: "POST", form: { message: evil, csrf_token: token } });
  assert.equal(posted.status, 303);
  assert.equal((await get("/entries", { method: "POST", headers: { "x-csrf-token": token }, form: { message: "second, by header" } })).status, 303);
  const page = await get("/");
  assert.match(page.text, /Thank you for your entry\./);
  assert.ok(!page.text.includes("<script>alert"), "the entry is escaped");
  assert.ok(page.text.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;too&#39;"), page.text);
  assert.ok(!page.text.includes("no token") && !page.text.includes("old token"));
  assert.match(page.text, /Entries \(2\)/);
  assert.match(page.text, /second, by header[\s\S]*&lt;script&gt;/, "newest first");
});

test("the 6th sign-in attempt from one IP within the minute gets 429 with Retry-After and RateLimit headers, and sends no e-mail", async () => {
  const other = browser(server.base);
  const otherToken = tokenOf((await other("/")).text);
  for (let i = 2; i <= 4; i++) {
    const r = await other("/sign-in", { method: "POST", form: { email: `guest${i}@example.org`, csrf_token: otherToken } });
    assert.equal(r.status, 303, `attempt ${i}`);
  }
  const invalid = await other("/sign-in", { method: "POST", form: { email: "not-an-address", csrf_token: otherToken } });
  assert.equal(invalid.status, 400, "attempt 5: not an e-mail address");
  assert.match(invalid.text, /Not an e-mail address/);
  assert.equal(invalid.headers.get("ratelimit-remaining"), "0");
  const refused = await other("/sign-in", { method: "POST", form: { email: "guest6@example.org", csrf_token: otherToken } });
  assert.equal(refused.status, 429);
  assert.ok(Number(refused.headers.get("retry-after")) >= 1, `Retry-After: ${refused.headers.get("retry-after")}`);
  assert.equal(refused.headers.get("ratelimit-limit"), "5");
  assert.equal(refused.headers.get("ratelimit-remaining"), "0");
  assert.match(refused.text, /Too many sign-in attempts/);
  assert.equal(mail.messages.length, 4, "e-mails for attempts 1-4 only");
});

test("signing out clears the session; after a restart of the app the entries are still there (SQLite)", async () => {
  assert.equal((await get("/sign-out", { method: "POST", form: { csrf_token: token } })).status, 303);
  assert.match((await get("/")).text, /Sign in to write/);

  await stop(server);
  server = await startApp();
  get = browser(server.base);
  const again = await get("/");
  assert.equal(again.status, 200);
  assert.match(again.text, /Entries \(2\)/);
  assert.ok(again.text.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
  assert.match(again.text, /ada@example.org, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
  await stop(server);
  assert.equal(server.io.err, "");
});
