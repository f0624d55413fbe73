// Synchronous file operations shared by the filesystem natives and by the statement
// forms the compiler emits (`open file at … as h`, `create file at … with …`, `list files in …`).
//
// Statement helpers (all synchronous; every failure is a WflRuntimeError with plain wording,
// `file not found` / `permission denied` kinds where they apply; relative paths resolve
// against process.cwd()):
//
//   readTextFile(path, maxBytes?)            → string        `open file at P and read content as v`
//   readBinaryFile(path, maxBytes?)          → Uint8Array
//   writeTextFile(path, text)                → void          create or truncate, then write
//   appendTextFile(path, text)               → void          create if missing, then append
//   writeBinaryFile(path, bytes)             → void          bytes: Uint8Array or a list of 0–255
//   createFile(path, content = "")           → void          `create file at P with C`
//   createDirectory(path)                    → void          `create directory at P`, `makedirs P` (recursive, ok if present)
//   deleteFile(path)                         → void          `delete file at P`, `remove_file at P`
//   deleteDirectory(path, recursive = false) → void          `delete directory at P`, `remove_dir at P [recursive yes]`
//   copyFile(from, to) / moveFile(from, to)  → void          `copy_file from A to B`, `move_file from A to B`
//   fileExists(path)                         → boolean       `file exists at P` (a regular file)
//   directoryExists(path)                    → boolean       `directory exists at P`
//   listFiles(dir, { recursive?, extensions?, pattern? }) → string[]   `list files in P …`
//   fileSize(pathOrHandle)                   → number        `file size of P|h`
//   maxReadSize(config)                      → number        the `max_file_read_size` limit (50 MiB default)
//
// File handles (a WflOpaque of type "File"; reads move a position through the file, writes go
// straight to disk so nothing is lost if the program forgets to close):
//
//   openFile(path, mode: "read" | "write" | "append", binary = false) → WflOpaque
//   readContent(h, maxBytes?)   → string       `read content from h` (from the position to the end)
//   readBinary(h, maxBytes?)    → Uint8Array   `read binary from h`
//   readBytes(h, n)             → Uint8Array   `read N bytes from h` (fewer at the end of the file)
//   writeContent(h, text)       → void         `write content X into h`, `write X to h`
//   appendContent(h, text)      → void         `append content X into h`
//   writeBinary(h, bytes)       → void         `write binary X into h`
//   closeFile(h)                → void         `close file h` (closing twice is harmless)
//   isFileHandle(v)             → boolean
import * as fs from "node:fs";
import * as nodePath from "node:path";
import { type Value, WflOpaque, typeName } from "../../runtime/values.js";
import { fail, WflRuntimeError } from "../../runtime/errors.js";
import { basename, globToRegExp } from "./paths.js";

export const DEFAULT_MAX_READ_SIZE = 50 * 1024 * 1024;

/** The read cap from `.wflcfg` (`max_file_read_size`, bytes), or 50 MiB. */
export function maxReadSize(config: ReadonlyMap<string, string> | undefined): number {
  const raw = config?.get("max_file_read_size");
  const n = raw === undefined ? NaN : Number(raw.trim());
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : DEFAULT_MAX_READ_SIZE;
}

// ---- errors -------------------------------------------------------------------------------

/**
 * Turn a Node error into a WFL error: `verb` says what was being done ("read", "open"), `noun`
 * what was missing ("File", "Directory", or "Parent" when a file was being created).
 */
export function fsError(err: unknown, verb: string, p: string, noun = "File"): WflRuntimeError {
  if (err instanceof WflRuntimeError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      if (noun === "Parent") return fail(`Cannot ${verb} ${p}: the directory it goes in does not exist`, "file not found");
      return fail(`${noun} not found: ${p}`, "file not found");
    case "EACCES":
    case "EPERM":
      return fail(`Permission denied: cannot ${verb} ${p}`, "permission denied");
    case "EISDIR":
      return fail(`Cannot ${verb} ${p}: it is a directory`);
    case "ENOTDIR":
      return fail(`Cannot ${verb} ${p}: part of the path is not a directory`);
    case "ENOTEMPTY":
      return fail(`Cannot ${verb} ${p}: the directory is not empty`);
    case "EEXIST":
      return fail(`Cannot ${verb} ${p}: it already exists`);
    case "ENOSPC":
      return fail(`Cannot ${verb} ${p}: no space left on the device`);
    case "EMFILE":
    case "ENFILE":
      return fail(`Cannot ${verb} ${p}: too many open files`);
    case "EROFS":
      return fail(`Cannot ${verb} ${p}: the file system is read-only`, "permission denied");
    case "EBUSY":
      return fail(`Cannot ${verb} ${p}: it is busy`);
    case "ELOOP":
      return fail(`Cannot ${verb} ${p}: too many symbolic links`);
    case "ENAMETOOLONG":
      return fail(`Cannot ${verb} ${p}: the name is too long`);
  }
  return fail(`Cannot ${verb} ${p}${code ? ` (${code})` : ""}`);
}

