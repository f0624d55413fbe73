// The grammar of file and directory statements and queries.
import { EOF } from "chevrotain";
import * as T from "../../lexer/tokens.js";
import { K } from "../../parser/keywords.js";
import type { ParserClass } from "../../parser/core.js";
import type { Expr, Stmt, FileQueryOp } from "../../ast/nodes.js";

export function filesSyntax<B extends ParserClass>(Base: B) {
  abstract class FilesSyntax extends Base {
    /** `open file at P for reading|writing|appending [binary] as h`, `open file at P and read content as v`. */
    openStmt = this.RULE("openStmt", (): Stmt => {
      const start = this.CONSUME(K.open);
      this.CONSUME(K.file);
      this.CONSUME(K.at);
      const path = this.SUBRULE(this.pathExpr);
      const node = this.OR([
        {
          ALT: () => {
            this.CONSUME(K.for);
            const modeTok = this.OR2([
              { ALT: () => this.word(1, "reading", "writing", "appending", "read", "append") },
              { ALT: () => this.CONSUME(K.write) },
              { ALT: () => this.CONSUME(K.append) },
            ]);
            let binary = false;
            this.OPTION(() => { this.word(2, "binary"); binary = true; });
            this.CONSUME(K.as);
            const name = this.SUBRULE(this.identifier);
            const nameSpan = this.lastNameSpan;
            return this.ACTION(() => {
              const m = modeTok.image;
              const mode: "read" | "write" | "append" = m.startsWith("read") ? "read" : m.startsWith("append") ? "append" : "write";
              return { kind: "FileOp", op: "open", args: [path], name, nameSpan, mode, binary, span: this.spanFrom(start) } as Stmt;
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.and);
            this.word(3, "read");
            this.CONSUME(K.content);
            this.CONSUME2(K.as);
            const name = this.SUBRULE2(this.identifier);
            const nameSpan = this.lastNameSpan;
            return { kind: "FileOp", op: "openRead", args: [path], name, nameSpan, mode: "read", binary: false, span: this.spanFrom(start) } as Stmt;
          },
        },
      ]);
      this.eos();
      return node;
    });

    /** `close file h`, or `close h` (other rooms add `close server s`, `close database db`). */
    closeStmt = this.RULE("closeStmt", (): Stmt => {
      const start = this.CONSUME(K.close);
      this.OPTION({
        GATE: () => this.LA(2).tokenType !== T.Newline && this.LA(2).tokenType !== EOF,
        DEF: () => this.CONSUME(K.file),
      });
      const h = this.SUBRULE(this.postfix);
      this.eos();
      return { kind: "FileOp", op: "close", args: [h], name: null, mode: "read", binary: false, span: this.spanFrom(start) };
    });

    /** `write content X into h`, `write binary X into h`, `write X to h`, `append content X into h`. */
    writeStmt = this.RULE("writeStmt", (): Stmt => {
      const start = this.LA(1);
      let op = "write" as "write" | "append" | "writeBinary";
      this.OR([
        { ALT: () => this.CONSUME(K.write) },
        { ALT: () => { this.CONSUME(K.append); op = "append"; } },
      ]);
      this.OR2({ IGNORE_AMBIGUITIES: true, DEF: [
        { ALT: () => this.CONSUME(K.content) },
        { GATE: () => this.isWord(1, "binary"), ALT: () => { this.word(1, "binary"); op = "writeBinary"; } },
        { ALT: () => {} },
      ] });
      const value = this.SUBRULE(this.expression);
      this.OR3([{ ALT: () => this.CONSUME(K.into) }, { ALT: () => this.CONSUME(K.to) }]);
      const h = this.SUBRULE(this.postfix);
      this.eos();
      return { kind: "FileOp", op, args: [value, h], name: null, mode: "write", binary: op === "writeBinary", span: this.spanFrom(start) };
    });

    /** `delete file at P`, `delete directory at P`. */
    deleteStmt = this.RULE("deleteStmt", (): Stmt => {
      const start = this.CONSUME(K.delete);
      const op = this.OR([
        { ALT: () => { this.CONSUME(K.file); return "deleteFile" as const; } },
        { ALT: () => { this.CONSUME(K.directory); return "deleteDir" as const; } },
      ]);
      this.CONSUME(K.at);
      const path = this.SUBRULE(this.expression);
      this.eos();
      return { kind: "FileOp", op, args: [path], name: null, mode: "write", binary: false, span: this.spanFrom(start) };
    });

    /** `create file at P with C`, `create directory at P`. */
    createFileStmt = this.RULE("createFileStmt", (): Stmt => {
      const start = this.CONSUME(K.create);
      const node = this.OR([
        {
          ALT: () => {
            this.CONSUME(K.file);
            this.CONSUME(K.at);
            const path = this.SUBRULE(this.postfix);
            const args: Expr[] = [path];
            this.OPTION(() => { this.CONSUME(K.with); args.push(this.SUBRULE(this.expression)); });
            return { kind: "FileOp", op: "createFile", args, name: null, mode: "write", binary: false, span: this.spanFrom(start) } as Stmt;
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.directory);
            this.CONSUME2(K.at);
            const path = this.SUBRULE2(this.expression);
            return { kind: "FileOp", op: "createDir", args: [path], name: null, mode: "write", binary: false, span: this.spanFrom(start) } as Stmt;
          },
        },
      ]);
      this.eos();
      return node;
    });

    /** Expressions about files: `read content from h`, `file exists at p`, `list files in d …`, `file size of p`. */
    fileQuery = this.RULE("fileQuery", (): Expr => {
      const start = this.LA(1);
      const q = (op: FileQueryOp, args: Expr[], recursive = false, filter: "extension" | "extensions" | "pattern" | null = null): Expr =>
        ({ kind: "FileQuery", op, args, recursive, filter, span: this.spanFrom(start) });
      return this.OR([
        {
          GATE: () => this.isWord(1, "read"),
          ALT: () => {
            this.word(0, "read");
            // `read binary from h` and `read N bytes from h` both start with a word: the gate decides.
            return this.OR2({ IGNORE_AMBIGUITIES: true, DEF: [
              { ALT: () => { this.CONSUME(K.content); this.CONSUME(K.from); return q("readContent", [this.SUBRULE(this.postfix)]); } },
              {
                GATE: () => this.isWord(1, "binary"),
                ALT: () => { this.word(2, "binary"); this.CONSUME2(K.from); return q("readBinary", [this.SUBRULE2(this.postfix)]); },
              },
              {
                ALT: () => {
                  const n = this.SUBRULE3(this.postfix);
                  this.word(3, "bytes");
                  this.CONSUME3(K.from);
                  const h = this.SUBRULE4(this.postfix);
                  return q("readBytes", [h, n]);
                },
              },
            ] });
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.file);
            return this.OR3({ IGNORE_AMBIGUITIES: true, DEF: [
              {
                GATE: () => this.isWord(1, "exists"),
                ALT: () => { this.word(4, "exists"); this.CONSUME(K.at); return q("fileExists", [this.SUBRULE(this.pathExpr)]); },
              },
              {
                ALT: () => { this.word(5, "size"); this.CONSUME(K.of); return q("fileSize", [this.SUBRULE6(this.postfix)]); },
              },
            ] });
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.directory);
            this.word(6, "exists");
            this.CONSUME2(K.at);
            return q("dirExists", [this.SUBRULE2(this.pathExpr)]);
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.list);
            this.word(7, "files");
            let recursive = false;
            this.OPTION(() => { this.word(8, "recursively", "recursive"); recursive = true; });
            this.CONSUME(K.in);
            const dir = this.SUBRULE8(this.postfix);
            const args: Expr[] = [dir];
            let filter: "extension" | "extensions" | "pattern" | null = null;
            this.OPTION2(() => {
              this.CONSUME(K.with);
              const w = this.OR4([
                { ALT: () => this.word(9, "extension", "extensions").image },
                { ALT: () => this.CONSUME2(K.pattern).image },
              ]);
              filter = this.ACTION(() => (w === "pattern" ? "pattern" : w === "extensions" ? "extensions" : "extension"));
              args.push(this.SUBRULE9(this.postfix));
            });
            return q("listFiles", args, recursive, filter);
          },
        },
      ]);
    });

    private startsFileQuery(): boolean {
      const t1 = this.LA(1).tokenType;
      if (t1 === T.Identifier) {
        if (this.LA(1).image !== "read") return false;
        const t2 = this.LA(2);
        return t2.tokenType === K.content || t2.image === "binary" || this.isWord(3, "bytes");
      }
      if (t1 === K.file) return this.isWord(2, "exists") || this.isWord(2, "size");
      if (t1 === K.directory) return this.isWord(2, "exists");
      if (t1 === K.list) return this.isWord(2, "files");
      return false;
    }

    protected readonly filesTables = this.contribute({
      statements: [
        { GATE: () => this.LA(2).tokenType === K.file, ALT: () => this.SUBRULE(this.openStmt) },
        { GATE: () => this.LA(2).tokenType === K.file || this.LA(2).tokenType === K.directory, ALT: () => this.SUBRULE(this.createFileStmt) },
        { ALT: () => this.SUBRULE(this.writeStmt) },
        { ALT: () => this.SUBRULE(this.deleteStmt) },
      ],
      // `close h` with no word after `close` is a file: tried after `close server`, `close database`.
      fallbackStatements: [{ ALT: () => this.SUBRULE(this.closeStmt) }],
      primaries: [{ GATE: () => this.startsFileQuery(), ALT: () => this.SUBRULE(this.fileQuery) }],
    });
  }
  return FilesSyntax;
}
