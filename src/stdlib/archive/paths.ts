// The path rules of archives, shared by reading (read_archive, check_archive, extract_archive) and
// writing (create_archive). A path is normalised only by dropping leading "./" and, for a folder,
// a trailing "/"; everything else that could name a place outside the archive's folder, or name
// one place in two ways, is refused with a code and one plain sentence.

export type ProblemCode =
  | "symlink" | "hardlink" | "special_file" | "absolute_path" | "path_traversal" | "bad_path"
  | "duplicate_path" | "too_many_entries" | "too_large" | "corrupt";

export interface Problem {
  readonly code: ProblemCode;
  readonly message: string;
  /** The entry's path as the archive gives it, or null when the problem is the archive's as a whole. */
  readonly path: string | null;
}

export const MAX_ENTRIES = 10_000;
export const MAX_UNPACKED = 200 * 1024 * 1024;

/** A path for a message: quoted, with control characters escaped (JSON's quoting). */
export function quoted(path: string): string {
  return JSON.stringify(path);
}

export const problem = (code: ProblemCode, message: string, path: string | null): Problem => ({ code, message, path });

/**
 * The normalised path of an entry, or the problem with it. `folder`: the entry is a folder (its
 * trailing "/" is dropped). The archive's own root ("." or "./", as `tar -C dir -czf x.tgz .`
 * writes it) gives "" for a folder: the caller skips it.
 */
export function checkPath(raw: string, folder: boolean): string | Problem {
  const q = quoted(raw);
  if (raw === "") return problem("bad_path", "The archive has an entry with an empty path", raw);
  if (/[\u0000-\u001f\u007f]/.test(raw)) return problem("bad_path", `The archive entry ${q} has a control character in its path`, raw);
  if (raw.startsWith("/")) return problem("absolute_path", `The archive entry ${q} has an absolute path (it starts with "/")`, raw);
  if (raw.startsWith("\\")) return problem("absolute_path", `The archive entry ${q} has an absolute path (it starts with a backslash)`, raw);
  if (/^[A-Za-z]:/.test(raw)) return problem("absolute_path", `The archive entry ${q} has an absolute path (it starts with a drive letter)`, raw);
  if (raw.includes("\\")) return problem("bad_path", `The archive entry ${q} has a backslash in its path`, raw);
  let p = raw;
  while (p.startsWith("./")) p = p.slice(2);
  if (folder) {
    if (p === "." || p === "") return "";
    if (p.endsWith("/")) p = p.slice(0, -1);
  }
  if (p === "") return problem("bad_path", "The archive has an entry with an empty path", raw);
  const parts = p.split("/");
  if (parts.includes("..")) return problem("path_traversal", `The archive entry ${q} leaves the archive's folder (it has a ".." part)`, raw);
  if (parts.some((s) => s === "" || s === ".")) return problem("bad_path", `The archive entry ${q} has an empty or "." part in its path`, raw);
  return p;
}

/**
 * Tracks the paths of one archive: duplicates, and a file used as a folder by another entry
 * (`a` a file and `a/b` an entry), which could not be extracted.
 */
export class PathSet {
  private readonly files = new Set<string>();
  private readonly folders = new Set<string>();
  private readonly seen = new Set<string>();

  add(path: string, raw: string, folder: boolean): Problem | null {
    if (this.seen.has(path)) return problem("duplicate_path", `The archive holds the entry ${quoted(path)} twice`, raw);
    if (!folder && this.folders.has(path)) return problem("bad_path", `The archive entry ${quoted(raw)} is a file, but other entries use it as a folder`, raw);
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      if (this.files.has(parent)) return problem("bad_path", `The archive entry ${quoted(raw)} is inside ${quoted(parent)}, which is a file`, raw);
      this.folders.add(parent);
    }
    this.seen.add(path);
    (folder ? this.folders : this.files).add(path);
    return null;
  }
}
