// Web helpers: content types, route templates, and the query/cookie/form parsers a
// request handler needs.
//
// Semantics decided here:
// - Percent-decoding is lenient: a `%` not followed by two hex digits stays as written, and
//   bytes that are not valid UTF-8 become U+FFFD. Query strings and form bodies also turn `+`
//   into a space; cookies and path captures do not.
// - Query/form parsing: a leading `?` is ignored, empty pairs are skipped, a key without `=`
//   maps to "", and when a key repeats the last value wins.
// - Cookies: `name=value` pairs split on `;`, names and values trimmed, surrounding double
//   quotes removed from values, pairs without `=` skipped.
// - Route templates (`/users/:id`, `/static/*path`) compare whole segments; `:name` needs a
//   non-empty segment, a final `*name` takes the rest (possibly empty); the path's query string
//   and fragment are ignored.
import type { Registry } from "../registry.js";
import { type Value, WflObject } from "../../runtime/values.js";
import { text } from "../args.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { parseMultipartBody } from "./multipart.js";
import { exchangeOf } from "./exchange.js";

const utf8 = new TextDecoder("utf-8");
const encoder = new TextEncoder();

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Decode %XX escapes (and `+` as space when `plusIsSpace`), leaving malformed escapes as written. */
export function percentDecode(s: string, plusIsSpace = false): string {
  if (!s.includes("%") && !(plusIsSpace && s.includes("+"))) return s;
  const bytes = encoder.encode(s);
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x25 && i + 2 < bytes.length) {
      const hi = hexVal(bytes[i + 1]!);
      const lo = hexVal(bytes[i + 2]!);
      if (hi >= 0 && lo >= 0) {
        out[n++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    out[n++] = plusIsSpace && b === 0x2b ? 0x20 : b;
  }
  return utf8.decode(out.subarray(0, n));
}

/** Parse `a=1&b=two` (optionally after `?`) into an object. */
export function parseQueryString(qs: string): WflObject {
  const out = new WflObject();
  const s = qs.startsWith("?") ? qs.slice(1) : qs;
  for (const pair of s.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const key = percentDecode(eq < 0 ? pair : pair.slice(0, eq), true);
    const value = eq < 0 ? "" : percentDecode(pair.slice(eq + 1), true);
    out.set(key, value);
  }
  return out;
}

/** Parse a Cookie header (`a=1; b=2`) into an object. */
export function parseCookies(header: string): WflObject {
  const out = new WflObject();
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name === "") continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    out.set(name, percentDecode(value));
  }
  return out;
}

