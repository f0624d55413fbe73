// Synchronous file operations shared by the filesystem natives and by the statement
// forms the compiler emits (`open file at … as h`, `create file at … with …`, `list files in …`).
//
// Statement helpers (all synchronous; every failure is a WflRuntimeError with plain wording,
// `file not found` / `permission denied` kinds where they apply; relative paths resolve
// against process.cwd()):
//
//   readTextFile(path, maxBytes?)            → string        `open file at P and read content as v`
//   readBinaryFile(path, maxBytes?)          → Uint8Array
//   writeTextFile(path, text)                → void          replace the whole file (see "Safe writes")
//   appendTextFile(path, text)               → void          create if missing, then append
//   writeBinaryFile(path, bytes)             → void          bytes: Uint8Array or a list of 0–255
//   createFile(path, content = "")           → void          `create file at P with C` (replaces, like write)
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
// File handles (a WflOpaque of type "File"; reads move a position through the file; a handle
// opened for writing writes a temporary file that replaces the target when it is closed, or when
// the program ends without closing it; appends go straight to the file):
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
//
// Safe writes (Docs/files.md says what users are promised):
// - Whole-file writes (`write content X into "path"`, `create file at …`, write binary, and
//   handles opened `for writing`) go to a temporary file in the same directory
//   (`.NAME.PID.RANDOM.wfl-tmp`), which is flushed to disk (fsync) and then renamed over the
//   target, keeping the target's mode (and owner, when running as root). If anything fails
//   (no space, file-size limit, …) the temporary file is removed and the target keeps its old
//   content byte for byte. A symbolic link is written through: its target file is replaced.
//   The file itself must be writable (the rename alone would not check). Where the directory
//   does not let us create the temporary file but the file is writable, the file is rewritten
//   in place (not atomic).
// - Appends cannot be made atomic: a failed append is cut back to the file's old length, so the
//   old content stays and no partial text is left; a process killed mid-append can leave part
//   of the text at the end.
// - Only regular files are read or written as files. Named pipes, sockets and devices are
//   refused with a WFL error before anything can block on them, except the device paths in
//   DEVICE_PATHS, which are read and written in place.
import { randomBytes } from "node:crypto";
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
    case "EFBIG":
      return fail(`Cannot ${verb} ${p}: the file would grow past the file-size limit`);
    case "EDQUOT":
      return fail(`Cannot ${verb} ${p}: the disk quota is used up`);
    case "ENXIO":
      return fail(`Cannot ${verb} ${p}: it is not a regular file (a socket, or a device or pipe with nothing behind it)`);
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
    const fd = openForReading("read", p);
    try {
      const st = fs.fstatSync(fd);
      if (st.size > max) throw tooBig(p, st.size, max);
      return readAllFd(fd, p, 0, max);
    } finally {
      fs.closeSync(fd);
    }
  });
}

// ---- regular files only -------------------------------------------------------------------------

/** Device paths that are read and written in place, as documented in Docs/files.md. */
export const DEVICE_PATHS: readonly string[] = ["/dev/null", "/dev/stdin", "/dev/stdout", "/dev/stderr"];

function isDevicePath(p: string): boolean {
  return process.platform !== "win32" && DEVICE_PATHS.includes(nodePath.resolve(p));
}

const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;

/** What a non-regular, non-directory file is ("a named pipe (FIFO)"), or null for a regular file. */
function specialKind(st: fs.Stats): string | null {
  if (st.isFIFO()) return "a named pipe (FIFO)";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  return null;
}

function notRegular(verb: string, p: string, kind: string): WflRuntimeError {
  return fail(`Cannot ${verb} ${p}: it is ${kind}, not a regular file`);
}

/** Rethrows an open() failure; ENXIO (a socket, a pipe with no reader) says what the path is. */
function openFailure(e: unknown, verb: string, p: string, noun: string): WflRuntimeError {
  if ((e as NodeJS.ErrnoException | undefined)?.code === "ENXIO") {
    try {
      const kind = specialKind(fs.statSync(p));
      if (kind) return notRegular(verb, p, kind);
    } catch {
      /* fall through */
    }
  }
  return fsError(e, verb, p, noun);
}

/**
 * Opens a regular file for reading. The open does not block (O_NONBLOCK), so a named pipe is
 * refused instead of waiting forever for a writer; directories, sockets and devices are refused
 * too, except DEVICE_PATHS.
 */
