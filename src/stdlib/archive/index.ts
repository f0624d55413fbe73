// Archive module: tar and tar.gz archives (WFLHub's `.wflpkg` packages are tar.gz), read in
// memory and extracted safely, and gzip/gunzip. The rules (Docs/archives.md):
// - An archive may hold only files and folders: symbolic and hard links, devices, FIFOs and any
//   other kind of entry are refused, as is any path that is absolute ("/x", "C:x", "\x"), has a
//   ".." part, a backslash, a control character, an empty or "." part, or is empty; a path given
//   twice; a file that other entries use as a folder; more than 10,000 entries; more than 200 MiB
//   unpacked (counted while reading, so a gzip bomb stops early); a corrupt or truncated archive.
// - Paths are normalised only by dropping leading "./" and a folder's trailing "/"; the archive's
//   own root folder entry ("./") is skipped.
// - `check_archive` gives the first problem as {code, message, path}; `read_archive` refuses with
//   the same message as a WFL runtime error.
// - `extract_archive` writes nothing when the folder already holds any of the paths, never
//   follows a link inside the folder, and writes files 0644 and folders 0755.
import * as fs from "node:fs";
import * as nodePath from "node:path";
import type { Registry } from "../registry.js";
import { type Value, WflObject, typeName } from "../../runtime/values.js";
import { WflRuntimeError, fail } from "../../runtime/errors.js";
import { MAX_ENTRIES, MAX_UNPACKED, PathSet, type Problem, checkPath, quoted } from "./paths.js";
import { type Entry, packArchive, scanArchive, zlib } from "./tar.js";

function entryObject(e: Entry): WflObject {
  return new WflObject([["path", e.path], ["type", e.type], ["size", e.content.length], ["content", e.content]]);
}

async function readEntries(fn: string, data: Uint8Array): Promise<Entry[]> {
  const scan = await scanArchive(fn, data);
  if (!scan.ok) throw new WflRuntimeError(scan.problem.message, "general");
  return scan.entries;
}

function problemObject(p: Problem): WflObject {
  return new WflObject([["code", p.code], ["message", p.message], ["path", p.path]]);
}

const bytes = (v: string | Uint8Array): Uint8Array => (typeof v === "string" ? new Uint8Array(Buffer.from(v, "utf8")) : v);

const MIB = MAX_UNPACKED / 1024 / 1024;

function errnoCode(e: unknown): string | undefined {
  return (e as { code?: string } | null)?.code;
}

/** Whether something (a file, folder or link) is at `p`, not following a link at its last part. */
function present(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch (e) {
    if (errnoCode(e) === "ENOENT" || errnoCode(e) === "ENOTDIR") return null;
    throw e;
  }
}

/** Each folder from the root down to `rel` (a folder path inside the root), made when missing, never through a link. */
function ensureFolders(root: string, rel: string): void {
  if (rel === "") return;
  let at = root;
  for (const part of rel.split("/")) {
    at = nodePath.join(at, part);
    const st = present(at);
    if (st === null) {
      fs.mkdirSync(at, { mode: 0o755 });
      fs.chmodSync(at, 0o755);
    } else if (st.isSymbolicLink()) {
      throw new WflRuntimeError(`extract_archive will not write through ${quoted(nodePath.relative(root, at))} in the folder: it is a symbolic link, and extracting an archive never follows links`, "general");
    } else if (!st.isDirectory()) {
      throw new WflRuntimeError(`extract_archive cannot make the folder ${quoted(nodePath.relative(root, at))}: a file of that name is in the way`, "general");
    }
  }
  const real = fs.realpathSync(at);
  if (real !== root && !real.startsWith(root + nodePath.sep)) {
    throw new WflRuntimeError(`extract_archive will not write to ${quoted(rel)}: it leads outside the folder`, "general");
  }
}

