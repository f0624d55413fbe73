// E-mail (seed 003, section 3.9) through nodemailer: `connect to email server at HOST with port N
// and username U and password P`, `create email with from … and to … and subject … and body …`,
// `send email using mailer`, `close email server mailer`.
//
// Decided here (see Docs/email.md):
// - TLS by default. Port 465: TLS from the first byte. Any other port: STARTTLS is required
//   (nodemailer `requireTLS`), so a server that does not offer it is an error before any
//   credentials are sent. Certificates are verified against Node's store (the system's trusted
//   authorities, plus NODE_EXTRA_CA_CERTS). The only way out is `… without tls`, for a local
//   development server: the connection (and the password) then travel in plain text.
// - Connecting checks the server at once (greeting, TLS, login), so a wrong host, a missing
//   STARTTLS, an untrusted certificate or a wrong password is an error at the `connect` line.
// - Addresses are checked when the e-mail is made: `create email` refuses a malformed address
//   (and line breaks in any header), so nothing invalid reaches `send`.
// - Messages never contain the password.
import * as nodeNet from "node:net";
import { WflOpaque, type Value } from "../../runtime/values.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { formatValue } from "../../runtime/display.js";
import { requirePackage } from "../../runtime/packages.js";
import { trustedAuthorities } from "../trust.js";
import type { RunResources } from "../../runtime/lifetime.js";

function fail(message: string): WflRuntimeError {
  return new WflRuntimeError(message, "general");
}

interface Transporter {
  verify(): Promise<unknown>;
  sendMail(message: Record<string, unknown>): Promise<{ accepted?: unknown[]; rejected?: unknown[]; messageId?: string }>;
  close(): void;
}
interface NodemailerModule {
  createTransport(options: Record<string, unknown>): Transporter;
}

let nm: NodemailerModule | null = null;
function nodemailer(): NodemailerModule {
  if (nm) return nm;
  try {
    nm = requirePackage<NodemailerModule>("nodemailer");
  } catch (e) {
    throw fail(`E-mail is not available (the nodemailer package could not be loaded: ${String(e instanceof Error ? e.message : e).split("\n")[0]})`);
  }
  return nm;
}

export class Mailer {
  closed = false;
  constructor(readonly transporter: Transporter, readonly where: string, readonly tls: boolean, readonly username: string | null, private readonly owner: RunResources) {
    owner.add(this);
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.transporter.close();
    } catch {
      // best effort
    }
    this.owner.delete(this);
  }
}

/** A composed e-mail: checked addresses and texts, ready for nodemailer. */
export class Email {
  constructor(readonly message: Record<string, unknown>, readonly summary: string) {}
}

function text(v: Value, what: string): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return formatValue(v);
  throw new WflRuntimeError(`${what} must be text, got ${formatValue(v)}`, "type");
}

