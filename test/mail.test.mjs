// Seed 003, section 3.9 (Email Sending, SMTP): one test per acceptance criterion, named after it,
// plus the TLS guarantees of issue 10. Every test runs a WFL program as a subprocess (bin/wfl)
// against a real SMTP server (the smtp-server package) on loopback, with a throw-away self-signed
// certificate the program trusts through NODE_EXTRA_CA_CERTS.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startMailServer, makeCertificate } from "./support/smtp.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const SEED = fs.readFileSync(path.join(root, "../shared/seeds/003_f58ccd719845dba9.txt"), "utf8");
let dir;
let certificate;
const servers = [];

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "wfl-mail-"));
  certificate = makeCertificate(dir);
});
after(async () => {
  for (const s of servers) await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A real SMTP server on 127.0.0.1, port 0 (test/support/smtp.mjs). Default: STARTTLS offered and
 * demanded before AUTH (smtp-server refuses AUTH on a plain connection unless allowInsecureAuth),
 * user "noreply@wflhub.org" with password "s3cret". `seen` records every AUTH attempt (and whether
 * it came over TLS), every message and the connections.
 */
async function smtp(options = {}) {
  const server = await startMailServer({ user: "noreply@wflhub.org", password: "s3cret", certificate, options });
  servers.push(server);
  return { port: server.port, seen: server };
}

let n = 0;
/** Runs a WFL program as a subprocess; the certificate is trusted unless `trust` is false. */
function run(lines, { trust = true } = {}) {
  const file = path.join(dir, `m${++n}.wfl`);
  fs.writeFileSync(file, Array.isArray(lines) ? lines.join("\n") + "\n" : lines);
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  if (trust) env.NODE_EXTRA_CA_CERTS = path.join(dir, "cert.pem");
  return new Promise((resolve) => {
    const child = spawn(path.join(root, "bin/wfl"), [file], { cwd: dir, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (status) => resolve({ status, stdout, stderr }));
  });
}
const ok = (r) => {
  assert.equal(r.status, 0, `exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
};
/** The run failed with a runtime error at `line` whose message matches `re` (and no stack trace). */
const failsAt = (r, line, re) => {
  assert.equal(r.status, 1, `expected a failure\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.match(r.stderr, /error\[RUNTIME\]/);
  assert.match(r.stderr, re);
  assert.match(r.stderr, new RegExp(`:${line}:\\d+`), r.stderr);
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+|INTERNAL/);
};

const connectLine = (port, password = "s3cret") =>
  `store mailer as connect to email server at "127.0.0.1" with port ${port} and username "noreply@wflhub.org" and password "${password}"`;

test('`connect to email server at "smtp://..." ...` establishes SMTP connection', async () => {
  const { port, seen } = await smtp();
  const out = ok(await run([connectLine(port), "display mailer", "close email server mailer"]));
  assert.equal(out.trim(), `[EmailServer: 127.0.0.1:${port}]`);
  // Connecting checked the server: it logged in, over TLS (after STARTTLS).
  assert.deepEqual(seen.auths, [{ user: "noreply@wflhub.org", secure: true }]);
  // The statement form binds the name as `store … as` does.
  const { port: p3, seen: s3 } = await smtp();
  assert.equal(ok(await run([`connect to email server at "127.0.0.1" with port ${p3} and username "noreply@wflhub.org" and password "s3cret" as outbox`, "display outbox", "close email server outbox"])).trim(), `[EmailServer: 127.0.0.1:${p3}]`);
  assert.equal(s3.auths.length, 1);
  // The smtp:// URL form names the server too.
  const { port: p2, seen: s2 } = await smtp();
  ok(await run([`store m as connect to email server at "smtp://127.0.0.1:${p2}" with username "noreply@wflhub.org" and password "s3cret"`, "close email server m"]));
  assert.equal(s2.auths.length, 1);
  assert.equal(s2.auths[0].secure, true);
});

test("`create email with from ... and to ... and subject ... and body ...` builds a valid email", async () => {
  const out = ok(await run([
    'store email as create email with from "noreply@wflhub.org" and to "ada@example.com" and subject "Verify your WFLHub account" and body "Hello"',
    "display email",
    'store many as create email with from "WFLHub <noreply@wflhub.org>" and to ["ada@example.com", "Bob <bob@example.org>"] and cc "carol@example.net" and subject "Hi" and body "x"',
    "display many",
  ]));
  assert.deepEqual(out.trim().split("\n"), [
    '[Email: "Verify your WFLHub account" to ada@example.com]',
    '[Email: "Hi" to ada@example.com, bob@example.org]',
  ]);
});

test("`send email using mailer` delivers the email via SMTP", async () => {
  const { port, seen } = await smtp();
  ok(await run([
    connectLine(port),
    'store user_email as "ada@example.com"',
    'store email as create email with from "noreply@wflhub.org" and to user_email and subject "Verify your WFLHub account" and body "Your code is 123456."',
    "send email using mailer",
    "close email server mailer",
  ]));
  assert.equal(seen.messages.length, 1);
  const m = seen.messages[0];
  assert.equal(m.from, "noreply@wflhub.org");
  assert.deepEqual(m.to, ["ada@example.com"]);
  assert.equal(m.secure, true, "the message travelled over TLS");
  assert.match(m.raw, /^From: noreply@wflhub\.org\r?$/m);
  assert.match(m.raw, /^To: ada@example\.com\r?$/m);
  assert.match(m.raw, /^Subject: Verify your WFLHub account\r?$/m);
  assert.match(m.raw, /Your code is 123456\./);
});

test("HTML body support works (`html_body` field)", async () => {
  const { port, seen } = await smtp();
  ok(await run([
    connectLine(port),
    'store html_content as "<h1>Welcome</h1><p>Thanks for joining.</p>"',
    'store email as create email with from "noreply@wflhub.org" and to "ada@example.com" and subject "Welcome" and html_body html_content',
    "send email using mailer",
    'store both as create email with from "noreply@wflhub.org" and to "bob@example.com" and subject "Both" and body "plain part" and html_body "<b>html part</b>"',
    "send both using mailer",
    "close email server mailer",
  ]));
  assert.equal(seen.messages.length, 2);
  assert.match(seen.messages[0].raw, /^Content-Type: text\/html/m);
  assert.match(seen.messages[0].raw, /<h1>Welcome<\/h1><p>Thanks for joining\.<\/p>/);
  assert.match(seen.messages[1].raw, /multipart\/alternative/);
  assert.match(seen.messages[1].raw, /Content-Type: text\/plain[\s\S]*plain part[\s\S]*Content-Type: text\/html[\s\S]*<b>html part<\/b>/);
});

test("TLS is enforced by default", async (t) => {
  await t.test("a server that does not offer STARTTLS is an error at the connect line, and no AUTH is sent", async () => {
    const { port, seen } = await smtp({ disabledCommands: ["STARTTLS"], allowInsecureAuth: true });
    const r = await run(['display "before"', connectLine(port), 'display "not reached"']);
    failsAt(r, 2, /does not offer STARTTLS/);
    assert.equal(r.stdout, "before\n");
    assert.equal(seen.connections, 1, "the client did connect");
    assert.deepEqual(seen.auths, [], "no credentials were sent");
  });
  await t.test("an untrusted certificate is an error (without NODE_EXTRA_CA_CERTS)", async () => {
    const { port, seen } = await smtp();
    const r = await run([connectLine(port)], { trust: false });
    failsAt(r, 1, /certificate of the e-mail server at 127\.0\.0\.1:\d+ is not trusted/);
    assert.deepEqual(seen.auths, []);
  });
  await t.test("smtps:// (implicit TLS, as on port 465) connects with TLS from the first byte", async () => {
    const { port, seen } = await smtp({ secure: true });
    ok(await run([
      `store mailer as connect to email server at "smtps://127.0.0.1:${port}" with username "noreply@wflhub.org" and password "s3cret"`,
      'send (create email with from "noreply@wflhub.org" and to "ada@example.com" and subject "s" and body "b") using mailer',
      "close email server mailer",
    ]));
    assert.ok(seen.auths.length >= 1 && seen.auths.every((a) => a.secure), JSON.stringify(seen.auths));
    assert.equal(seen.messages[0].secure, true);
  });
  await t.test("`without tls` is the only way to talk in plain text (local development)", async () => {
    const { port, seen } = await smtp({ disabledCommands: ["STARTTLS"], allowInsecureAuth: true });
    ok(await run([
      `store mailer as connect to email server at "127.0.0.1" with port ${port} and username "noreply@wflhub.org" and password "s3cret" without tls`,
      "display mailer",
      'send (create email with from "noreply@wflhub.org" and to "ada@example.com" and subject "dev" and body "b") using mailer',
      "close email server mailer",
    ]));
    assert.ok(seen.auths.length >= 1 && seen.auths.every((a) => !a.secure), JSON.stringify(seen.auths));
    assert.equal(seen.messages.length, 1);
  });
});

test("Connection errors produce clear WFL runtime errors", async (t) => {
  await t.test("a wrong password is an error at the connect line, without the password", async () => {
    const { port, seen } = await smtp();
    const r = await run(['display "start"', connectLine(port, "wrong-pass-xyz")]);
    failsAt(r, 2, /refused the username and password/);
    assert.doesNotMatch(r.stderr.split("\n")[0], /wrong-pass-xyz/, "the message does not repeat the password");
    assert.equal(seen.auths.length, 1);
    assert.equal(seen.auths[0].secure, true);
  });
  await t.test("nothing listening is an error at the connect line", async () => {
    const { port } = await smtp();
    const s = servers.pop();
    await s.close();
    const r = await run([connectLine(port)]);
    failsAt(r, 1, /Cannot connect to the e-mail server at 127\.0\.0\.1:\d+/);
  });
  await t.test("a refused recipient is an error at the send line, and `try` catches it", async () => {
    const { port } = await smtp({ onRcptTo(address, _s, cb) { if (address.address.startsWith("nobody")) { const e = new Error("No such user"); e.responseCode = 550; return cb(e); } cb(); } });
    const r = await run([
      connectLine(port),
      'store email as create email with from "noreply@wflhub.org" and to "nobody@example.com" and subject "s" and body "b"',
      "try:",
      "    send email using mailer",
      "catch:",
      '    display "caught: " with error_message',
      "end try",
      "send email using mailer",
    ]);
    assert.match(r.stdout, /caught: The e-mail server at 127\.0\.0\.1:\d+ refused/);
    failsAt(r, 8, /refused/);
  });
  await t.test("sending through a closed connection is an error at the send line", async () => {
    const { port } = await smtp();
    const r = await run([
      connectLine(port),
      "close email server mailer",
      'send (create email with from "noreply@wflhub.org" and to "ada@example.com" and subject "s" and body "b") using mailer',
    ]);
    failsAt(r, 3, /has been closed/);
  });
});

test("Invalid email addresses are rejected at compose time", async () => {
  for (const [field, bad] of [["to", "not-an-address"], ["to", "ada@"], ["from", "@example.com"], ["to", "ada@example"], ["to", "a b@example.com"], ["cc", "ada@exa mple.com"], ["to", "ada@example.com\\nBcc: eve@example.com"]]) {
    const r = await run([
      'display "start"',
      `store email as create email with from ${field === "from" ? `"${bad}"` : '"noreply@wflhub.org"'} and to ${field === "to" ? `"${bad}"` : '"ada@example.com"'}${field === "cc" ? ` and cc "${bad}"` : ""} and subject "s" and body "b"`,
    ]);
    failsAt(r, 2, field === "to" && bad.includes("\\n") ? /line break/ : /is not a valid e-mail address/);
  }
  // A subject with a line break could forge headers: refused too.
  failsAt(await run(['store e as create email with from "a@example.com" and to "b@example.com" and subject "hi\\nBcc: eve@example.com" and body "b"']), 1, /subject of an e-mail cannot contain a line break/);
  // Missing parts are named.
  failsAt(await run(['store e as create email with from "a@example.com" and subject "hi" and body "b"']), 1, /needs 'to'/);
});

test("the seed's example (section 3.9) runs against a real server, host and port replaced", async () => {
  const { port, seen } = await smtp();
  const block = /#### Proposed WFL Syntax\n\n```wfl\n(\/\/ Configure email transport[\s\S]*?)```/.exec(SEED)[1];
  // Two changes: the placeholder server is the test's, and the second `store email as` (a name the
  // first already defined) is `change email to` (a redefinition with `store` is an error in WFL).
  let program = block.replace('"smtp.example.com" with port 587', `"127.0.0.1" with port ${port}`);
  const second = program.indexOf("store email as", program.indexOf("store email as") + 1);
  program = program.slice(0, second) + "change email to" + program.slice(second + "store email as".length);
  const setup = [
    'store smtp_password as "s3cret"',
    'store user_email as "ada@example.com"',
    'store email_body as "Your verification code is 123456."',
    'store html_content as "<h1>Welcome to WFLHub</h1>"',
  ].join("\n");
  ok(await run(setup + "\n" + program));
  assert.equal(seen.messages.length, 2);
  assert.match(seen.messages[0].raw, /Subject: Verify your WFLHub account/);
  assert.match(seen.messages[0].raw, /Your verification code is 123456\./);
  assert.match(seen.messages[1].raw, /Subject: Welcome/);
  assert.match(seen.messages[1].raw, /<h1>Welcome to WFLHub<\/h1>/);
  assert.ok(seen.auths.every((a) => a.user === "noreply@wflhub.org" && a.secure), JSON.stringify(seen.auths));
});