function openForReading(verb: string, p: string): number {
  if (isDevicePath(p)) return fs.openSync(p, "r");
  let fd: number;
  try {
    fd = fs.openSync(p, fs.constants.O_RDONLY | O_NONBLOCK);
  } catch (e) {
    throw openFailure(e, verb, p, "File");
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw fsError({ code: "EISDIR" }, verb, p);
    const kind = specialKind(st);
    if (kind) throw notRegular(verb, p, kind);
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
  return fd;
}

/** Opens a file for appending (created if missing), refusing anything but a regular file. */
function openForAppending(verb: string, p: string): number {
  if (isDevicePath(p)) return attempt(verb, p, () => fs.openSync(p, "a"), "Parent");
  let fd: number;
  try {
    fd = fs.openSync(p, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | O_NONBLOCK, 0o666);
  } catch (e) {
    throw openFailure(e, verb, p, "Parent");
  }
  try {
    const st = fs.fstatSync(fd);
    const kind = specialKind(st);
    if (kind) throw notRegular(verb, p, kind);
  } catch (e) {
    fs.closeSync(fd);
    throw fsError(e, verb, p);
  }
  return fd;
}

function writeAllBytes(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
}

function bytesOf(data: string | Uint8Array): Uint8Array {
  return typeof data === "string" ? Buffer.from(data, "utf8") : data;
}

/** Appends to an open descriptor; if the write fails the file is cut back to its old length. */
function appendBytes(fd: number, bytes: Uint8Array): void {
  const before = fs.fstatSync(fd).size;
  try {
    writeAllBytes(fd, bytes);
  } catch (e) {
    try {
      fs.ftruncateSync(fd, before);
    } catch {
      /* the write error is the one to report */
    }
    throw e;
  }
}

// ---- replacing a file through a temporary file ------------------------------------------------------

/** A whole-file write in progress: the temporary file, or the target itself when `direct`. */
interface Replacement {
  fd: number;
  /** The temporary file, renamed over `target` by commitReplacement; null when written in place. */
  tmp: string | null;
  /** The file that is replaced (a symbolic link's target). */
  target: string;
}

// Temporary files this process is writing right now (absolute paths). Directory listings leave
// them out, so a program listing a folder while it writes a file there sees no stray entry.
const inFlight = new Set<string>();

/** The names in `dir` (as listed) without this process's temporary files. */
export function withoutOwnTempFiles(dir: string, names: string[]): string[] {
  if (inFlight.size === 0) return names;
  return names.filter((n) => !inFlight.has(nodePath.resolve(dir, n)));
}

function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Starts replacing `p`: opens a new temporary file beside it (with the old file's mode). A
 * DEVICE_PATHS entry is opened for appending instead, and a file whose directory takes no new
 * file but which is itself writable is opened for writing in place. Refuses directories, pipes,
 * sockets and other devices.
 */
function startReplacement(verb: string, p: string): Replacement {
  // Device paths are opened as they are, without truncating: /dev/stdout may name the regular
  // file the output is redirected to, which must be neither emptied nor replaced.
  if (isDevicePath(p)) return { fd: attempt(verb, p, () => fs.openSync(p, "a"), "Parent"), tmp: null, target: p };
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(p);
  } catch (e) {
    if (errnoOf(e) !== "ENOENT") throw fsError(e, verb, p, "Parent");
    // A dangling symbolic link is written through, as before: it then names a new file.
    let dangling = false;
    try {
      dangling = fs.lstatSync(p).isSymbolicLink();
    } catch {
      /* not there at all */
    }
    if (dangling) return { fd: attempt(verb, p, () => fs.openSync(p, "w"), "Parent"), tmp: null, target: p };
  }
  if (st) {
    if (st.isDirectory()) throw fsError({ code: "EISDIR" }, verb, p);
    const kind = specialKind(st);
    if (kind) throw notRegular(verb, p, kind);
    // The rename needs only the directory's permission: a read-only file must still be refused.
    try {
      fs.accessSync(p, fs.constants.W_OK);
    } catch (e) {
      throw fsError(e, verb, p);
    }
  }
  const target = st ? attempt(verb, p, () => fs.realpathSync(p)) : p;
  const dir = nodePath.dirname(target);
  const tmp = nodePath.join(dir, `.${nodePath.basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.wfl-tmp`);
  let fd: number;
  try {
    fd = fs.openSync(tmp, "wx", 0o666);
  } catch (e) {
    const code = errnoOf(e);
    // The directory will not take a new file, but the file itself may be writable: rewrite it in place.
    if (st && (code === "EACCES" || code === "EPERM")) {
      return { fd: attempt(verb, p, () => fs.openSync(target, "w"), "Parent"), tmp: null, target };
    }
    throw fsError(e, verb, p, "Parent");
  }
  inFlight.add(nodePath.resolve(tmp));
  if (st) {
    try {
      fs.fchmodSync(fd, st.mode & 0o7777);
      if (process.getuid?.() === 0 && (st.uid !== 0 || st.gid !== 0)) fs.fchownSync(fd, st.uid, st.gid);
    } catch {
      /* the new file keeps the default mode and owner */
    }
  }
  return { fd, tmp, target };
}

/** Writes into a replacement; on failure the temporary file is removed and the error thrown. */
function writeReplacement(r: Replacement, bytes: Uint8Array): void {
  try {
    writeAllBytes(r.fd, bytes);
  } catch (e) {
    abandonReplacement(r);
    throw e;
  }
}

/** Flushes the temporary file to disk and renames it over the target. */
function commitReplacement(r: Replacement): void {
  if (r.tmp === null) {
    fs.closeSync(r.fd);
    return;
  }
  try {
    fs.fsyncSync(r.fd);
    fs.closeSync(r.fd);
    r.fd = -1;
    fs.renameSync(r.tmp, r.target);
    inFlight.delete(nodePath.resolve(r.tmp));
  } catch (e) {
    abandonReplacement(r);
    throw e;
  }
  // Make the rename itself durable where the platform allows it.
  try {
    const dfd = fs.openSync(nodePath.dirname(r.target), "r");
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    /* not every platform can fsync a directory */
  }
}

/** Closes and removes the temporary file; the target is untouched. */
function abandonReplacement(r: Replacement): void {
  if (r.fd >= 0) {
    try {
      fs.closeSync(r.fd);
    } catch {
      /* already closed */
    }
    r.fd = -1;
  }
  if (r.tmp !== null) {
    inFlight.delete(nodePath.resolve(r.tmp));
    try {
      fs.unlinkSync(r.tmp);
    } catch {
      /* already gone */
    }
  }
}

/** Replaces the whole file `p` with `data` (see "Safe writes" at the top). */
function replaceFile(verb: string, p: string, data: string | Uint8Array): void {
  attempt(verb, p, () => {
    const r = startReplacement(verb, p);
    writeReplacement(r, bytesOf(data));
    commitReplacement(r);
  }, "Parent");
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
  replaceFile("write", p, content);
}

export function appendTextFile(p: string, content: string): void {
  checkPath("append to", p);
  attempt("append to", p, () => {
    const fd = openForAppending("append to", p);
    try {
      appendBytes(fd, bytesOf(content));
    } finally {
      fs.closeSync(fd);
    }
  }, "Parent");
}

export function writeBinaryFile(p: string, bytes: Uint8Array | Value[]): void {
  checkPath("write", p);
  replaceFile("write", p, toBytes("write binary", bytes));
}

export function createFile(p: string, content = ""): void {
  checkPath("create file", p);
  replaceFile("create", p, content);
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
    const st = fs.statSync(from);
    if (st.isDirectory()) throw fail(`Cannot copy ${from}: it is a directory`);
    const kind = specialKind(st);
    if (kind && !isDevicePath(from)) throw notRegular("copy", from, kind);
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
    const names = withoutOwnTempFiles(dir, attempt("list files in", dir, () => fs.readdirSync(dir), "Directory"));
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
    if (inFlight.size > 0 && inFlight.has(nodePath.resolve(here, ent.name))) continue;
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
  /** `for writing`: the temporary file that replaces the target on close. */
  replacement: Replacement | null;
  /** A write through this handle failed (the target kept its old content); later writes fail too. */
  failed: boolean;
}

// Handles opened for writing and not yet closed: the program's end replaces their targets, as
// closing them would (nothing written is lost when a program forgets `close file`).
const unclosed = new Set<FileHandle>();
let exitHookInstalled = false;

function trackUnclosed(h: FileHandle): void {
  unclosed.add(h);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const u of [...unclosed]) {
      try {
        closeHandle(u);
      } catch {
        /* the temporary file is removed; the target keeps its old content */
      }
    }
  });
}

