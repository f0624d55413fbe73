// A real SMTP server on loopback for tests (the smtp-server package): STARTTLS with a throw-away
// certificate (trust it through NODE_EXTRA_CA_CERTS=certFile), AUTH required, every message kept.
//
//   const mail = await startMailServer();           // mail.url: smtp://USER:PASS@127.0.0.1:PORT
//   … mail.messages: [{ raw, text, from, to: [...], secure }], mail.auths: [{ user, secure }], mail.connections … await mail.next((m) => m.to.includes(a)) …
//   await mail.close();
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SMTPServer } from "smtp-server";

export const SMTP_USER = "mailer@wflhub.test";
export const SMTP_PASSWORD = "t0p-secret-smtp";

/** A throw-away self-signed certificate for localhost/127.0.0.1 in `dir`: { keyFile, certFile }. */
export function makeCertificate(dir) {
  const keyFile = path.join(dir, "key.pem");
  const certFile = path.join(dir, "cert.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", keyFile, "-out", certFile,
  ], { stdio: "ignore" });
  return { keyFile, certFile };
}

/**
 * Options: `user`/`password` (the one login it accepts; SMTP_USER/SMTP_PASSWORD by default),
 * `certificate` ({ keyFile, certFile } from makeCertificate, shared by several servers; by default
 * one of its own), `options` (more smtp-server options, e.g. { secure: true } or
 * { disabledCommands: ["STARTTLS"], allowInsecureAuth: true }).
 */
export async function startMailServer({ user = SMTP_USER, password = SMTP_PASSWORD, certificate, options = {} } = {}) {
  const dir = certificate ? null : fs.mkdtempSync(path.join(os.tmpdir(), "wfl-smtp-"));
  const { keyFile, certFile } = certificate ?? makeCertificate(dir);
  const messages = [];
  const auths = [];
  const waiters = [];
  let connections = 0;
  const server = new SMTPServer({
    key: fs.readFileSync(keyFile),
    cert: fs.readFileSync(certFile),
    authMethods: ["PLAIN", "LOGIN"],
    logger: false,
    ...options,
    onConnect(_session, cb) {
      connections++;
      cb();
    },
    onAuth(auth, session, cb) {
      auths.push({ user: auth.username, secure: session.secure });
      if (auth.username === user && auth.password === password) return cb(null, { user: auth.username });
      const err = new Error("Invalid username or password");
      err.responseCode = 535;
      cb(err);
    },
    onData(stream, session, cb) {
      let raw = "";
      stream.setEncoding("utf8");
      stream.on("data", (d) => (raw += d));
      stream.on("end", () => {
        const m = { raw, text: decodeBody(raw), from: session.envelope.mailFrom.address, to: session.envelope.rcptTo.map((r) => r.address), secure: session.secure };
        messages.push(m);
        for (const w of [...waiters]) if (w.match(m)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); }
        cb();
      });
    },
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = server.server.address().port;
  return {
    url: `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    port,
    certFile,
    messages,
    /** Every AUTH attempt: { user, secure } (secure: it came after STARTTLS). */
    auths,
    /** How many connections it has taken. */
    get connections() {
      return connections;
    },
    /** The first message (already received or still to come) that `match` accepts; rejects after `ms`. */
    next(match = () => true, ms = 10000) {
      const have = messages.find(match);
      if (have) return Promise.resolve(have);
      return new Promise((resolve, reject) => {
        const w = { match, resolve };
        waiters.push(w);
        setTimeout(() => { const i = waiters.indexOf(w); if (i >= 0) { waiters.splice(i, 1); reject(new Error("no matching e-mail arrived")); } }, ms).unref();
      });
    },
    async close() {
      await new Promise((r) => server.close(r));
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The message's body as text: quoted-printable soft breaks joined and =XX decoded (nodemailer's usual encoding). */
function decodeBody(raw) {
  const at = raw.indexOf("\r\n\r\n");
  let body = at >= 0 ? raw.slice(at + 4) : raw;
  if (/content-transfer-encoding:\s*quoted-printable/i.test(raw)) {
    body = body.replace(/=\r?\n/g, "");
    body = Buffer.from(body.replace(/=([0-9A-F]{2})/gi, (_m, h) => String.fromCharCode(parseInt(h, 16))), "latin1").toString("utf8");
  }
  return body;
}
