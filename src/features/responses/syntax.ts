// The grammar of streaming responses and files as responses:
// `start streaming response to req [with status S] [and content type T] [and headers H] as out`,
// `write line V to out`, `write chunk V to out`, `flush out` (`close out` is the files room's
// `close`), `serve static files from DIR for req [under PREFIX]` and
// `respond to req with file at PATH [and content type T] [and headers H]`.
// This mixin sits inside the files and web rooms, so its gated forms are tried before their
// `write … to` and `respond to … with` forms.
import { EOF } from "chevrotain";
import * as T from "../../lexer/tokens.js";
import { K } from "../../parser/keywords.js";
import type { ParserClass } from "../../parser/core.js";
import type { Expr, Stmt } from "../../ast/nodes.js";

const UNDER: ReadonlySet<string> = new Set(["under"]);
const STREAM_CLAUSES: ReadonlySet<string> = new Set(["status", "content", "content_type", "headers"]);

/** The leftmost plain name of a value (`note` in `note with "!"`), or null. */
export function leadingName(e: Expr): string | null {
  switch (e.kind) {
    case "Var": return e.name;
    case "Concat": case "Binary": case "Logical": return leadingName(e.left);
    case "Index": case "Member": case "MethodCall": return leadingName(e.target);
    default: return null;
  }
}

/** `e` with its leftmost plain name replaced by `name` (the other reading of `write line x …`). */
function renameLeading(e: Expr, name: string): Expr {
  switch (e.kind) {
    case "Var": return { ...e, name };
    case "Concat": case "Binary": case "Logical": return { ...e, left: renameLeading(e.left, name) };
    case "Index": case "Member": case "MethodCall": return { ...e, target: renameLeading(e.target, name) };
    default: return e;
  }
}