function attempt<T>(verb: string, p: string, body: () => T, noun?: string): T {
  try {
    return body();
  } catch (e) {
    throw fsError(e, verb, p, noun);
  }
}

function checkPath(fn: string, p: string): string {
  if (p === "") throw fail(`${fn}: the path is empty`);
  if (p.includes("\0")) throw fail(`${fn}: the path contains a NUL character`);
  return p;
}

function tooBig(p: string, size: number, max: number): WflRuntimeError {
  return fail(`Cannot read ${p}: ${size} bytes is more than the read limit of ${max} bytes (max_file_read_size)`);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function decodeText(p: string, bytes: Uint8Array): string {
  try {
    // Strip a UTF-8 byte order mark, as text readers conventionally do.
    const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    return utf8.decode(start ? bytes.subarray(start) : bytes);
  } catch {
    throw fail(`Cannot read ${p} as text: it is not valid UTF-8 (use read binary for non-text files)`);
  }
}

/** Read a whole file through an open descriptor, never more than `max` bytes. */
function readAllFd(fd: number, p: string, start: number, max: number): Uint8Array {
  const chunks: Buffer[] = [];
  let total = 0;
  let pos = start;
  for (;;) {
    const buf = Buffer.allocUnsafe(64 * 1024);
    const n = fs.readSync(fd, buf, 0, buf.length, pos);
    if (n === 0) break;
    total += n;
    pos += n;
    if (total > max) throw tooBig(p, total, max);
    chunks.push(n === buf.length ? buf : buf.subarray(0, n));
  }
  return new Uint8Array(Buffer.concat(chunks, total));
}

function readWhole(p: string, max: number): Uint8Array {
  return attempt("read", p, () => {
    const fd = fs.openSync(p, "r");
    try {
      const st = fs.fstatSync(fd);
      if (st.isDirectory()) throw fsError({ code: "EISDIR" }, "read", p);
      if (st.size > max) throw tooBig(p, st.size, max);
      return readAllFd(fd, p, 0, max);
    } finally {
      fs.closeSync(fd);
    }
  });
}

/** Bytes from a Binary value or a list of byte numbers (0–255). */
export function toBytes(fn: string, v: Value): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === "string") return new TextEncoder().encode(v);
  if (Array.isArray(v)) {
    if (v.length > DEFAULT_MAX_READ_SIZE) throw fail(`${fn}: a byte list of ${v.length} items is more than the 50 MiB limit`);
    const out = new Uint8Array(v.length);
    v.forEach((b, i) => {
      if (typeof b !== "number" || !Number.isInteger(b) || b < 0 || b > 255)
        throw fail(`${fn}: item ${i} of the byte list is not a byte (a whole number 0 to 255)`, "type");
      out[i] = b;
    });
    return out;
  }
  throw fail(`${fn} expects binary data or a list of bytes, got ${typeName(v)}`, "type");
}

// ---- whole-file helpers ------------------------------------------------------------------------

export function readTextFile(p: string, maxBytes = DEFAULT_MAX_READ_SIZE): string {
  checkPath("read", p);
  return decodeText(p, readWhole(p, maxBytes));
}

export function readBinaryFile(p: string, maxBytes = DEFAULT_MAX_READ_SIZE): Uint8Array {
  checkPath("read binary", p);
  return readWhole(p, maxBytes);
}

export function writeTextFile(p: string, content: string): void {
  checkPath("write", p);
  attempt("write", p, () => fs.writeFileSync(p, content), "Parent");
}

export function appendTextFile(p: string, content: string): void {
  checkPath("append to", p);
  attempt("append to", p, () => fs.appendFileSync(p, content), "Parent");
}

export function writeBinaryFile(p: string, bytes: Uint8Array | Value[]): void {
  checkPath("write", p);
  const data = toBytes("write binary", bytes);
  attempt("write", p, () => fs.writeFileSync(p, data), "Parent");
}

export function createFile(p: string, content = ""): void {
  checkPath("create file", p);
  attempt("create", p, () => fs.writeFileSync(p, content), "Parent");
}

export function createDirectory(p: string): void {
  checkPath("create directory", p);
  attempt("create directory", p, () => {
    fs.mkdirSync(p, { recursive: true });
  });
}