/** `connect to email server at HOST [with port N] [and username U and password P] [without tls]`. */
export async function connect(hostV: Value, portV: Value | undefined, userV: Value | undefined, passV: Value | undefined, tls: boolean, owner: RunResources): Promise<Value> {
  let host = text(hostV, "The e-mail server").trim();
  let port: number | null = null;
  let implicitTls: boolean | null = null;
  // `smtp://host:port` and `smtps://host:port` name the server too.
  const url = /^(smtps?):\/\/([^/:?#]+|\[[^\]]+\])(?::(\d+))?\/?$/i.exec(host);
  if (url) {
    host = url[2]!.replace(/^\[|\]$/g, "");
    if (url[3]) port = Number(url[3]);
    implicitTls = url[1]!.toLowerCase() === "smtps";
  } else if (/[\s/@]/.test(host) || host === "") {
    throw fail(`'${host}' is not an e-mail server (give a host name such as "smtp.example.com", or smtp://host:port)`);
  }
  if (portV !== undefined) {
    if (typeof portV !== "number" || !Number.isInteger(portV) || portV < 1 || portV > 65535) throw new WflRuntimeError(`The port of an e-mail server must be a whole number from 1 to 65535, got ${formatValue(portV)}`, "type");
    port = portV;
  }
  port ??= implicitTls ? 465 : 587;
  const secure = tls && (implicitTls ?? port === 465);
  if (!tls && implicitTls) throw fail("smtps:// is TLS from the first byte; 'without tls' cannot be used with it");
  if ((userV === undefined) !== (passV === undefined)) throw fail("Give both a username and a password, or neither");
  const username = userV === undefined ? null : text(userV, "The username");
  const password = passV === undefined ? null : text(passV, "The password");
  const where = `${nodeNet.isIPv6(host) ? `[${host}]` : host}:${port}`;
  const options: Record<string, unknown> = {
    host, port, secure,
    requireTLS: tls && !secure,
    ignoreTLS: !tls,
    tls: { rejectUnauthorized: true, minVersion: "TLSv1.2", ca: trustedAuthorities(), ...(nodeNet.isIP(host) ? {} : { servername: host }) },
    pool: true,
    maxConnections: 2,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  if (username !== null) options.auth = { user: username, pass: password };
  const transporter = nodemailer().createTransport(options);
  try {
    await transporter.verify();
  } catch (e) {
    try { transporter.close(); } catch { /* nothing to close */ }
    throw smtpError(e, where, "connect", password);
  }
  const m = new Mailer(transporter, where, tls, username, owner);
  return new WflOpaque("EmailServer", `[EmailServer: ${where}${tls ? "" : ", without TLS"}]`, m);
}

/** A nodemailer failure as one plain sentence (the password never appears). */
function smtpError(e: unknown, where: string, phase: "connect" | "send", password: string | null): WflRuntimeError {
  const err = e as { code?: string; message?: string; response?: string; responseCode?: number; reason?: string };
  let detail = String(err?.response ?? err?.message ?? e).split("\n")[0]!.trim();
  if (password) detail = detail.split(password).join("****");
  const code = err?.code ?? "";
  const msg = String(err?.message ?? "");
  let sentence: string;
  if (code === "EAUTH" || code === "ENOAUTH") sentence = `The e-mail server at ${where} refused the username and password (${detail})`;
  else if (/STARTTLS/i.test(msg) || (code === "ETLS" && /STARTTLS/i.test(detail))) sentence = `The e-mail server at ${where} does not offer STARTTLS, so nothing was sent to it (no credentials either); use port 465 for TLS from the start, or 'without tls' only for a local development server (${detail})`;
  else if (/certificate|self[- ]signed|unable to (get|verify)|CERT_|altnames/i.test(msg)) sentence = `The certificate of the e-mail server at ${where} is not trusted: ${detail} (to trust a private authority, set NODE_EXTRA_CA_CERTS to its certificate file)`;
  else if (code === "ETLS") sentence = `TLS with the e-mail server at ${where} failed: ${detail}`;
  else if (code === "EDNS") sentence = `Cannot find the e-mail server ${where}: ${detail}`;
  else if (code === "ETIMEDOUT") sentence = `The e-mail server at ${where} did not answer in time (${detail})`;
  else if (code === "ECONNECTION" || code === "ESOCKET") sentence = `Cannot ${phase === "connect" ? "connect to" : "talk to"} the e-mail server at ${where}: ${detail}`;
  else if (code === "EENVELOPE") sentence = `The e-mail server at ${where} refused the sender or a recipient: ${detail}`;
  else if (code === "EMESSAGE") sentence = `The e-mail server at ${where} refused the message: ${detail}`;
  else sentence = `${phase === "connect" ? "Connecting to" : "Sending through"} the e-mail server at ${where} failed: ${detail}`;
  return fail(sentence);
}

// ---- composing -----------------------------------------------------------------------------------

const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Whether `a` is a plain address `local@domain.tld` (ASCII; a domain of two or more labels). */
export function isAddress(a: string): boolean {
  if (a.length > 254) return false;
  const at = a.lastIndexOf("@");
  if (at < 1) return false;
  const local = a.slice(0, at);
  const domain = a.slice(at + 1);
  if (local.length > 64 || !LOCAL.test(local)) return false;
  const labels = domain.split(".");
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return false;
  return /^[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]$/.test(labels[labels.length - 1]!) || /^xn--/.test(labels[labels.length - 1]!);
}

/** Addresses from a text (`"Ada <ada@example.com>, bob@example.com"`) or a list of texts. */
function addresses(v: Value, field: string, many: boolean): { name: string; address: string }[] {
  const items = Array.isArray(v) ? v : [v];
  const out: { name: string; address: string }[] = [];
  for (const item of items) {
    const s = text(item, `The '${field}' address`);
    if (/[\r\n\0]/.test(s)) throw fail(`The '${field}' address contains a line break`);
    for (const part of splitAddresses(s)) {
      const m = /^\s*(?:"?([^"<]*?)"?\s*<([^<>]*)>|([^<>\s]+))\s*$/.exec(part);
      const address = (m?.[2] ?? m?.[3] ?? "").trim();
      if (!m || !isAddress(address)) throw fail(`'${part.trim()}' is not a valid e-mail address (in '${field}')`);
      out.push({ name: (m[1] ?? "").trim(), address });
    }
  }
  if (out.length === 0) throw fail(`The e-mail has no '${field}' address`);
  if (!many && out.length > 1) throw fail(`'${field}' takes one address, got ${out.length}`);
  return out;
}

/** Splits on commas outside quotes and angle brackets. */
function splitAddresses(s: string): string[] {
  const parts: string[] = [];
  let cur = "";
  let quoted = false;
  let angle = false;
  for (const ch of s) {
    if (ch === '"') quoted = !quoted;
    else if (ch === "<" && !quoted) angle = true;
    else if (ch === ">" && !quoted) angle = false;
    if ((ch === "," || ch === ";") && !quoted && !angle) {
      if (cur.trim()) parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) parts.push(cur);
  return parts;
}

export const EMAIL_FIELDS = ["from", "to", "cc", "bcc", "reply_to", "subject", "body", "html_body"] as const;
/** The longest subject (characters) and body (characters) accepted. */
const MAX_SUBJECT = 998;
const MAX_BODY = 10 * 1024 * 1024;

/** `create email with from … and to … and subject … and body … | html_body …`. */
export function createEmail(fields: [string, Value][]): Value {
  const seen = new Map<string, Value>();
  for (const [name, v] of fields) {
    if (seen.has(name)) throw fail(`The e-mail gives '${name}' twice`);
    seen.set(name, v);
  }
  const from = seen.get("from");
  const to = seen.get("to");
  const subject = seen.get("subject");
  if (from === undefined) throw fail("An e-mail needs 'from' (the sender's address)");
  if (to === undefined) throw fail("An e-mail needs 'to' (one or more addresses)");
  if (subject === undefined) throw fail("An e-mail needs a 'subject'");
  if (!seen.has("body") && !seen.has("html_body")) throw fail("An e-mail needs a 'body' (plain text) or an 'html_body' (or both)");
  const message: Record<string, unknown> = {
    from: addresses(from, "from", false)[0],
    to: addresses(to, "to", true),
  };
  for (const f of ["cc", "bcc"] as const) if (seen.has(f)) message[f] = addresses(seen.get(f)!, f, true);
  if (seen.has("reply_to")) message.replyTo = addresses(seen.get("reply_to")!, "reply_to", false)[0];
  const subj = text(subject, "The subject");
  if (/[\r\n\0]/.test(subj)) throw fail("The subject of an e-mail cannot contain a line break");
  if (subj.length > MAX_SUBJECT) throw fail(`The subject of an e-mail is longer than ${MAX_SUBJECT} characters`);
  message.subject = subj;
  if (seen.has("body")) message.text = bodyText(seen.get("body")!, "body");
  if (seen.has("html_body")) message.html = bodyText(seen.get("html_body")!, "html_body");
  message.disableFileAccess = true;
  message.disableUrlAccess = true;
  const toList = (message.to as { address: string }[]).map((a) => a.address).join(", ");
  return new WflOpaque("Email", `[Email: "${subj}" to ${toList}]`, new Email(message, `"${subj}" to ${toList}`));
}

function bodyText(v: Value, field: string): string {
  const s = text(v, `The '${field}' of an e-mail`);
  if (s.length > MAX_BODY) throw fail(`The '${field}' of an e-mail is longer than ${MAX_BODY} characters`);
  return s;
}

// ---- sending -------------------------------------------------------------------------------------

function mailerOf(v: Value): Mailer {
  if (v instanceof WflOpaque && v.handle instanceof Mailer) {
    if (v.handle.closed) throw fail(`The connection to the e-mail server at ${v.handle.where} has been closed`);
    return v.handle;
  }
  throw new WflRuntimeError(`Expected an e-mail server (from 'connect to email server at …'), got ${formatValue(v)}`, "type");
}

/** `send EMAIL using MAILER`: waits until the server has accepted the message for every recipient. */
export async function send(emailV: Value, mailerV: Value): Promise<void> {
  if (!(emailV instanceof WflOpaque && emailV.handle instanceof Email)) {
    throw new WflRuntimeError(`Expected an e-mail (from 'create email with from … and to … and subject … and body …'), got ${formatValue(emailV)}`, "type");
  }
  const m = mailerOf(mailerV);
  let info: Awaited<ReturnType<Transporter["sendMail"]>>;
  try {
    info = await m.transporter.sendMail({ ...emailV.handle.message });
  } catch (e) {
    throw smtpError(e, m.where, "send", null);
  }
  const rejected = (info.rejected ?? []).map((r) => (typeof r === "string" ? r : (r as { address?: string }).address ?? String(r)));
  if (rejected.length > 0) throw fail(`The e-mail server at ${m.where} refused ${rejected.length === 1 ? "the recipient" : "the recipients"} ${rejected.join(", ")} (the others were sent the message)`);
}

/** `close email server MAILER`. */
export function close(mailerV: Value): void {
  if (mailerV instanceof WflOpaque && mailerV.handle instanceof Mailer) {
    mailerV.handle.close();
    return;
  }
  mailerOf(mailerV);
}