function stripQuery(path: string): string {
  const q = path.search(/[?#]/);
  return q < 0 ? path : path.slice(0, q);
}

/** Match a path against a template like `/users/:id` or `/static/*rest`; captures, or undefined. */
export function matchRoute(path: string, template: string): WflObject | undefined {
  const p = stripQuery(path).split("/");
  const t = template.split("/");
  const out = new WflObject();
  for (let i = 0; i < t.length; i++) {
    const seg = t[i]!;
    if (seg.startsWith("*") && i === t.length - 1) {
      const rest = p.slice(i).join("/");
      out.set(seg.slice(1) || "*", percentDecode(rest));
      return out;
    }
    const actual = p[i];
    if (actual === undefined) return undefined;
    if (seg.startsWith(":") && seg.length > 1) {
      if (actual === "") return undefined;
      out.set(seg.slice(1), percentDecode(actual));
    } else if (seg !== actual) return undefined;
  }
  return p.length === t.length ? out : undefined;
}

/** Content types by extension (lower case, without the dot). */
const MIME: Record<string, string> = {
  html: "text/html", htm: "text/html", css: "text/css", js: "application/javascript", mjs: "application/javascript",
  json: "application/json", map: "application/json", xml: "application/xml", txt: "text/plain", text: "text/plain",
  csv: "text/csv", tsv: "text/tab-separated-values", md: "text/markdown", markdown: "text/markdown",
  ics: "text/calendar", yaml: "application/yaml", yml: "application/yaml", toml: "application/toml",
  wfl: "text/plain", webmanifest: "application/manifest+json", jsonld: "application/ld+json",
  rss: "application/rss+xml", atom: "application/atom+xml", wasm: "application/wasm",
  png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", gif: "image/gif", webp: "image/webp", avif: "image/avif",
  svg: "image/svg+xml", ico: "image/x-icon", bmp: "image/bmp", tif: "image/tiff", tiff: "image/tiff",
  ttf: "font/ttf", otf: "font/otf", woff: "font/woff", woff2: "font/woff2", eot: "application/vnd.ms-fontobject",
  mp3: "audio/mpeg", wav: "audio/wav", ogg: "audio/ogg", oga: "audio/ogg", flac: "audio/flac", m4a: "audio/mp4",
  aac: "audio/aac", opus: "audio/opus", weba: "audio/webm",
  mp4: "video/mp4", m4v: "video/mp4", webm: "video/webm", ogv: "video/ogg", mov: "video/quicktime",
  avi: "video/x-msvideo", mpeg: "video/mpeg",
  pdf: "application/pdf", zip: "application/zip", gz: "application/gzip", tgz: "application/gzip",
  tar: "application/x-tar", bz2: "application/x-bzip2", xz: "application/x-xz", "7z": "application/x-7z-compressed",
  rar: "application/vnd.rar", doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xls: "application/vnd.ms-excel", xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ppt: "application/vnd.ms-powerpoint",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  odt: "application/vnd.oasis.opendocument.text", rtf: "application/rtf", epub: "application/epub+zip",
  bin: "application/octet-stream", exe: "application/octet-stream", sh: "application/x-sh",
};

/** The content type for a file name or path, `application/octet-stream` when unknown. */
export function mimeType(name: string): string {
  const base = stripQuery(name).replace(/\\/g, "/").split("/").pop() ?? "";
  const dot = base.lastIndexOf(".");
  if (dot < 0) return "application/octet-stream";
  return MIME[base.slice(dot + 1).toLowerCase()] ?? "application/octet-stream";
}

/** A URL's parts (`smtp://user:pass@host:587`, `postgres://…`): configuration often comes as one URL. */
function parseUrl(raw: string): WflObject {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new WflRuntimeError(`parse_url cannot read "${raw.length > 80 ? raw.slice(0, 80) + "…" : raw}" as a URL (it needs a scheme, as in "https://example.org/")`, "general");
  }
  const decode = (s: string): string => {
    try { return decodeURIComponent(s); } catch { return s; }
  };
  const query = new WflObject();
  for (const [k, v] of u.searchParams) query.set(k, v);
  const out = new WflObject();
  out.set("scheme", u.protocol.replace(/:$/, ""));
  out.set("username", u.username === "" ? null : decode(u.username));
  out.set("password", u.password === "" ? null : decode(u.password));
  out.set("host", u.hostname.replace(/^\[(.*)\]$/, "$1"));
  out.set("port", u.port === "" ? null : Number(u.port));
  out.set("path", decode(u.pathname));
  out.set("query", query);
  out.set("fragment", u.hash === "" ? null : decode(u.hash.slice(1)));
  return out;
}

export function register(r: Registry): void {
  r.fn("parse_url", { params: ["text"] }, ([v]) => parseUrl(text("parse_url", v!)));
  r.fn("mime_type", { arity: 1 }, ([v]) => mimeType(text("mime_type", v!)));
  r.fn("path_params", { arity: 2 }, ([p, t]) => matchRoute(text("path_params", p!), text("path_params", t!)) ?? null);
  r.fn("path_matches", { arity: 2 }, ([p, t]) => matchRoute(text("path_matches", p!), text("path_matches", t!)) !== undefined);
  r.fn("parse_query_string", { arity: 1 }, ([v]) => parseQueryString(queryText("parse_query_string", v!)));
  r.fn("parse_form_urlencoded", { arity: 1 }, ([v]) => parseQueryString(queryText("parse_form_urlencoded", v!)));
  r.fn("parse_multipart", { arity: 2 }, ([b, ct]) => parseMultipartBody(
    typeof b === "string" ? encoder.encode(b) : (b as Uint8Array), text("parse_multipart", ct!),
  ));
  r.fn("parse_cookies", { arity: 1 }, ([v]) => parseCookies(queryText("parse_cookies", v!)));
  r.fn("sent_status", { params: ["map"] }, ([v]) => sentStatus(v!));
}

/**
 * The status a request was answered with, once the answer's head has been sent (a file answer may
 * have become 304, 206 or 416), or nothing before that.
 */
export function sentStatus(request: Value): Value {
  const ex = exchangeOf(request);
  if (!ex) throw new WflRuntimeError("sent_status needs a request (from 'wait for request … as name', or a route handler's parameter)", "type");
  return ex.res.headersSent ? ex.res.statusCode : null;
}

/** Text to parse; `nothing` (an absent header or query) parses as empty. Binary bodies are decoded. */
function queryText(fn: string, v: Value): string {
  if (v === null) return "";
  if (v instanceof Uint8Array) return utf8.decode(v);
  return text(fn, v);
}