export function deleteFile(p: string): void {
  checkPath("delete file", p);
  attempt("delete", p, () => {
    if (fs.lstatSync(p).isDirectory()) throw fail(`Cannot delete ${p}: it is a directory (use delete directory)`);
    fs.unlinkSync(p);
  });
}

export function deleteDirectory(p: string, recursive = false): void {
  checkPath("delete directory", p);
  attempt(
    "delete directory",
    p,
    () => {
      if (!fs.lstatSync(p).isDirectory()) throw fail(`Cannot delete directory ${p}: it is not a directory`);
      if (recursive) fs.rmSync(p, { recursive: true, force: false });
      else fs.rmdirSync(p);
    },
    "Directory",
  );
}

export function copyFile(from: string, to: string): void {
  checkPath("copy_file", from);
  checkPath("copy_file", to);
  const dest = isDirectory(to) ? nodePath.join(to, basename(from)) : to;
  attempt("copy", from, () => {
    if (fs.statSync(from).isDirectory()) throw fail(`Cannot copy ${from}: it is a directory`);
  });
  attempt("copy to", dest, () => fs.copyFileSync(from, dest), "Parent");
}

export function moveFile(from: string, to: string): void {
  checkPath("move_file", from);
  checkPath("move_file", to);
  const dest = isDirectory(to) ? nodePath.join(to, basename(from)) : to;
  attempt("move", from, () => fs.lstatSync(from));
  attempt("move to", dest, () => {
    try {
      fs.renameSync(from, dest);
    } catch (e) {
      // Across devices rename fails: copy, then remove the original.
      if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
      fs.copyFileSync(from, dest);
      fs.unlinkSync(from);
    }
  }, "Parent");
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function fileExists(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

export function directoryExists(p: string): boolean {
  return isDirectory(p);
}

export function pathExists(p: string): boolean {
  try {
    fs.statSync(p);
    return true;
  } catch {
    return false;
  }
}

export interface ListOptions {
  /** Walk subdirectories; entries are then paths relative to `dir` ("sub/a.txt") and only files are listed. */
  recursive?: boolean;
  /** Keep only these extensions ("txt" or ".txt"; case-insensitive). */
  extensions?: string[];
  /** Keep only names matching this glob ("*.wfl"); matched against the file name. */
  pattern?: string;
}

/**
 * `list files in P`: the names in a directory, sorted. Without `recursive` every entry is
 * listed (files and directories); with it, the files of the whole tree as relative paths.
 */
export function listFiles(dir: string, opts: ListOptions = {}): string[] {
  checkPath("list files in", dir);
  const exts = opts.extensions?.map((e) => e.replace(/^\./, "").toLowerCase());
  const re = opts.pattern !== undefined ? globToRegExp(opts.pattern) : undefined;
  const keep = (name: string): boolean => {
    if (exts) {
      const dot = name.lastIndexOf(".");
      const ext = dot <= 0 ? "" : name.slice(dot + 1).toLowerCase();
      if (!exts.includes(ext)) return false;
    }
    return re ? re.test(name) : true;
  };
  const out: string[] = [];
  if (!opts.recursive) {
    const names = attempt("list files in", dir, () => fs.readdirSync(dir), "Directory");
    for (const n of names) if (keep(n)) out.push(n);
  } else {
    walk(dir, "", (rel, ent) => {
      if (!ent.isDirectory() && keep(ent.name)) out.push(rel);
    });
  }
  return out.sort();
}

/** Visit every entry under `root` (depth first); symbolic links to directories are not followed. */
export function walk(root: string, prefix: string, visit: (rel: string, ent: fs.Dirent) => void): void {
  const here = prefix === "" ? root : nodePath.join(root, prefix);
  const entries = attempt("list files in", here, () => fs.readdirSync(here, { withFileTypes: true }), "Directory");
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const ent of entries) {
    const rel = prefix === "" ? ent.name : prefix + "/" + ent.name;
    visit(rel, ent);
    if (ent.isDirectory()) {
      try {
        walk(root, rel, visit);
      } catch (e) {
        // An unreadable subdirectory is skipped rather than failing the whole listing.
        if (!(e instanceof WflRuntimeError) || e.errorKind !== "permission denied") throw e;
      }
    }
  }
}

// ---- handles --------------------------------------------------------------------------------

export type OpenMode = "read" | "write" | "append";

interface FileHandle {
  readonly path: string;
  readonly mode: OpenMode;
  readonly binary: boolean;
  fd: number | null;
  /** Read position (reads only; writes go to the end). */
  pos: number;
}

const MODE_WORDS: Record<OpenMode, string> = { read: "reading", write: "writing", append: "appending" };

export function openFile(p: string, mode: OpenMode, binary = false): WflOpaque {
  checkPath("open file", p);
  const flags = mode === "read" ? "r" : mode === "write" ? "w" : "a";
  const fd = attempt(
    mode === "read" ? "open" : "open for " + MODE_WORDS[mode],
    p,
    () => {
      const fd = fs.openSync(p, flags);
      if (mode === "read" && fs.fstatSync(fd).isDirectory()) {
        fs.closeSync(fd);
        throw fsError({ code: "EISDIR" }, "open", p);
      }
      return fd;
    },
    mode === "read" ? "File" : "Parent",
  );
  const h: FileHandle = { path: p, mode, binary, fd, pos: 0 };
  return new WflOpaque("File", `[File: ${p}]`, h);
}

export function isFileHandle(v: Value): v is WflOpaque {
  return v instanceof WflOpaque && v.typeName === "File";
}

function handleOf(fn: string, v: Value): FileHandle {
  if (!isFileHandle(v)) throw fail(`${fn} expects a file opened with open file, got ${typeName(v)}`, "type");
  return v.handle as FileHandle;
}

function openFd(fn: string, h: FileHandle, want: "read" | "write"): number {
  if (h.fd === null) throw fail(`Cannot ${fn} ${h.path}: the file is closed`);
  if (want === "read" && h.mode !== "read")
    throw fail(`Cannot read from ${h.path}: it was opened for ${MODE_WORDS[h.mode]}, not reading`);
  if (want === "write" && h.mode === "read")
    throw fail(`Cannot write to ${h.path}: it was opened for reading, not writing`);
  return h.fd;
}

export function readContent(v: Value, maxBytes = DEFAULT_MAX_READ_SIZE): string {
  const h = handleOf("read content", v);
  const fd = openFd("read from", h, "read");
  const bytes = attempt("read", h.path, () => readAllFd(fd, h.path, h.pos, maxBytes));
  h.pos += bytes.length;
  return decodeText(h.path, bytes);
}

export function readBinary(v: Value, maxBytes = DEFAULT_MAX_READ_SIZE): Uint8Array {
  const h = handleOf("read binary", v);
  const fd = openFd("read from", h, "read");
  const bytes = attempt("read", h.path, () => readAllFd(fd, h.path, h.pos, maxBytes));
  h.pos += bytes.length;
  return bytes;
}

export function readBytes(v: Value, n: number, maxBytes = DEFAULT_MAX_READ_SIZE): Uint8Array {
  const h = handleOf("read bytes", v);
  if (!Number.isInteger(n) || n < 0) throw fail(`read bytes: ${n} is not a byte count`);
  if (n > maxBytes) throw tooBig(h.path, n, maxBytes);
  const fd = openFd("read from", h, "read");
  const buf = Buffer.alloc(n);
  let got = 0;
  attempt("read", h.path, () => {
    while (got < n) {
      const k = fs.readSync(fd, buf, got, n - got, h.pos + got);
      if (k === 0) break;
      got += k;
    }
  });
  h.pos += got;
  return new Uint8Array(buf.buffer, buf.byteOffset, got);
}

function writeAll(h: FileHandle, data: string | Uint8Array): void {
  const fd = openFd("write to", h, "write");
  attempt("write to", h.path, () => {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let off = 0;
    while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
  });
}

export function writeContent(v: Value, content: string): void {
  writeAll(handleOf("write content", v), content);
}

export function appendContent(v: Value, content: string): void {
  writeAll(handleOf("append content", v), content);
}

export function writeBinary(v: Value, bytes: Value): void {
  writeAll(handleOf("write binary", v), toBytes("write binary", bytes));
}

export function closeFile(v: Value): void {
  const h = handleOf("close file", v);
  if (h.fd === null) return;
  const fd = h.fd;
  h.fd = null;
  attempt("close", h.path, () => fs.closeSync(fd));
}

/** `file size of P|h`: bytes on disk (an open handle is measured through its descriptor). */
export function fileSize(target: Value): number {
  if (isFileHandle(target)) {
    const h = target.handle as FileHandle;
    if (h.fd !== null) {
      const fd = h.fd;
      return attempt("measure", h.path, () => fs.fstatSync(fd).size);
    }
    return fileSize(h.path);
  }
  if (typeof target !== "string") throw fail(`file size expects a path or a file, got ${typeName(target)}`, "type");
  checkPath("file size", target);
  return attempt("measure", target, () => {
    const st = fs.statSync(target);
    if (st.isDirectory()) throw fail(`Cannot measure ${target}: it is a directory`);
    return st.size;
  });
}
