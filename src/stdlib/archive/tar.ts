// Reading and writing tar and tar.gz archives on tar-stream (loaded on first use, outside the
// bundles) and Node's zlib. Reading streams the archive through the checks of paths.ts: it stops at
// the first refused entry, and counts the unpacked bytes as it goes, so a gzip bomb is stopped once
// it passes the limit rather than after it has been unpacked.
import type * as zlibTypes from "node:zlib";
import type * as TarStream from "tar-stream";
import { requirePackage } from "../../runtime/packages.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { MAX_ENTRIES, MAX_UNPACKED, PathSet, type Problem, checkPath, problem, quoted } from "./paths.js";

let zlibModule: typeof zlibTypes | undefined;
export function zlib(): typeof zlibTypes {
  zlibModule ??= (process as unknown as { getBuiltinModule(id: string): typeof zlibTypes }).getBuiltinModule("node:zlib");
  return zlibModule;
}

let tarModule: typeof TarStream | undefined;
function tar(fn: string): typeof TarStream {
  if (tarModule) return tarModule;
  try {
    tarModule = requirePackage<typeof TarStream>("tar-stream");
  } catch (e) {
    throw new WflRuntimeError(`${fn}: archives are not available (the tar-stream package could not be loaded: ${String(e instanceof Error ? e.message : e).split("\n")[0]})`, "general");
  }
  return tarModule;
}

export interface Entry {
  readonly path: string;
  readonly type: "file" | "directory";
  readonly content: Uint8Array;
}

export type Scan = { ok: true; entries: Entry[] } | { ok: false; problem: Problem };

/**
 * The tar stream itself may hold more than the entries' contents (headers, padding, long-name and
 * pax records, end blocks): allowed on top of MAX_UNPACKED before the stream is cut off. Zero
 * blocks past the end of the archive count too, so a bomb of zeros is stopped as well.
 */
const TAR_OVERHEAD = 32 * 1024 * 1024;

export const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

const tooLarge = (): Problem => problem("too_large", `The archive unpacks to more than ${MAX_UNPACKED / 1024 / 1024} MiB`, null);

/** Reads every entry of a tar or tar.gz archive, or gives the first problem with it. */
export function scanArchive(fn: string, data: Uint8Array): Promise<Scan> {
  const ts = tar(fn);
  if (data.length === 0) return Promise.resolve({ ok: false, problem: problem("corrupt", "The archive is empty (0 bytes), not a tar or tar.gz file", null) });
  return new Promise<Scan>((resolve) => {
    let done = false;
    const entries: Entry[] = [];
    const paths = new PathSet();
    let unpacked = 0;
    let count = 0;
    const extract = ts.extract();
    const gunzip = isGzip(data) ? zlib().createGunzip() : null;
    const finish = (r: Scan): void => {
      if (done) return;
      done = true;
      gunzip?.destroy();
      extract.destroy();
      resolve(r);
    };
    const refuse = (p: Problem): void => finish({ ok: false, problem: p });
    extract.on("entry", (header, stream, next) => {
      if (done) return;
      const raw = header.name;
      const q = quoted(raw);
      if (++count > MAX_ENTRIES) return refuse(problem("too_many_entries", `The archive holds more than ${MAX_ENTRIES} entries`, null));
      switch (header.type) {
        case "file": case "directory": break;
        case "symlink": return refuse(problem("symlink", `The archive entry ${q} is a symbolic link, and an archive may hold only files and folders`, raw));
        case "link": return refuse(problem("hardlink", `The archive entry ${q} is a hard link, and an archive may hold only files and folders`, raw));
        case "character-device": case "block-device":
          return refuse(problem("special_file", `The archive entry ${q} is a device, and an archive may hold only files and folders`, raw));
        case "fifo": return refuse(problem("special_file", `The archive entry ${q} is a named pipe (FIFO), and an archive may hold only files and folders`, raw));
        default: return refuse(problem("special_file", `The archive entry ${q} is neither a file nor a folder, and an archive may hold only files and folders`, raw));
      }
      const folder = header.type === "directory";
      const p = checkPath(raw, folder);
      if (typeof p !== "string") return refuse(p);
      const size = header.size ?? 0;
      if (folder && size > 0) return refuse(problem("corrupt", `The archive is corrupt (the folder entry ${q} has content)`, raw));
      if (p !== "") {
        const dup = paths.add(p, raw, folder);
        if (dup) return refuse(dup);
      }
      unpacked += size;
      if (unpacked > MAX_UNPACKED) return refuse(tooLarge());
      const chunks: Uint8Array[] = [];
      stream.on("data", (c: unknown) => { chunks.push(c as Uint8Array); });
      stream.on("error", () => {});
      stream.on("end", () => {
        if (done) return;
        if (p !== "") entries.push({ path: p, type: folder ? "directory" : "file", content: folder ? new Uint8Array(0) : concat(chunks) });
        next();
      });
      stream.resume();
    });
    extract.on("finish", () => finish({ ok: true, entries }));
    let raw = gunzip ? 0 : data.length;
    extract.on("error", (e: Error) =>
      refuse(problem("corrupt", raw < 512
        ? "The archive is corrupt (it is too short to be a tar or tar.gz file)"
        : /unexpected end/i.test(e.message)
        ? "The archive is truncated (it ends in the middle of an entry)"
        : "The archive is corrupt (it is not a valid tar or tar.gz file)", null)));
    if (gunzip) {
      gunzip.on("data", (c: Buffer) => {
        if (done) return;
        raw += c.length;
        if (raw > MAX_UNPACKED + TAR_OVERHEAD) return refuse(tooLarge());
        if (!extract.write(c)) gunzip.pause();
      });
      extract.on("drain", () => gunzip.resume());
      gunzip.on("end", () => { if (!done) (extract as unknown as { end(): void }).end(); });
      gunzip.on("error", (e: Error & { code?: string }) =>
        refuse(problem("corrupt", e.code === "Z_BUF_ERROR" || /unexpected end/i.test(e.message)
          ? "The archive is truncated (its gzip data ends early)"
          : "The archive is corrupt (its gzip data is damaged)", null)));
      gunzip.end(data);
    } else {
      if (data.length > MAX_UNPACKED + TAR_OVERHEAD) return refuse(tooLarge());
      extract.end(data);
    }
  });
}

function concat(chunks: Uint8Array[]): Uint8Array {
  // Always a copy: a chunk may be a view into a larger buffer of the stream's.
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * A deterministic tar.gz of files (path → bytes, paths already checked): sorted paths, mtime 0,
 * mode 0644, uid/gid 0, no user or group names, gzip without a name or time.
 */
export function packArchive(fn: string, files: ReadonlyArray<readonly [string, Uint8Array]>): Promise<Uint8Array> {
  const ts = tar(fn);
  const sorted = [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return new Promise<Uint8Array>((resolve, reject) => {
    const pack = ts.pack();
    const chunks: Uint8Array[] = [];
    pack.on("data", (c: unknown) => { chunks.push(c as Uint8Array); });
    pack.on("end", () => {
      try {
        resolve(new Uint8Array(zlib().gzipSync(concat(chunks), { level: 9 })));
      } catch (e) {
        reject(e);
      }
    });
    pack.on("error", reject);
    const epoch = new Date(0);
    for (const [name, content] of sorted) {
      pack.entry({ name, type: "file", size: content.length, mode: 0o644, mtime: epoch, uid: 0, gid: 0, uname: "", gname: "" }, Buffer.from(content.buffer, content.byteOffset, content.length));
    }
    pack.finalize();
  });
}