export function responsesSyntax<B extends ParserClass>(Base: B) {
  abstract class ResponsesSyntax extends Base {
    /** A clause value that stops before `and`/`or` and before `with <clause word>`. */
    protected stoppingAt(stops: ReadonlySet<string>, run: () => Expr): Expr {
      const saved = this.withStops;
      this.withStops = stops;
      try {
        return run();
      } finally {
        this.withStops = saved;
      }
    }

    /** `with`/`and` at token 1 or after a line break, followed by one of `words`. */
    protected clauseAhead(words: ReadonlySet<string>): boolean {
      let k = 1;
      if (this.LA(1).tokenType === T.Newline) k = 2;
      const t = this.LA(k).tokenType;
      return (t === K.with || t === K.and) && words.has(this.LA(k + 1).image);
    }

    /** `status S`, `content type T`, `content_type T`, `headers H` (after `with`/`and`). */
    protected responseClause(into: Record<string, Expr>, allowStatus: boolean): void {
      this.OPTION7(() => this.CONSUME6(T.Newline));
      this.OR8([{ ALT: () => this.CONSUME6(K.with) }, { ALT: () => this.CONSUME6(K.and) }]);
      const word = this.OR7([
        { ALT: () => { this.CONSUME6(K.content); this.word(7, "type"); return "content_type"; } },
        { ALT: () => this.wordOf(8, allowStatus ? ["status", "content_type", "headers"] : ["content_type", "headers"]).image },
      ]);
      const value = this.stoppingAt(STREAM_CLAUSES, () => this.SUBRULE7(this.pathExpr));
      into[word] = value;
    }

    startStreamingStmt = this.RULE("startStreamingStmt", (): Stmt => {
      const start = this.word(1, "start");
      this.word(2, "streaming");
      this.word(3, "response");
      this.CONSUME(K.to);
      const request = this.SUBRULE(this.postfix);
      const c: Record<string, Expr> = {};
      this.MANY({ GATE: () => this.clauseAhead(STREAM_CLAUSES), DEF: () => this.responseClause(c, true) });
      this.OPTION({ GATE: () => this.LA(2).tokenType === K.as, DEF: () => this.CONSUME(T.Newline) });
      this.CONSUME(K.as);
      const name = this.SUBRULE(this.identifier);
      const nameSpan = this.lastNameSpan;
      this.eos();
      return {
        kind: "StartStreaming", request, status: c.status ?? null, contentType: c.content_type ?? null, headers: c.headers ?? null,
        name, nameSpan, span: this.spanFrom(start),
      };
    });

    streamWriteStmt = this.RULE("streamWriteStmt", (): Stmt => {
      const start = this.CONSUME(K.write);
      const what = this.word(1, "line", "chunk").image as "line" | "chunk";
      const value = this.SUBRULE(this.expression);
      this.CONSUME(K.to);
      const target = this.SUBRULE(this.postfix);
      this.eos();
      return this.ACTION(() => {
        const lead = leadingName(value);
        const fileName = lead === null ? null : `${what} ${lead}`;
        return {
          kind: "StreamWrite", what, value, target, leadName: lead, fileName,
          fileValue: fileName === null ? null : renameLeading(value, fileName), span: this.spanFrom(start),
        } as Stmt;
      });
    });

    flushStmt = this.RULE("flushStmt", (): Stmt => {
      const start = this.word(1, "flush");
      const target = this.SUBRULE(this.postfix);
      this.eos();
      return { kind: "StreamFlush", target, span: this.spanFrom(start) };
    });

    serveStaticStmt = this.RULE("serveStaticStmt", (): Stmt => {
      const start = this.word(1, "serve");
      this.CONSUME(K.static);
      this.word(2, "files");
      this.CONSUME(K.from);
      const dir = this.SUBRULE(this.pathExpr);
      this.CONSUME(K.for);
      const request = this.withIdentifierStops(UNDER, () => this.SUBRULE(this.postfix));
      let prefix: Expr | null = null;
      this.OPTION(() => { this.word(3, "under"); prefix = this.SUBRULE2(this.pathExpr); });
      this.eos();
      return { kind: "ServeStatic", dir, request, prefix, span: this.spanFrom(start) };
    });

    respondFileStmt = this.RULE("respondFileStmt", (): Stmt => {
      const start = this.CONSUME(K.respond);
      this.CONSUME(K.to);
      const request = this.SUBRULE(this.postfix);
      this.CONSUME(K.with);
      this.CONSUME(K.file);
      this.CONSUME(K.at);
      const path = this.stoppingAt(STREAM_CLAUSES, () => this.SUBRULE(this.pathExpr));
      const c: Record<string, Expr> = {};
      this.MANY({ GATE: () => this.clauseAhead(STREAM_CLAUSES), DEF: () => this.responseClause(c, false) });
      this.eos();
      return { kind: "RespondFile", request, path, contentType: c.content_type ?? null, headers: c.headers ?? null, span: this.spanFrom(start) };
    });

    /** `respond to … with file at` on this line (not `with file "k" of form`). */
    private respondsWithFile(): boolean {
      for (let k = 3; k < 64; k++) {
        const t = this.LA(k).tokenType;
        if (t === T.Newline || t === EOF) return false;
        if (t === K.with) return this.LA(k + 1).tokenType === K.file && this.LA(k + 2).tokenType === K.at;
      }
      return false;
    }

    protected readonly responsesTables = this.contribute({
      statements: [
        { GATE: () => this.isWord(1, "start") && this.isWord(2, "streaming") && this.isWord(3, "response"), ALT: () => this.SUBRULE(this.startStreamingStmt) },
        {
          // `write line V to out`; `write line to f` / `write line x into f` stay the files room's.
          GATE: () => this.LA(1).tokenType === K.write && this.isOneOf(2, ["line", "chunk"]) &&
            ![K.to, K.into, T.Newline, EOF].includes(this.LA(3).tokenType) && !this.lineHas(K.into),
          ALT: () => this.SUBRULE(this.streamWriteStmt),
        },
        {
          GATE: () => this.isWord(1, "flush") && this.LA(2).tokenType === T.Identifier && [T.Newline, EOF].includes(this.LA(3).tokenType),
          ALT: () => this.SUBRULE(this.flushStmt),
        },
        { GATE: () => this.isWord(1, "serve") && this.LA(2).tokenType === K.static, ALT: () => this.SUBRULE(this.serveStaticStmt) },
        { GATE: () => this.LA(1).tokenType === K.respond && this.respondsWithFile(), ALT: () => this.SUBRULE(this.respondFileStmt) },
      ],
    });
  }
  return ResponsesSyntax;
}
