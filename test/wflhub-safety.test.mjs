// WFLHub trust and safety (PRD 4.4.4) over real HTTP on SQLite: reporting a package from its page,
// typosquatting flags on new names, and the moderation panel /admin (admins only).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import Database from "better-sqlite3";
import { startHub, browserSession } from "./support/wflhub.mjs";
import { startMailServer } from "./support/smtp.mjs";
import { killServers } from "./support/server.mjs";
import { wflpkg, manifest, publish } from "./support/wflpkg.mjs";

let hub;
let mail;
let db;
const users = {};
before(async () => {
  mail = await startMailServer();
  hub = await startHub({ mail, env: { WFLHUB_LIMIT_LOGIN_PER_MINUTE: "1000", WFLHUB_LIMIT_REGISTER_PER_HOUR: "1000" } });
  db = new Database(path.join(hub.dataDir, "wflhub.db"));
  db.pragma("busy_timeout = 5000");
  for (const name of ["owner", "reporter", "moderator"]) users[name] = await makeUser(name);
  // Admins are made by the operator, in SQL (apps/wflhub/README.md).
  db.prepare("UPDATE users SET is_admin = 1 WHERE username = ?").run("moderator");
});
after(async () => {
  db?.close();
  await hub?.stop();
  await mail?.close();
  killServers();
});

const csrfOf = (html) => /name="csrf_token" value="([^"]+)"/.exec(html)?.[1];
const pkg = (name, version) => wflpkg({ "project.wfl": manifest({ name, version }), "src/main.wfl": `display "${name}"\n` });

