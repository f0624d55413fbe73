// Filesystem module: path text helpers and synchronous file operations.
//
// Semantics decided here:
// - Relative paths resolve against the current directory (like upstream), not the script's.
// - `list_dir`, `glob` and `rglob` return sorted results. `glob of D and P` matches P (which may
//   hold `/`, `**`, `{a,b}`) against paths relative to directory D; `rglob` matches the file name
//   at any depth. Both return D joined with the relative path (plain relative names for ".").
//   If only the first argument looks like a pattern the two are taken the other way round.
// - `file_mtime` is seconds since the Unix epoch; `file_mode` is four octal digits ("0644").
// - `path_dirname of "file.txt"` is "" (no directory part).
import * as fs from "node:fs";
import type { Registry } from "../registry.js";
import { type Value, isTruthy } from "../../runtime/values.js";
import { fail } from "../../runtime/errors.js";
import { text } from "../args.js";
import * as paths from "./paths.js";
import {
  fsError, maxReadSize, readTextFile, createDirectory, deleteFile, deleteDirectory, copyFile, moveFile,
  pathExists, fileExists, directoryExists, fileSize, isFileHandle, walk, withoutOwnTempFiles,
} from "./files.js";

export * from "./files.js";
export { basename as pathBasename, dirname as pathDirname, extension as pathExtension, stem as pathStem, join as pathJoin, globToRegExp } from "./paths.js";

function looksLikeGlob(s: string): boolean {
  return /[*?[{]/.test(s);
}

function globArgs(fn: string, a: Value, b: Value): [string, string] {
  const x = text(fn, a);
  const y = text(fn, b);
  return looksLikeGlob(x) && !looksLikeGlob(y) ? [y, x] : [x, y];
}

function withDir(dir: string, rel: string): string {
  return dir === "." || dir === "./" ? rel : paths.join([dir, rel]);
}

export function register(r: Registry): void {
  r.fn("list_dir", { arity: 1 }, ([p]) => {
    const dir = text("list_dir", p!);
    try {
      return withoutOwnTempFiles(dir, fs.readdirSync(dir)).sort();
    } catch (e) {
      throw fsError(e, "list", dir, "Directory");
    }
  });
  r.fn("path_basename", { arity: 1 }, ([p]) => paths.basename(text("path_basename", p!)));
  r.fn("path_dirname", { arity: 1 }, ([p]) => paths.dirname(text("path_dirname", p!)));
  r.fn("path_extension", { arity: 1 }, ([p]) => paths.extension(text("path_extension", p!)));
  r.fn("path_stem", { arity: 1 }, ([p]) => paths.stem(text("path_stem", p!)));
  r.fn("path_join", { arity: [1, Infinity] }, (args) => paths.join(args.map((a) => text("path_join", a))));

  r.fn("makedirs", { arity: 1 }, ([p]) => {
    createDirectory(text("makedirs", p!));
    return null;
  });
  r.fn("path_exists", { arity: 1 }, ([p]) => pathExists(text("path_exists", p!)));
  r.fn("is_file", { arity: 1 }, ([p]) => fileExists(text("is_file", p!)));
  r.fn("is_dir", { arity: 1 }, ([p]) => directoryExists(text("is_dir", p!)));

  r.fn("file_mtime", { arity: 1 }, ([p]) => {
    const path = text("file_mtime", p!);
    try {
      return Math.floor(fs.statSync(path).mtimeMs / 1000);
    } catch (e) {
      throw fsError(e, "read the time of", path);
    }
  });
  r.fn("file_size", { arity: 1 }, ([p]) => fileSize(isFileHandle(p!) ? p! : text("file_size", p!)));
  r.fn("count_lines", { arity: 1 }, ([p], ctx) => {
    const content = readTextFile(text("count_lines", p!), maxReadSize(ctx?.config));
    if (content === "") return 0;
    let n = 1;
    for (let i = content.indexOf("\n"); i >= 0; i = content.indexOf("\n", i + 1)) n++;
    return content.endsWith("\n") ? n - 1 : n;
  });

  r.fn("remove_file", { arity: 1, aliases: ["delete_file"] }, ([p]) => {
    deleteFile(text("remove_file", p!));
    return null;
  });
  r.fn("remove_dir", { arity: [1, 2] }, ([p, rec]) => {
    deleteDirectory(text("remove_dir", p!), rec !== undefined && isTruthy(rec));
    return null;
  });
  r.fn("copy_file", { arity: 2 }, ([a, b]) => {
    copyFile(text("copy_file", a!), text("copy_file", b!));
    return null;
  });
  r.fn("move_file", { arity: 2 }, ([a, b]) => {
    moveFile(text("move_file", a!), text("move_file", b!));
    return null;
  });

  r.fn("file_mode", { arity: 1 }, ([p]) => {
    const path = text("file_mode", p!);
    try {
      return (fs.statSync(path).mode & 0o7777).toString(8).padStart(4, "0");
    } catch (e) {
      throw fsError(e, "read the mode of", path);
    }
  });
  r.fn("set_file_mode", { arity: 2 }, ([p, m]) => {
    const path = text("set_file_mode", p!);
    const mode = text("set_file_mode", m!);
    if (!/^[0-7]{3,4}$/.test(mode))
      throw fail(`set_file_mode: "${mode}" is not a file mode (three or four octal digits, such as "0600")`);
    if (process.platform === "win32") throw fail("set_file_mode is not supported on Windows (file modes do not map onto ACLs)");
    const bits = parseInt(mode, 8);
    try {
      fs.chmodSync(path, bits);
    } catch (e) {
      throw fsError(e, "change the mode of", path);
    }
    return bits.toString(8).padStart(4, "0");
  });

  r.fn("glob", { arity: 2 }, ([a, b]) => {
    const [dir, pattern] = globArgs("glob", a!, b!);
    const re = paths.globToRegExp(pattern.replace(/^\.\//, ""));
    const deep = pattern.includes("/");
    const out: string[] = [];
    if (deep) walk(dir, "", (rel) => void (re.test(rel) && out.push(withDir(dir, rel))));
    else {
      let names: string[];
      try {
        names = withoutOwnTempFiles(dir, fs.readdirSync(dir));
      } catch (e) {
        throw fsError(e, "search", dir, "Directory");
      }
      for (const n of names) if (re.test(n)) out.push(withDir(dir, n));
    }
    return out.sort();
  });
  r.fn("rglob", { arity: 2 }, ([a, b]) => {
    const [dir, pattern] = globArgs("rglob", a!, b!);
    const re = paths.globToRegExp(pattern);
    const out: string[] = [];
    walk(dir, "", (rel, ent) => void ((re.test(ent.name) || re.test(rel)) && out.push(withDir(dir, rel))));
    return out.sort();
  });
}