const MODE_WORDS: Record<OpenMode, string> = { read: "reading", write: "writing", append: "appending" };

export function openFile(p: string, mode: OpenMode, binary = false): WflOpaque {
  checkPath("open file", p);
  const verb = mode === "read" ? "open" : "open for " + MODE_WORDS[mode];
  let fd: number;
  let replacement: Replacement | null = null;
  if (mode === "read") fd = attempt(verb, p, () => openForReading(verb, p), "File");
  else if (mode === "append") fd = attempt(verb, p, () => openForAppending(verb, p), "Parent");
  else {
    replacement = attempt(verb, p, () => startReplacement(verb, p), "Parent");
    fd = replacement.fd;
  }
  const h: FileHandle = { path: p, mode, binary, fd, pos: 0, replacement, failed: false };
  if (replacement) trackUnclosed(h);
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
  if (h.failed) throw fail(`Cannot ${fn} ${h.path}: an earlier write to it failed, so the file was left as it was`);
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
  const bytes = bytesOf(data);
  if (h.replacement) {
    // A failed write abandons the temporary file: the target keeps its old content.
    const r = h.replacement;
    attempt("write to", h.path, () => {
      try {
        writeReplacement(r, bytes);
      } catch (e) {
        h.failed = true;
        h.fd = null;
        h.replacement = null;
        unclosed.delete(h);
        throw e;
      }
    });
  } else {
    attempt("write to", h.path, () => appendBytes(fd, bytes));
  }
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
  closeHandle(handleOf("close file", v));
}

/** Closes a handle; one opened for writing replaces its target now. Closing twice is harmless. */
function closeHandle(h: FileHandle): void {
  if (h.fd === null) return;
  const fd = h.fd;
  const r = h.replacement;
  h.fd = null;
  h.replacement = null;
  unclosed.delete(h);
  if (r) attempt("write", h.path, () => commitReplacement(r), "Parent");
  else attempt("close", h.path, () => fs.closeSync(fd));
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