function extractInto(entries: readonly Entry[], folder: string): string[] {
  const fn = "extract_archive";
  try {
    const abs = nodePath.resolve(folder);
    let st: fs.Stats | null = null;
    try {
      st = fs.statSync(abs);
    } catch (e) {
      if (errnoCode(e) !== "ENOENT") throw e;
    }
    if (st === null) fs.mkdirSync(abs, { recursive: true, mode: 0o755 });
    else if (!st.isDirectory()) throw new WflRuntimeError(`${fn} extracts into a folder, and ${quoted(folder)} is not one`, "general");
    const root = fs.realpathSync(abs);
    // Nothing is written when the folder already holds any of the paths.
    for (const e of entries) {
      if (present(nodePath.join(root, e.path)) !== null) {
        throw new WflRuntimeError(`${fn} will not overwrite: the folder already holds ${quoted(e.path)}, a path in the archive`, "general");
      }
    }
    const O = fs.constants;
    for (const e of entries) {
      if (e.type === "directory") {
        ensureFolders(root, e.path);
        continue;
      }
      const slash = e.path.lastIndexOf("/");
      ensureFolders(root, slash < 0 ? "" : e.path.slice(0, slash));
      const target = nodePath.join(root, e.path);
      const fd = fs.openSync(target, O.O_WRONLY | O.O_CREAT | O.O_EXCL | O.O_NOFOLLOW, 0o644);
      try {
        let at = 0;
        while (at < e.content.length) at += fs.writeSync(fd, e.content, at, e.content.length - at);
        fs.fchmodSync(fd, 0o644);
      } finally {
        fs.closeSync(fd);
      }
    }
    return entries.map((e) => e.path);
  } catch (e) {
    if (e instanceof WflRuntimeError) throw e;
    const code = errnoCode(e);
    const why = code === "EACCES" || code === "EPERM" ? "permission denied"
      : code === "EEXIST" ? "a file of that name appeared while extracting"
      : code === "ENOSPC" ? "the disk is full"
      : code === "ELOOP" ? "a symbolic link is in the way"
      : code ?? "it could not be written";
    throw new WflRuntimeError(`${fn} could not extract the archive into ${quoted(folder)} (${why})`, code === "EACCES" || code === "EPERM" ? "permission denied" : "general");
  }
}

function gunzipBytes(fn: string, data: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    zlib().gunzip(data, { maxOutputLength: MAX_UNPACKED }, (e, out) => {
      if (!e) return resolve(new Uint8Array(out));
      const code = errnoCode(e);
      if (code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError) return reject(fail(`${fn}: the data unpacks to more than ${MIB} MiB`));
      if (code === "Z_BUF_ERROR") return reject(fail(`${fn}: the gzip data is truncated (it ends early)`));
      reject(fail(`${fn}: the data is not valid gzip (${code === "Z_DATA_ERROR" ? "it is damaged or not gzip at all" : e.message.split("\n")[0]})`));
    });
  });
}

export function register(r: Registry): void {
  r.fn("read_archive", { params: ["binary"], async: true }, async ([data]) =>
    (await readEntries("read_archive", data as Uint8Array)).map(entryObject));

  r.fn("check_archive", { params: ["binary"], async: true }, async ([data]) => {
    const scan = await scanArchive("check_archive", data as Uint8Array);
    return scan.ok ? null : problemObject(scan.problem);
  });

  r.fn("archive_entry", { params: ["list|binary", "text"], async: true }, async ([from, path]) => {
    const list: Value[] = from instanceof Uint8Array ? (await readEntries("archive_entry", from)).map(entryObject) : (from as Value[]);
    for (const item of list) {
      if (item instanceof WflObject && item.get("path") === path) return item;
    }
    return null;
  });

  r.fn("create_archive", { params: ["map"], async: true }, async ([files]) => {
    const fn = "create_archive";
    const seen = new PathSet();
    const out: Array<[string, Uint8Array]> = [];
    let total = 0;
    for (const [key, v] of files as WflObject) {
      const p = checkPath(key, false);
      if (typeof p !== "string") throw fail(p.message);
      const dup = seen.add(p, key, false);
      if (dup) throw fail(dup.message);
      if (typeof v !== "string" && !(v instanceof Uint8Array)) throw fail(`${fn} expects text or binary data for ${quoted(key)}, got ${typeName(v)}`, "type");
      const b = bytes(v);
      total += b.length;
      out.push([p, b]);
    }
    if (out.length > MAX_ENTRIES) throw fail(`${fn}: an archive may hold at most ${MAX_ENTRIES} entries, and this one would hold ${out.length}`);
    if (total > MAX_UNPACKED) throw fail(`${fn}: an archive may hold at most ${MIB} MiB, and this one would hold more`);
    return packArchive(fn, out);
  });

  r.fn("extract_archive", { params: ["binary", "text"], async: true }, async ([data, folder]) =>
    extractInto(await readEntries("extract_archive", data as Uint8Array), folder as string));

  r.fn("gzip", { params: ["binary|text"], async: true }, ([data]) =>
    new Promise<Value>((resolve, reject) => {
      zlib().gzip(bytes(data as string | Uint8Array), (e, out) =>
        e ? reject(fail(`gzip could not compress the data (${e.message.split("\n")[0]})`)) : resolve(new Uint8Array(out)));
    }));

  r.fn("gunzip", { params: ["binary"], async: true }, ([data]) => gunzipBytes("gunzip", data as Uint8Array));
}
