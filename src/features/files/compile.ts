// Files: `open file`, `write content`, `create file`, `delete`, `read content from`, `execute wfl file`.
import type { Expr, Stmt } from "../../ast/nodes.js";
import { type Value, isList, typeName } from "../../runtime/values.js";
import { formatValue } from "../../runtime/display.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { BlockScope } from "../../compiler/scope.js";
import { type CExpr, type CStmt, combine } from "../../compiler/closures.js";
import type { Compiler } from "../../compiler/compile.js";
import * as fs from "../../stdlib/filesystem/index.js";
import { closeOutbound } from "../../stdlib/web/client.js";
import { closeResponseStream } from "../../stdlib/web/streaming.js";
import type { StmtCompilers, ExprCompilers } from "../../compiler/tables.js";
import type { FilesStmt, FilesExpr } from "./nodes.js";

export function fileOp(c: Compiler, s: Stmt & { kind: "FileOp" }, scope: BlockScope): CStmt {
  const args = s.args.map((a) => c.expr(a, scope));
  const rt = c.rt;
  const span = s.span;
  const path = (v: Value): string => {
    if (typeof v !== "string") throw new WflRuntimeError(`A file path must be text, got ${typeName(v)}`, "type", span);
    return v;
  };
  const limit = fs.maxReadSize(rt.config);
  let run: (vals: Value[]) => Value;
  switch (s.op) {
    case "open": { const mode = s.mode, binary = s.binary; run = ([p]) => fs.openFile(path(p!), mode, binary); break; }
    case "openRead": run = ([p]) => fs.readTextFile(path(p!), limit); break;
    // `close out` / `close upstream` also end a streaming response or an `open url` stream.
    case "close": run = ([h]) => { if (!closeResponseStream(h!) && !closeOutbound(h!)) fs.closeFile(h!); return null; }; break;
    // A path in place of a handle writes the whole file.
    case "write": run = ([v, h]) => { if (typeof h === "string") fs.writeTextFile(h, formatValue(v!)); else fs.writeContent(h!, formatValue(v!)); return null; }; break;
    case "append": run = ([v, h]) => { if (typeof h === "string") fs.appendTextFile(h, formatValue(v!)); else fs.appendContent(h!, formatValue(v!)); return null; }; break;
    case "writeBinary": run = ([v, h]) => { fs.writeBinary(h!, v!); return null; }; break;
    case "createFile": run = ([p, c]) => { fs.createFile(path(p!), c === undefined ? "" : formatValue(c)); return null; }; break;
    case "createDir": run = ([p]) => { fs.createDirectory(path(p!)); return null; }; break;
    case "deleteFile": run = ([p]) => { fs.deleteFile(path(p!)); return null; }; break;
    case "deleteDir": run = ([p]) => { fs.deleteDirectory(path(p!), true); return null; }; break;
  }
  const value = combine(args, (vals) => rt.located(span, () => run(vals)));
  if (s.name) return c.declareCompiled(s.name, span, value, scope);
  return c.withValue(value, () => {}, false);
}

export function fileQuery(c: Compiler, e: Expr & { kind: "FileQuery" }, scope: BlockScope): CExpr {
  const args = e.args.map((a) => c.expr(a, scope));
  const rt = c.rt;
  const span = e.span;
  const limit = fs.maxReadSize(rt.config);
  const path = (v: Value): string => {
    if (typeof v !== "string") throw new WflRuntimeError(`A file path must be text, got ${typeName(v)}`, "type", span);
    return v;
  };
  const recursive = e.recursive;
  const filter = e.filter;
  let run: (vals: Value[]) => Value;
  switch (e.op) {
    case "readContent": run = ([h]) => (typeof h === "string" ? fs.readTextFile(h, limit) : fs.readContent(h!, limit)); break;
    case "readBinary": run = ([h]) => (typeof h === "string" ? fs.readBinaryFile(h, limit) : fs.readBinary(h!, limit)); break;
    case "readBytes": run = ([h, n]) => {
      if (typeof n !== "number") throw new WflRuntimeError(`read N bytes needs a number, got ${typeName(n!)}`, "type", span);
      return fs.readBytes(h!, n, limit);
    }; break;
    case "fileExists": run = ([p]) => fs.fileExists(path(p!)); break;
    case "dirExists": run = ([p]) => fs.directoryExists(path(p!)); break;
    case "fileSize": run = ([p]) => fs.fileSize(p!); break;
    case "listFiles": run = ([d, f]) => {
      const opts: fs.ListOptions = { recursive };
      if (filter === "pattern") opts.pattern = formatValue(f!);
      else if (filter === "extension") opts.extensions = [formatValue(f!)];
      else if (filter === "extensions") opts.extensions = isList(f!) ? (f as Value[]).map((x) => formatValue(x)) : [formatValue(f!)];
      return fs.listFiles(path(d!), opts);
    }; break;
  }
  return combine(args, (vals) => rt.located(span, () => run(vals)));
}

export const filesCompilers: StmtCompilers<FilesStmt> = { FileOp: fileOp };
export const filesExpressions: ExprCompilers<FilesExpr> = { FileQuery: fileQuery };
