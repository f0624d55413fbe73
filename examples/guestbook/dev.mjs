// Runs the guestbook on your machine with one command: `node examples/guestbook/dev.mjs`.
// Starts a local SMTP server on 127.0.0.1 that demands STARTTLS (the smtp-server package, with a
// throw-away certificate made by openssl and trusted through NODE_EXTRA_CA_CERTS) and prints every
// e-mail it receives, so you can read your sign-in code in this terminal; then runs main.wfl on
// settings pointing at it. Entries go to examples/guestbook/guestbook.db. PORT=… picks the port
// (default 8080). Ctrl-C stops both.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn, execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { SMTPServer } from "smtp-server";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "guestbook-dev-"));
execFileSync("openssl", [
  "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
  "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
  "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"),
], { stdio: "ignore" });
const password = Math.random().toString(36).slice(2);
const smtp = new SMTPServer({
  key: fs.readFileSync(path.join(dir, "key.pem")),
  cert: fs.readFileSync(path.join(dir, "cert.pem")),
  authMethods: ["PLAIN", "LOGIN"],
  logger: false,
  onAuth(auth, _session, cb) {
    if (auth.username === "guestbook@example.org" && auth.password === password) return cb(null, { user: auth.username });
    cb(Object.assign(new Error("Invalid username or password"), { responseCode: 535 }));
  },
  onData(stream, session, cb) {
    let raw = "";
    stream.setEncoding("utf8");
    stream.on("data", (d) => (raw += d));
    stream.on("end", () => {
      const body = raw.split(/\r?\n\r?\n/).slice(1).join("\n\n");
      console.log(`\n--- e-mail to ${session.envelope.rcptTo.map((r) => r.address).join(", ")} ---\n${body.trim()}\n---\n`);
      cb();
    });
  },
});
await new Promise((resolve) => smtp.listen(0, "127.0.0.1", resolve));
const settings = path.join(dir, "settings.toml");
fs.writeFileSync(settings, [
  "[app]",
  `port = ${Number(process.env.PORT ?? 8080)}`,
  `database = "sqlite://${path.join(here, "guestbook.db")}"`,
  'from = "Guestbook <guestbook@example.org>"',
  "[smtp]",
  'host = "127.0.0.1"',
  `port = ${smtp.server.address().port}`,
  'username = "guestbook@example.org"',
  `password = "${password}"`,
  "[limits]",
  "sign_in_attempts_per_minute = 5",
  "",
].join("\n"));
const app = spawn(path.join(root, "bin/wfl"), [path.join(here, "main.wfl"), settings], {
  stdio: "inherit",
  env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, "cert.pem") },
});
const stop = () => app.kill("SIGTERM");
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
app.on("exit", (code) => {
  smtp.close(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(code ?? 0);
  });
});
