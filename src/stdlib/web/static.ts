// Files as responses: `serve static files from DIR for req [under PREFIX]` (a directory, safely)
// and `respond to req with file at PATH …` (one file the program chose).
//
// Semantics decided here (see Docs/streaming-and-static-files.md):
// - The request target's path (verbatim, before `?`) is split on `/`; each segment is
//   percent-decoded. A segment that decodes to `..`, or contains `/`, `\` or NUL, or a
//   malformed escape, is refused with 400; a segment starting with `.` (`.env`, `.git`) is
//   answered 404. The file found is resolved with realpath and must lie inside the directory's
//   own realpath (a symlink pointing out is refused with 403).
// - A directory serves its `index.html` (a path to it without the final `/` is redirected there,
//   301). Only GET and HEAD (405 otherwise, with `Allow`).
// - Content-Type by extension (`mime_type`), Content-Length, Last-Modified, a weak ETag from the
//   size and modification time, Accept-Ranges. If-None-Match (or, without it, If-Modified-Since)
//   gives 304. One `bytes=` range gives 206 with Content-Range, an unsatisfiable one 416;
//   several ranges, a malformed one, or an If-Range that no longer matches get the whole file.
// - The body is streamed from the open file (never read whole).
import type { Stats } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { type Value } from "../../runtime/values.js";
import { formatValue } from "../../runtime/display.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { type Exchange, type HeaderMap, exchangeOf, finalHeaders } from "./exchange.js";
import { addHeaders } from "./streaming.js";
import { markAnswered, sendWhole } from "./server.js";
import { mimeType } from "./index.js";

type Fs = typeof import("node:fs");
type Path = typeof import("node:path");
let fsMod: Fs | undefined;
let pathMod: Path | undefined;
function fsLib(): Fs {
  fsMod ??= (process as unknown as { getBuiltinModule(id: string): unknown }).getBuiltinModule("node:fs") as Fs;
  return fsMod;
}
function pathLib(): Path {
  pathMod ??= (process as unknown as { getBuiltinModule(id: string): unknown }).getBuiltinModule("node:path") as Path;
  return pathMod;
}

function exchangeFor(request: Value, what: string): Exchange {
  const ex = exchangeOf(request);
  if (!ex) throw new WflRuntimeError(`${what} needs a request from 'wait for request … as name'`, "type");
  if (ex.res.headersSent || ex.state !== "waiting") throw new WflRuntimeError("This request has already been answered", "general");
  return ex;
}

/** A short plain-text answer (404, 403, …), through the middleware like any other. */
function plain(ex: Exchange, status: number, message: string, extra: HeaderMap = {}): void {
  const body = Buffer.from(message + "\n", "utf8");
  const headers: HeaderMap = {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": String(body.length),
    "X-Content-Type-Options": "nosniff",
    ...extra,
  };
  sendWhole(ex, status, headers, body); // Node sends no body to HEAD; the length stays
}

/** The decoded segments of the request's path below `prefix`, or the status to refuse it with. */
export function staticSegments(target: string, prefix: string | null): string[] | number {
  let path = target;
  const q = path.search(/[?#]/);
  if (q >= 0) path = path.slice(0, q);
  if (!path.startsWith("/")) return 400;
  if (prefix !== null) {
    const p = prefix.endsWith("/") ? prefix : prefix + "/";
    if (path === p.slice(0, -1)) path = "/";
    else if (path.startsWith(p)) path = path.slice(p.length - 1);
    else return 404;
  }
  const out: string[] = [];
  for (const raw of path.split("/")) {
    if (raw === "") continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return 400;
    }
    if (seg === "..") return 400;
    if (seg.includes("/") || seg.includes("\\") || seg.includes("\0")) return 400;
    if (seg === ".") continue;
    if (seg.startsWith(".")) return 404;
    out.push(seg);
  }
  return out;
}

function inside(root: string, p: string): boolean {
  const sep = pathLib().sep;
  return p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);
}

async function realpath(p: string): Promise<string | null> {
  try {
    return await fsLib().promises.realpath(p);
  } catch {
    return null;
  }
}