/** Register (API), verify from the e-mail, take an API token, and sign in on the portal. */
async function makeUser(username) {
  const email = `${username}@safety.test`;
  const password = `a long password for ${username}`;
  const post = (p, body) => fetch(hub.base + p, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  assert.equal((await post("/api/v1/register", { username, email, password })).status, 201);
  const message = await mail.next((m) => m.to.includes(email));
  const token = /\/verify-email\?token=([0-9a-f]+)/.exec(message.text)[1];
  assert.equal((await post("/api/v1/verify-email", { token })).status, 200);
  const login = await post("/api/v1/login", { username, password });
  assert.equal(login.status, 200);
  const apiToken = (await login.json()).token;
  const browser = browserSession(hub.base);
  const csrf = csrfOf((await browser("/login")).text);
  const signedIn = await browser("/login", { method: "POST", form: { identifier: username, password, csrf_token: csrf } });
  assert.equal(signedIn.status, 303);
  return { username, token: apiToken, browser };
}

async function publishOk(user, name, version) {
  const res = await publish(hub.base, user.token, { name, version, archive: pkg(name, version) });
  assert.equal(res.status, 201, JSON.stringify(res.body));
}

const flagsOf = (name) => db.prepare("SELECT f.kind, f.detail, f.resolved_at FROM flags f JOIN packages p ON p.id = f.package_id WHERE p.name = ?").all(name);

test("a signed-in user reports a package from its page; a second report by the same user is not stored twice", async () => {
  await publishOk(users.owner, "report-me", "26.1.1");
  const anonymous = await fetch(hub.base + "/packages/report-me").then((r) => r.text());
  assert.doesNotMatch(anonymous, /\/report"/, "visitors see no report form");
  const s = users.reporter.browser;
  const page = await s("/packages/report-me");
  assert.match(page.text, /action="\/packages\/report-me\/report"/);
  assert.match(page.text, /<select id="report-reason" name="reason">/);
  const csrf = csrfOf(page.text);
  const noToken = await s("/packages/report-me/report", { method: "POST", form: { reason: "spam", details: "x" } });
  assert.equal(noToken.status, 403);
  const badReason = await s("/packages/report-me/report", { method: "POST", form: { reason: "boring", details: "", csrf_token: csrf } });
  assert.equal(badReason.status, 400);
  const sent = await s("/packages/report-me/report", { method: "POST", form: { reason: "malware", details: "It <deletes> files", csrf_token: csrf } });
  assert.equal(sent.status, 200, sent.text);
  assert.match(sent.text, /Thank you for your report/);
  const again = await s("/packages/report-me/report", { method: "POST", form: { reason: "spam", details: "again", csrf_token: csrf } });
  assert.equal(again.status, 200);
  const rows = db.prepare("SELECT r.reason, r.resolved_at FROM reports r JOIN packages p ON p.id = r.package_id WHERE p.name = ?").all("report-me");
  assert.equal(rows.length, 1);
  assert.equal(rows[0].reason, "malware: It <deletes> files");
  const audit = db.prepare("SELECT action, subject FROM audit_log WHERE action = 'report'").all();
  assert.deepEqual(audit, [{ action: "report", subject: "report-me" }]);
  const unknown = await s("/packages/no-such-package/report", { method: "POST", form: { reason: "spam", csrf_token: csrf } });
  assert.equal(unknown.status, 404);
});

test("a new name one typo from a downloaded package is flagged (the publish still succeeds); an unrelated name is not", async () => {
  await publishOk(users.owner, "http-client", "26.1.1");
  const download = await fetch(hub.base + "/api/v1/packages/http-client/26.1.1/download");
  assert.equal(download.status, 200);
  await download.arrayBuffer();
  await publishOk(users.reporter, "http-cliemt", "26.1.1");
  await publishOk(users.reporter, "json-tools", "26.1.1");
  await publishOk(users.reporter, "httpclient2", "26.1.1");
  const squat = flagsOf("http-cliemt");
  assert.equal(squat.length, 1);
  assert.equal(squat[0].kind, "typosquat");
  assert.match(squat[0].detail, /http-client/);
  assert.equal(squat[0].resolved_at, null);
  assert.match(flagsOf("httpclient2")[0]?.detail ?? "", /without hyphens and digits/);
  assert.deepEqual(flagsOf("json-tools"), []);
  // A new version of a flagged package adds no second flag; the original is never flagged.
  await publishOk(users.reporter, "http-cliemt", "26.1.2");
  assert.equal(flagsOf("http-cliemt").length, 1);
  assert.deepEqual(flagsOf("http-client"), []);
});

test("/admin is a 404 for visitors and for signed-in users who are not admins", async () => {
  const visitor = await fetch(hub.base + "/admin");
  assert.equal(visitor.status, 404);
  const user = await users.reporter.browser("/admin");
  assert.equal(user.status, 404);
  assert.match(user.text, /Page not found/);
  const csrf = csrfOf((await users.reporter.browser("/packages/json-tools")).text);
  const yank = await users.reporter.browser("/admin/yank", { method: "POST", form: { name: "http-client", version: "26.1.1", csrf_token: csrf } });
  assert.equal(yank.status, 404);
  assert.equal(db.prepare("SELECT yanked FROM versions WHERE version_string = '26.1.1' AND package_id = (SELECT id FROM packages WHERE name = 'http-client')").get().yanked, 0);
});

test("an admin sees open reports, flags and the audit log on /admin, resolves a report and a flag, and yanks a version", async () => {
  const s = users.moderator.browser;
  const panel = await s("/admin");
  assert.equal(panel.status, 200, panel.text);
  assert.match(panel.text, /<h1>Moderation<\/h1>/);
  assert.match(panel.text, /href="\/packages\/report-me"/);
  assert.match(panel.text, /malware: It &lt;deletes&gt; files/);
  assert.match(panel.text, /href="\/packages\/http-cliemt"/);
  assert.doesNotMatch(panel.text, /href="\/packages\/json-tools"/);
  assert.match(panel.text, /<td>publish<\/td>/);
  const csrf = csrfOf(panel.text);
  const reportId = /action="\/admin\/reports\/([^/"]+)\/resolve"/.exec(panel.text)[1];
  const resolved = await s(`/admin/reports/${reportId}/resolve`, { method: "POST", form: { csrf_token: csrf } });
  assert.equal(resolved.status, 303);
  assert.equal(resolved.headers.get("location"), "/admin");
  assert.ok(db.prepare("SELECT resolved_at FROM reports WHERE id = ?").get(reportId).resolved_at);
  const flagId = /action="\/admin\/flags\/([^/"]+)\/resolve"/.exec(panel.text)[1];
  assert.equal((await s(`/admin/flags/${flagId}/resolve`, { method: "POST", form: { csrf_token: csrf } })).status, 303);
  const yanked = await s("/admin/yank", { method: "POST", form: { name: "http-cliemt", version: "26.1.2", csrf_token: csrf } });
  assert.equal(yanked.status, 303);
  const after = await s("/admin");
  assert.match(after.text, /is yanked/);
  assert.doesNotMatch(after.text, new RegExp(`/admin/reports/${reportId}/`));
  assert.doesNotMatch(after.text, new RegExp(`/admin/flags/${flagId}/`));
  assert.match(after.text, /<td>yank<\/td><td>http-cliemt@26\.1\.2<\/td>/);
  assert.equal(db.prepare("SELECT yanked FROM versions v JOIN packages p ON p.id = v.package_id WHERE p.name = 'http-cliemt' AND v.version_string = '26.1.2'").get().yanked, 1);
  const actions = db.prepare("SELECT action FROM audit_log WHERE action IN ('resolve-reports', 'resolve-flags', 'yank') ORDER BY action").all().map((r) => r.action);
  assert.deepEqual(actions, ["resolve-flags", "resolve-reports", "yank"]);
  // A second report by the same user is stored again now that the first is resolved.
  const page = await users.reporter.browser("/packages/report-me");
  const again = await users.reporter.browser("/packages/report-me/report", { method: "POST", form: { reason: "spam", details: "", csrf_token: csrfOf(page.text) } });
  assert.equal(again.status, 200);
  assert.equal(db.prepare("SELECT COUNT(*) AS n FROM reports WHERE resolved_at IS NULL").get().n, 1);
});
