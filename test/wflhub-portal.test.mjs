// The WFLHub portal's pages over real HTTP (no browser; test/wflhub-browser.test.mjs drives the
// same pages in Chromium): forms refused without their CSRF token or session, 404 pages, failures
// shown on the page, escaping, the search limit's 429 page, headers, the stylesheet, log-in/out.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import Database from "better-sqlite3";
import { startHub, browserSession } from "./support/wflhub.mjs";
import { startMailServer } from "./support/smtp.mjs";
import { killServers } from "./support/server.mjs";

let hub;
let mail;
before(async () => {
  mail = await startMailServer();
  hub = await startHub({ mail });
});
after(async () => {
  await hub?.stop();
  await mail?.close();
  killServers();
});

const csrfOf = (html) => /name="csrf_token" value="([^"]+)"/.exec(html)?.[1];
const alertOf = (html) => /role="alert">([^<]*)</.exec(html)?.[1];

test("portal pages are HTML with the layout's landmarks, lang, a skip link and a strict CSP without scripts", async () => {
  const res = await fetch(hub.base + "/");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type"), /^text\/html/);
  const csp = res.headers.get("content-security-policy");
  assert.match(csp, /script-src 'none'/);
  const html = await res.text();
  assert.match(html, /<html lang="en">/);
  assert.match(html, /<a class="skip-link" href="#main">/);
  assert.match(html, /<main id="main"/);
  assert.match(html, /<header/);
  assert.match(html, /<footer/);
  assert.match(html, /role="search"/);
  assert.doesNotMatch(html, /<script/i);
  const css = await fetch(hub.base + "/static/portal.css");
  assert.equal(css.status, 200);
  assert.match(css.headers.get("content-type"), /^text\/css/);
  assert.equal((await fetch(hub.base + "/static/../lib/portal.wfl")).status === 200, false);
});

test("unknown packages, users and pages get the HTML 404 page; unknown API paths a JSON 404; a known path with another method 405", async () => {
  for (const p of ["/packages/no-such-package", "/users/no-such-user", "/no/such/page"]) {
    const res = await fetch(hub.base + p);
    assert.equal(res.status, 404, p);
    assert.match(res.headers.get("content-type"), /^text\/html/);
    assert.match(await res.text(), /<h1>Page not found<\/h1>/, p);
  }
  const api = await fetch(hub.base + "/api/v1/no-such-endpoint");
  assert.equal(api.status, 404);
  assert.match(api.headers.get("content-type"), /json/);
  assert.ok((await api.json()).error.code);
  const wrongMethod = await fetch(hub.base + "/dashboard", { method: "DELETE" });
  assert.equal(wrongMethod.status, 405);
});

test("a POST form is refused without its CSRF token, and without a session", async () => {
  const s = browserSession(hub.base);
  const noSession = await s("/login", { method: "POST", form: { identifier: "x", password: "y" } });
  assert.equal(noSession.status, 403);
  assert.match(noSession.text, /session has expired/);
  const form = await s("/login");
  assert.ok(csrfOf(form.text), "the log-in form carries a CSRF token");
  const noToken = await s("/login", { method: "POST", form: { identifier: "x", password: "y" } });
  assert.equal(noToken.status, 403);
  const wrongToken = await s("/login", { method: "POST", form: { identifier: "x", password: "y", csrf_token: "nope" } });
  assert.equal(wrongToken.status, 403);
});

test("a failed log-in and a refused registration are shown on the form, escaped, with what was typed kept", async () => {
  const s = browserSession(hub.base);
  const csrf = csrfOf((await s("/login")).text);
  const bad = await s("/login", { method: "POST", form: { identifier: "nobody<b>", password: "wrong password", csrf_token: csrf } });
  assert.equal(bad.status, 401);
  assert.ok(alertOf(bad.text), "an error message on the page");
  assert.match(bad.text, /value="nobody&lt;b&gt;"/);
  assert.doesNotMatch(bad.text, /nobody<b>/);
  const reg = await s("/register", { method: "POST", form: { username: "Not Valid!", email: "x@y.test", password: "long enough password", csrf_token: csrf } });
  assert.equal(reg.status, 400);
  assert.ok(alertOf(reg.text));
  assert.match(reg.text, /value="x@y.test"/);
  const weak = await s("/register", { method: "POST", form: { username: "weakling", email: "weak@y.test", password: "short", csrf_token: csrf } });
  assert.equal(weak.status, 400);
  assert.match(alertOf(weak.text), /10/);
  assert.doesNotMatch(weak.text, /value="short"/, "the password is never echoed");
});