/** `serve static files from DIR for req [under PREFIX]`: always answers the request. */
export async function serveStatic(request: Value, dir: Value, prefix: Value | null): Promise<void> {
  const ex = exchangeFor(request, "serve static files");
  if (typeof dir !== "string") throw new WflRuntimeError(`A directory must be text, got ${formatValue(dir)}`, "type");
  if (prefix !== null && typeof prefix !== "string") throw new WflRuntimeError(`A path prefix must be text, got ${formatValue(prefix)}`, "type");
  const root = await realpath(dir);
  if (root === null || !(await fsLib().promises.stat(root)).isDirectory()) {
    throw new WflRuntimeError(`Cannot serve static files from ${dir}: it is not a directory`, "file not found");
  }
  const method = ex.req.method ?? "GET";
  if (method !== "GET" && method !== "HEAD") {
    plain(ex, 405, "Method Not Allowed", { Allow: "GET, HEAD" });
    return;
  }
  const segs = staticSegments(ex.req.url ?? "/", prefix);
  if (typeof segs === "number") {
    plain(ex, segs, segs === 400 ? "Bad Request" : "Not Found");
    return;
  }
  const path = pathLib();
  let real = await realpath(path.join(root, ...segs));
  if (real === null) return plain(ex, 404, "Not Found");
  if (!inside(root, real)) return plain(ex, 403, "Forbidden");
  const st = await fsLib().promises.stat(real).catch(() => null);
  if (st === null) return plain(ex, 404, "Not Found");
  if (st.isDirectory()) {
    // `/static/docs` → `/static/docs/`, so the index page's relative links resolve under it.
    const target = ex.req.url ?? "/";
    const q = target.search(/[?#]/);
    const bare = q >= 0 ? target.slice(0, q) : target;
    // Leading slashes collapse to one: `//evil.example/` would be another site's address.
    const local = bare.replace(/^\/+/, "/");
    if (!bare.endsWith("/")) return plain(ex, 301, "Moved Permanently", { Location: local + "/" + (q >= 0 ? target.slice(q) : "") });
    real = await realpath(path.join(real, "index.html"));
    if (real === null) return plain(ex, 404, "Not Found");
    if (!inside(root, real)) return plain(ex, 403, "Forbidden");
  }
  const fh = await openRegular(real);
  if (fh === null) return plain(ex, 404, "Not Found");
  await sendFile(ex, fh.handle, fh.stats, real, null, null);
}

async function openRegular(p: string): Promise<{ handle: FileHandle; stats: Stats } | null> {
  const c = fsLib().constants;
  let handle: FileHandle;
  try {
    handle = await fsLib().promises.open(p, c.O_RDONLY | (c.O_NOFOLLOW ?? 0));
  } catch {
    return null;
  }
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    return null;
  }
  return { handle, stats };
}

export interface FileResponseOptions {
  contentType: Value | null;
  headers: Value | null;
}

/** `respond to req with file at PATH [and content type T] [and headers H]`. */
export async function respondWithFile(request: Value, path: Value, opts: FileResponseOptions): Promise<void> {
  const ex = exchangeFor(request, "respond to … with file at");
  if (typeof path !== "string") throw new WflRuntimeError(`A file path must be text, got ${formatValue(path)}`, "type");
  let handle: FileHandle;
  try {
    handle = await fsLib().promises.open(path, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM") throw new WflRuntimeError(`Permission denied: cannot read ${path}`, "permission denied");
    throw new WflRuntimeError(`File not found: ${path}`, "file not found");
  }
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    throw new WflRuntimeError(`${path} is not a file`, "file not found");
  }
  const ct = opts.contentType === null ? null : formatValue(opts.contentType);
  try {
    // Headers are checked before anything is sent.
    const extra: HeaderMap = {};
    addHeaders(extra, opts.headers);
    await sendFile(ex, handle, stats, path, ct, extra);
  } catch (e) {
    if (!ex.res.headersSent) await handle.close().catch(() => {});
    throw e;
  }
}

function etagOf(st: Stats): string {
  return `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
}

function weakMatch(list: string, etag: string): boolean {
  const bare = (t: string): string => t.trim().replace(/^W\//, "");
  const want = bare(etag);
  return list.split(",").some((t) => t.trim() === "*" || bare(t) === want);
}

function notModified(ex: Exchange, st: Stats, etag: string): boolean {
  const inm = ex.req.headers["if-none-match"];
  if (inm !== undefined) return weakMatch(inm, etag);
  const ims = ex.req.headers["if-modified-since"];
  if (ims !== undefined) {
    const t = Date.parse(ims);
    return Number.isFinite(t) && Math.floor(st.mtimeMs / 1000) * 1000 <= t;
  }
  return false;
}

/** The one byte range asked for: [start, end] inclusive, "unsatisfiable", or null for the whole file. */
export function parseRange(header: string | undefined, size: number): [number, number] | "unsatisfiable" | null {
  if (header === undefined) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return null; // several ranges, another unit, or nonsense: the whole file
  const [, a, b] = m;
  if (a === "" && b === "") return null;
  if (a === "") {
    const n = Number(b);
    if (n === 0) return "unsatisfiable";
    return size === 0 ? "unsatisfiable" : [Math.max(0, size - n), size - 1];
  }
  const start = Number(a);
  let end = b === "" ? size - 1 : Number(b);
  if (b !== "" && end < start) return null;
  if (start >= size) return "unsatisfiable";
  if (end >= size) end = size - 1;
  return [start, end];
}

function rangeStillValid(ex: Exchange, st: Stats, etag: string): boolean {
  const h = ex.req.headers["if-range"];
  if (h === undefined) return true;
  const ifRange = Array.isArray(h) ? h.join(",") : h;
  if (ifRange.trim().startsWith('"') || ifRange.trim().startsWith("W/")) {
    // A weak validator never matches for a range (RFC 9110 §13.1.5); ours are weak.
    return false;
  }
  const t = Date.parse(ifRange);
  return Number.isFinite(t) && Math.floor(st.mtimeMs / 1000) * 1000 === t;
}

async function sendFile(ex: Exchange, fh: FileHandle, st: Stats, name: string, contentType: string | null, extra: HeaderMap | null): Promise<void> {
  const res = ex.res;
  const etag = etagOf(st);
  const base: HeaderMap = {
    "Content-Type": contentType ?? withCharset(mimeType(name)),
    "Last-Modified": st.mtime.toUTCString(),
    ETag: etag,
    "Accept-Ranges": "bytes",
    "X-Content-Type-Options": "nosniff",
  };
  if (extra) Object.assign(base, extra);
  if (notModified(ex, st, etag)) {
    await fh.close();
    delete base["Content-Type"];
    finalHeaders(ex, ex.middleware, 304, base);
    res.writeHead(304, base).end();
    markAnswered(ex);
    return;
  }
  const range = ex.req.method === "GET" && rangeStillValid(ex, st, etag) ? parseRange(ex.req.headers.range, st.size) : null;
  if (range === "unsatisfiable") {
    await fh.close();
    plain(ex, 416, "Range Not Satisfiable", { "Content-Range": `bytes */${st.size}` });
    return;
  }
  const [start, end] = range ?? [0, st.size - 1];
  const status = range ? 206 : 200;
  base["Content-Length"] = String(Math.max(0, end - start + 1));
  if (range) base["Content-Range"] = `bytes ${start}-${end}/${st.size}`;
  finalHeaders(ex, ex.middleware, status, base);
  res.writeHead(status, base);
  markAnswered(ex);
  if (ex.req.method === "HEAD" || st.size === 0) {
    await fh.close();
    res.end();
    return;
  }
  const stream = fh.createReadStream({ start, end, autoClose: true });
  stream.on("error", () => res.destroy());
  res.on("close", () => stream.destroy());
  stream.pipe(res);
}

function withCharset(type: string): string {
  return /^text\/|^application\/(javascript|json|xml)|\+xml$/.test(type) && !type.includes("charset") ? `${type}; charset=utf-8` : type;
}
