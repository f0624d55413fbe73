// The syntax tree nodes of the files room.
import type { Expr } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";

export type FileQueryOp = "readContent" | "readBinary" | "readBytes" | "fileExists" | "dirExists" | "listFiles" | "fileSize";

export type FileOpKind =
  | "open" | "openRead" | "close" | "write" | "append" | "writeBinary" | "createFile" | "createDir" | "deleteFile" | "deleteDir";

export type FilesStmt =
  /** File statements: `open file at p for writing as h`, `write content x into h`, `close file h`, … */
  | { kind: "FileOp"; op: FileOpKind; args: Expr[]; name: string | null; nameSpan?: Span; mode: "read" | "write" | "append"; binary: boolean; span: Span };

export type FilesExpr =
  | { kind: "FileQuery"; op: FileQueryOp; args: Expr[]; recursive: boolean; filter: "extension" | "extensions" | "pattern" | null; span: Span };