test("the dashboard and its forms need a signed-in user; logging in makes a new session and logging out ends it", async () => {
  const s = browserSession(hub.base);
  const away = await s("/dashboard");
  assert.equal(away.status, 303);
  assert.equal(away.headers.get("location"), "/login");
  // Register, verify, log in.
  let csrf = csrfOf((await s("/register")).text);
  const reg = await s("/register", { method: "POST", form: { username: "portal-tester", email: "tester@portal.test", password: "a long password", csrf_token: csrf } });
  assert.equal(reg.status, 201, reg.text);
  const message = await mail.next((m) => m.to.includes("tester@portal.test"));
  const link = new URL(/https?:\/\/[^\s"<>]+\/verify-email\?token=[^\s"<>]+/.exec(message.text)[0]);
  const verified = await s(link.pathname + link.search);
  assert.equal(verified.status, 200);
  const bad = await s("/verify-email?token=not-a-token");
  assert.ok(bad.status >= 400 && bad.status < 500);
  csrf = csrfOf((await s("/login")).text);
  const login = await s("/login", { method: "POST", form: { identifier: "portal-tester", password: "a long password", csrf_token: csrf } });
  assert.equal(login.status, 303);
  assert.equal(login.headers.get("location"), "/dashboard");
  assert.match(login.headers.get("set-cookie"), /wfl_session=/);
  // The old session's token is worth nothing now.
  const stale = await s("/dashboard/tokens", { method: "POST", form: { name: "x", scope: "full", csrf_token: csrf } });
  assert.equal(stale.status, 403);
  const dash = await s("/dashboard");
  assert.equal(dash.status, 200);
  assert.match(dash.text, /Welcome, portal-tester/);
  const fresh = csrfOf(dash.text);
  assert.notEqual(fresh, csrf);
  // A token with a bad scope is refused on the page; a good one is shown once.
  const badScope = await s("/dashboard/tokens", { method: "POST", form: { name: "x", scope: "root", csrf_token: fresh } });
  assert.equal(badScope.status, 400);
  assert.ok(alertOf(badScope.text));
  const made = await s("/dashboard/tokens", { method: "POST", form: { name: "ci", scope: "read-only", csrf_token: fresh } });
  assert.equal(made.status, 200);
  const token = /id="new-token-value"[^>]*value="([^"]+)"/.exec(made.text)?.[1];
  assert.ok(token);
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.doesNotMatch((await s("/dashboard")).text, new RegExp(token.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  // Revoke it.
  const tokenId = /action="\/dashboard\/tokens\/([^/"]+)\/revoke"/.exec((await s("/dashboard")).text)?.[1];
  const revoked = await s(`/dashboard/tokens/${tokenId}/revoke`, { method: "POST", form: { csrf_token: fresh } });
  assert.equal(revoked.status, 303);
  assert.match((await s("/dashboard")).text, /Revoked/);
  // Profile: bio shown on the profile page, escaped.
  const saved = await s("/dashboard/profile", { method: "POST", form: { bio: "I write <WFL>", avatar_url: "", csrf_token: fresh } });
  assert.equal(saved.status, 303);
  const profile = await s("/users/portal-tester");
  assert.equal(profile.status, 200);
  assert.match(profile.text, /I write &lt;WFL&gt;/);
  // Log out: the session is gone.
  const out = await s("/logout", { method: "POST", form: { csrf_token: fresh } });
  assert.equal(out.status, 303);
  assert.equal((await s("/dashboard")).status, 303);
});

test("search escapes the query, accepts any parameters, and shows the limit's own page (429, Retry-After) once the per-address search limit is used up", async () => {
  // A hub of its own that allows 3 searches a minute per address (WFLHUB_LIMIT_SEARCH_PER_MINUTE).
  const limited = await startHub({ env: { WFLHUB_LIMIT_SEARCH_PER_MINUTE: "3" } });
  const first = await fetch(limited.base + "/search?q=%3Cscript%3Ealert(1)%3C/script%3E&page=abc&sort=zzz&permission=evil&updated=-3&license=%22");
  assert.equal(first.status, 200);
  const html = await first.text();
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.doesNotMatch(html, /<script>alert/);
  let last;
  for (let i = 0; i < 4; i++) last = await fetch(limited.base + "/search?q=x");
  assert.equal(last.status, 429);
  assert.ok(last.headers.get("retry-after"));
  assert.match(await last.text(), /Too many searches/);
  await limited.stop();
});

