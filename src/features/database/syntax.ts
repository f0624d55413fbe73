// The grammar of databases: `open database`/`connect to database`, `query`/`execute … with`,
// `in transaction on`, and the seed's `execute query … on`, `begin/commit/rollback transaction`.
import { EOF } from "chevrotain";
import * as T from "../../lexer/tokens.js";
import { K } from "../../parser/keywords.js";
import type { Span } from "../../ast/span.js";
import type { ParserClass } from "../../parser/core.js";
import type { Expr, Stmt } from "../../ast/nodes.js";

export function databaseSyntax<B extends ParserClass>(Base: B) {
  abstract class DatabaseSyntax extends Base {
    /** `open database at U as db` / `connect to database at U as db`. */
    openDatabaseStmt = this.RULE("openDatabaseStmt", (): Stmt => {
      const start = this.LA(1);
      this.OR([
        { ALT: () => { this.CONSUME(K.open); this.word(1, "database"); } },
        { ALT: () => { this.word(2, "connect"); this.CONSUME(K.to); this.word(3, "database"); } },
      ]);
      this.CONSUME(K.at);
      const url = this.SUBRULE(this.pathExpr);
      this.CONSUME(K.as);
      const name = this.SUBRULE(this.identifier);
      const nameSpan = this.lastNameSpan;
      this.eos();
      return { kind: "OpenDatabase", url, name, nameSpan, span: this.spanFrom(start) };
    });

    /** `in transaction on db:` … `end transaction`. */
    transactionStmt = this.RULE("transactionStmt", (): Stmt => {
      const start = this.CONSUME(K.in);
      this.word(0, "transaction");
      this.CONSUME(K.on);
      const db = this.SUBRULE(this.postfix);
      this.blockOpen();
      const body = this.SUBRULE(this.block);
      this.CONSUME(K.end);
      this.word(2, "transaction");
      this.eos();
      return { kind: "Transaction", db, body, span: this.spanFrom(start) };
    });

    /** `query db with SQL [and parameters L]`, `execute db with SQL [and parameters L]`. */
    dbQuery = this.RULE("dbQuery", (): Expr => {
      const start = this.LA(1);
      const execute = this.OR([
        { ALT: () => { this.word(0, "query"); return false; } },
        { ALT: () => { this.CONSUME(K.execute); return true; } },
      ]);
      const db = this.SUBRULE(this.namedValue);
      this.CONSUME(K.with);
      const sql = this.withArgsMode(true, () => this.SUBRULE(this.additive));
      let params: Expr | null = null;
      this.OPTION({
        GATE: () => this.LA(1).tokenType === K.and && this.isWord(2, "parameters") || this.LA(1).tokenType === K.and && this.LA(2).tokenType === K.parameters,
        DEF: () => {
          this.CONSUME(K.and);
          this.CONSUME(K.parameters);
          params = this.SUBRULE(this.postfix);
        },
      });
      return { kind: "DbQuery", execute, db, sql, params, span: this.spanFrom(start) };
    });

    /** `execute query SQL on db|tx [with parameters L] [as v]` (the seed's form). */
    executeQueryStmt = this.RULE("executeQueryStmt", (): Stmt => {
      const start = this.CONSUME(K.execute);
      this.word(1, "query");
      const sql = this.SUBRULE(this.additive);
      this.CONSUME(K.on);
      const target = this.SUBRULE(this.postfix);
      let params: Expr | null = null;
      this.OPTION(() => {
        this.CONSUME(K.with);
        this.CONSUME(K.parameters);
        params = this.SUBRULE2(this.postfix);
      });
      let name: string | null = null;
      let nameSpan: Span | undefined;
      this.OPTION2(() => {
        this.CONSUME(K.as);
        name = this.SUBRULE(this.identifier);
        nameSpan = this.lastNameSpan;
      });
      this.eos();
      return { kind: "ExecuteQuery", sql, target, params, name, nameSpan, span: this.spanFrom(start) };
    });

    /** `begin transaction on db as tx`. */
    beginTransactionStmt = this.RULE("beginTransactionStmt", (): Stmt => {
      const start = this.word(1, "begin");
      this.word(2, "transaction");
      this.CONSUME(K.on);
      const db = this.SUBRULE(this.postfix);
      this.CONSUME(K.as);
      const name = this.SUBRULE(this.identifier);
      const nameSpan = this.lastNameSpan;
      this.eos();
      return { kind: "BeginTransaction", db, name, nameSpan, span: this.spanFrom(start) };
    });

    /** `commit transaction tx` / `rollback transaction tx`. */
    endTransactionStmt = this.RULE("endTransactionStmt", (): Stmt => {
      const start = this.word(1, "commit", "rollback");
      this.word(2, "transaction");
      const tx = this.SUBRULE(this.postfix);
      this.eos();
      return { kind: "EndTransaction", commit: start.image === "commit", tx, span: this.spanFrom(start) };
    });

    /** `close database db`. */
    closeDatabaseStmt = this.RULE("closeDatabaseStmt", (): Stmt => {
      const start = this.CONSUME(K.close);
      this.word(1, "database");
      const db = this.SUBRULE(this.postfix);
      this.eos();
      return { kind: "CloseDatabase", db, span: this.spanFrom(start) };
    });

    protected readonly databaseTables = this.contribute({
      statements: [
        {
          GATE: () => (this.LA(1).tokenType === K.open && this.isWord(2, "database")) || (this.isWord(1, "connect") && this.isWord(3, "database")),
          ALT: () => this.SUBRULE(this.openDatabaseStmt),
        },
        { GATE: () => this.LA(1).tokenType === K.in && this.isWord(2, "transaction"), ALT: () => this.SUBRULE(this.transactionStmt) },
        {
          GATE: () => this.LA(1).tokenType === K.execute && this.isWord(2, "query") && this.LA(3).tokenType !== K.with,
          ALT: () => this.SUBRULE(this.executeQueryStmt),
        },
        { GATE: () => this.isWord(1, "begin") && this.isWord(2, "transaction"), ALT: () => this.SUBRULE(this.beginTransactionStmt) },
        { GATE: () => this.isOneOf(1, ["commit", "rollback"]) && this.isWord(2, "transaction"), ALT: () => this.SUBRULE(this.endTransactionStmt) },
        { GATE: () => this.isWord(2, "database") && this.LA(3).tokenType !== T.Newline && this.LA(3).tokenType !== EOF, ALT: () => this.SUBRULE(this.closeDatabaseStmt) },
      ],
      primaries: [
        {
          GATE: () => (this.isWord(1, "query") || this.LA(1).tokenType === K.execute) && this.LA(3).tokenType === K.with,
          ALT: () => this.SUBRULE(this.dbQuery),
        },
      ],
    });
  }
  return DatabaseSyntax;
}
