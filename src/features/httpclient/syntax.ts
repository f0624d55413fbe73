// The grammar of the HTTP client: `open url at U [with method M] [and headers H] [and body B]
// and read content|read response|stream response as name` (clauses in any order, joined by
// `with` or `and`, each may start a new line), and `wait for next line|chunk from s as name`.
import { type IToken } from "chevrotain";
import * as T from "../../lexer/tokens.js";
import { K } from "../../parser/keywords.js";
import type { ParserClass } from "../../parser/core.js";
import type { Expr, Stmt } from "../../ast/nodes.js";

/** `url` is a soft keyword (it may still name a variable). */
const Url = T.kw("url");

const CLAUSES = ["method", "headers", "body"] as const;
const CLAUSE_STOPS: ReadonlySet<string> = new Set(CLAUSES);

export function httpClientSyntax<B extends ParserClass>(Base: B) {
  abstract class HttpClientSyntax extends Base {
    /** A clause value: arithmetic and `with` joins, stopping before `and`/`or` and clause words. */
    protected clauseValue(run: () => Expr): Expr {
      const saved = this.withStops;
      this.withStops = CLAUSE_STOPS;
      try {
        return run();
      } finally {
        this.withStops = saved;
      }
    }

    /** `with`/`and` at k, or a line break then one of them (a clause continued on the next line). */
    protected connectorAt(k: number): number {
      const t = this.LA(k).tokenType;
      if (t === K.with || t === K.and) return k;
      if (t === T.Newline) {
        const t2 = this.LA(k + 1).tokenType;
        if (t2 === K.with || t2 === K.and) return k + 1;
      }
      return 0;
    }

    protected connector(): void {
      // Indices 6–8 are kept for this helper (eos and blockOpen use 9).
      this.OPTION7(() => this.CONSUME6(T.Newline));
      this.OR8([{ ALT: () => this.CONSUME6(K.with) }, { ALT: () => this.CONSUME6(K.and) }]);
    }

    openUrlStmt = this.RULE("openUrlStmt", (): Stmt => {
      const start = this.CONSUME(K.open);
      this.CONSUME(Url);
      this.CONSUME(K.at);
      const url = this.clauseValue(() => this.SUBRULE(this.pathExpr));
      const clauses: Record<string, Expr> = {};
      this.MANY({
        GATE: () => { const k = this.connectorAt(1); return k > 0 && this.isOneOf(k + 1, CLAUSES); },
        DEF: () => {
          this.connector();
          const w = this.wordOf(2, CLAUSES).image;
          const value = this.clauseValue(() => this.SUBRULE2(this.pathExpr));
          clauses[w] = value; // a clause given twice: the last one counts
        },
      });
      this.OPTION({ GATE: () => this.LA(2).tokenType === K.and, DEF: () => this.CONSUME(T.Newline) });
      this.CONSUME(K.and);
      const mode = this.OR([
        {
          GATE: () => this.isWord(1, "read"),
          ALT: () => {
            this.word(3, "read");
            return this.OR2([
              { ALT: () => { this.CONSUME(K.content); return "content" as const; } },
              { ALT: () => { this.word(4, "response"); return "response" as const; } },
            ]);
          },
        },
        { ALT: () => { this.word(5, "stream"); this.word(6, "response"); return "stream" as const; } },
      ]);
      this.CONSUME(K.as);
      const name = this.SUBRULE(this.identifier);
      const nameSpan = this.lastNameSpan;
      this.eos();
      return {
        kind: "OpenUrl", url, method: clauses.method ?? null, headers: clauses.headers ?? null, body: clauses.body ?? null,
        mode, name, nameSpan, span: this.spanFrom(start),
      };
    });

    /** After `wait for`: `next line from s as name`, `next chunk from s as name`. */
    streamReadTail = this.RULE("streamReadTail", (start: IToken): Stmt => {
      this.word(1, "next");
      const what = this.word(2, "line", "chunk").image as "line" | "chunk";
      this.CONSUME(K.from);
      const source = this.SUBRULE(this.postfix);
      this.CONSUME(K.as);
      const name = this.SUBRULE(this.identifier);
      const nameSpan = this.lastNameSpan;
      this.eos();
      return { kind: "StreamRead", what, source, name, nameSpan, span: this.spanFrom(start) };
    });

    protected readonly httpClientTables = this.contribute({
      statements: [
        { GATE: () => this.LA(2).tokenType === Url && this.LA(3).tokenType === K.at, ALT: () => this.SUBRULE(this.openUrlStmt) },
      ],
      waitFor: [
        {
          GATE: () => this.isWord(1, "next") && this.isOneOf(2, ["line", "chunk"]) && this.LA(3).tokenType === K.from,
          ALT: () => this.SUBRULE(this.streamReadTail, { ARGS: [this.waitStart!] }),
        },
      ],
    });
  }
  return HttpClientSyntax;
}