test("an unconfirmed account is told so on the dashboard, where asking for a new link too soon shows the wait; a password change needs the current password", async () => {
  const s = browserSession(hub.base);
  let csrf = csrfOf((await s("/register")).text);
  const reg = await s("/register", { method: "POST", form: { username: "late-confirmer", email: "late@portal.test", password: "first password 1", csrf_token: csrf } });
  assert.equal(reg.status, 201);
  await mail.next((m) => m.to.includes("late@portal.test"));
  csrf = csrfOf((await s("/login")).text);
  assert.equal((await s("/login", { method: "POST", form: { identifier: "late@portal.test", password: "first password 1", csrf_token: csrf } })).status, 303);
  const dash = await s("/dashboard");
  assert.match(dash.text, /not confirmed yet/);
  const token = csrfOf(dash.text);
  const resent = await s("/dashboard/resend-verification", { method: "POST", form: { csrf_token: token } });
  assert.equal(resent.status, 303);
  // Right after registering, the accounts logic asks to wait a minute: the page says so.
  const after = await s("/dashboard");
  assert.match(alertOf(after.text), /wait/);

  const wrong = await s("/dashboard/password", { method: "POST", form: { current_password: "not it at all", new_password: "second password 2", confirm_password: "second password 2", csrf_token: token } });
  assert.equal(wrong.status, 303);
  assert.ok(alertOf((await s("/dashboard")).text), "the refusal is shown");
  const mismatch = await s("/dashboard/password", { method: "POST", form: { current_password: "first password 1", new_password: "second password 2", confirm_password: "second password 3", csrf_token: token } });
  assert.equal(mismatch.status, 303);
  assert.match(alertOf((await s("/dashboard")).text), /not the same/);
  const changed = await s("/dashboard/password", { method: "POST", form: { current_password: "first password 1", new_password: "second password 2", confirm_password: "second password 2", csrf_token: token } });
  assert.equal(changed.status, 303);
  assert.match((await s("/dashboard")).text, /Your password is changed/);
  const other = browserSession(hub.base);
  const otherCsrf = csrfOf((await other("/login")).text);
  assert.equal((await other("/login", { method: "POST", form: { identifier: "late-confirmer", password: "second password 2", csrf_token: otherCsrf } })).status, 303);
});

test("search results come in pages of 20 with links that keep the query, sort and filters", async () => {
  // 25 packages put straight into the database (publishing 25 would meet the publish limit).
  const db = new Database(path.join(hub.dataDir, "wflhub.db"));
  const now = new Date().toISOString().slice(0, 19) + "Z";
  db.prepare("INSERT INTO users (id, username, email, password_hash, created_at, updated_at) VALUES ('pager-owner', 'pager-owner', 'pager@portal.test', 'x', ?, ?)").run(now, now);
  for (let i = 0; i < 25; i++) {
    const id = `pager-${i}`;
    const name = `pager-${String(i).padStart(2, "0")}`;
    db.prepare("INSERT INTO packages (id, name, owner_id, description, license, latest_version, downloads_total, created_at, updated_at) VALUES (?, ?, 'pager-owner', 'Pages of results', 'MIT', '26.1.1', ?, ?, ?)").run(id, name, i, now, now);
    db.prepare("INSERT INTO versions (id, package_id, version_string, version_key, checksum, archive_path, archive_size_bytes, permissions, published_at) VALUES (?, ?, '26.1.1', '026.00001.00001', 'wflhash:00', 'x', 1, '[]', ?)").run(`${id}-v`, id, now);
  }
  db.close();
  const first = await fetch(hub.base + "/search?q=pager&sort=downloads&license=MIT&updated=30");
  assert.equal(first.status, 200);
  const html = await first.text();
  assert.match(html, /25 packages found/);
  assert.match(html, /Page 1 of 2/);
  assert.equal(html.match(/<article class="card">/g).length, 20);
  assert.ok(html.indexOf(">pager-24<") < html.indexOf(">pager-23<"), "sorted by downloads");
  const next = /<a href="([^"]+)" rel="next">/.exec(html)[1].replaceAll("&amp;", "&");
  const url = new URL(next, hub.base);
  assert.deepEqual([url.searchParams.get("q"), url.searchParams.get("sort"), url.searchParams.get("license"), url.searchParams.get("updated"), url.searchParams.get("page")], ["pager", "downloads", "MIT", "30", "2"]);
  const second = await (await fetch(hub.base + next)).text();
  assert.equal(second.match(/<article class="card">/g).length, 5);
  assert.match(second, /rel="prev"/);
  assert.match(second, /<option value="downloads" selected>/);
});
