// The grammar of server-side sessions and CSRF (seed 003, section 3.6):
// `listen … with sessions enabled`, `configure sessions on S with timeout N and storage "memory" |
// "database" [using db]`, `enable csrf protection on S`, `enable secure cookies on S`,
// `create session for R`, `get session from R`, `set session value K to V in S`,
// `get session value K from S`, `generate csrf token for S`, `respond … and set session S` /
// `and clear session`, `destroy session S`, `find expired sessions on S`; and the forms of the
// upstream TDD program `web_server_session_test.wfl` (`get session statistics from S`,
// `store session_data to storage with key K and data D`, `load session data from storage with key K`,
// `delete session data from storage with key K`).
import * as T from "../../lexer/tokens.js";
import { K } from "../../parser/keywords.js";
import type { ParserClass } from "../../parser/core.js";
import type { Expr, Stmt } from "../../ast/nodes.js";

export function sessionsSyntax<B extends ParserClass>(Base: B) {
  abstract class SessionsSyntax extends Base {
    /** A session key: a text, or a name holding one. */
    sessionKey = this.RULE("sessionKey", (): Expr => this.OR([
      { ALT: () => { const t = this.CONSUME(T.StringLiteral); return this.ACTION(() => this.stringNode(t)); } },
      { ALT: () => { const t = this.CONSUME(T.Identifier); return { kind: "Var", name: t.image, span: this.tokSpan(t) } as Expr; } },
    ]));

    /** `listen on port P as server with sessions enabled`. */
    sessionListenStmt = this.RULE("sessionListenStmt", (): Stmt => {
      const start = this.CONSUME(K.listen);
      this.CONSUME(K.on);
      this.word(1, "port");
      const port = this.SUBRULE(this.postfix);
      this.CONSUME(K.as);
      const name = this.SUBRULE(this.identifier);
      const nameSpan = this.lastNameSpan;
      this.CONSUME(K.with);
      this.word(2, "sessions");
      this.word(3, "enabled");
      this.eos();
      return { kind: "SessionListen", port, name, nameSpan, span: this.spanFrom(start) };
    });

    /** `configure sessions on S with timeout N and storage "memory" | "database" [using db]`. */
    configureSessionsStmt = this.RULE("configureSessionsStmt", (): Stmt => {
      const start = this.word(1, "configure");
      this.word(2, "sessions");
      this.CONSUME(K.on);
      const server = this.SUBRULE(this.postfix);
      let timeout: Expr | null = null;
      let storage: Expr | null = null;
      let database: Expr | null = null;
      this.CONSUME(K.with);
      this.AT_LEAST_ONE_SEP({
        SEP: K.and,
        DEF: () => {
          const w = this.word(3, "timeout", "storage").image;
          const v = this.withArgsMode(true, () => this.SUBRULE(this.additive));
          let using: Expr | null = null;
          this.OPTION({
            GATE: () => this.isWord(1, "using"),
            DEF: () => { this.word(4, "using"); using = this.SUBRULE2(this.postfix); },
          });
          this.ACTION(() => {
            if (w === "timeout") timeout = v;
            else { storage = v; database = using; }
          });
        },
      });
      this.eos();
      return { kind: "ConfigureSessions", server, timeout, storage, database, span: this.spanFrom(start) };
    });

    /** `enable csrf protection on S`, `enable secure cookies on S`. */
    enableSessionOptionStmt = this.RULE("enableSessionOptionStmt", (): Stmt => {
      const start = this.word(1, "enable");
      const which = this.word(2, "csrf", "secure").image;
      this.word(3, which === "csrf" ? "protection" : "cookies");
      this.CONSUME(K.on);
      const server = this.SUBRULE(this.postfix);
      this.eos();
      return { kind: "EnableSessionOption", option: which === "csrf" ? "csrf" : "secure", server, span: this.spanFrom(start) };
    });

    /** `set session value K to V in S`. */
    setSessionValueStmt = this.RULE("setSessionValueStmt", (): Stmt => {
      const start = this.word(1, "set");
      this.word(2, "session");
      this.word(3, "value");
      const key = this.SUBRULE(this.sessionKey);
      this.CONSUME(K.to);
      // The value may join texts with `with`, as `store … as` does: `to "Hi, " with name in s`.
      const value = this.withArgsMode(false, () => this.SUBRULE(this.additive));
      this.CONSUME(K.in);
      const session = this.SUBRULE(this.postfix);
      this.eos();
      return { kind: "SetSessionValue", key, value, session, span: this.spanFrom(start) };
    });

    /** `destroy session S`. */
    destroySessionStmt = this.RULE("destroySessionStmt", (): Stmt => {
      const start = this.word(1, "destroy");
      this.word(2, "session");
      const session = this.SUBRULE(this.postfix);
      this.eos();
      return { kind: "DestroySession", session, span: this.spanFrom(start) };
    });

    /** `store session_data to storage with key K and data D` (the upstream TDD program's form). */
    storeSessionDataStmt = this.RULE("storeSessionDataStmt", (): Stmt => {
      const start = this.CONSUME(K.store);
      this.word(1, "session_data");
      this.CONSUME(K.to);
      this.word(2, "storage");
      this.CONSUME(K.with);
      this.word(3, "key");
      const key = this.withArgsMode(true, () => this.SUBRULE(this.additive));
      this.CONSUME(K.and);
      this.word(4, "data");
      const data = this.withArgsMode(true, () => this.SUBRULE2(this.additive));
      this.eos();
      return { kind: "SessionData", op: "store", key, data, span: this.spanFrom(start) };
    });

    /** `delete session data from storage with key K`. */
    deleteSessionDataStmt = this.RULE("deleteSessionDataStmt", (): Stmt => {
      const start = this.CONSUME(K.delete);
      const key = this.sessionDataKey();
      this.eos();
      return { kind: "SessionData", op: "delete", key, data: null, span: this.spanFrom(start) };
    });

    /** `session data from storage with key K` (after `delete` or `load`): the key. */
    private sessionDataKey(): Expr {
      this.word(1, "session");
      this.word(2, "data");
      this.CONSUME(K.from);
      this.word(3, "storage");
      this.CONSUME(K.with);
      this.word(4, "key");
      return this.withArgsMode(true, () => this.SUBRULE(this.additive));
    }

    /** `create session for R`. */
    createSession = this.RULE("createSession", (): Expr => {
      const start = this.CONSUME(K.create);
      this.word(1, "session");
      this.CONSUME(K.for);
      const request = this.SUBRULE(this.postfix);
      return { kind: "CreateSession", request, span: this.spanFrom(start) };
    });

    /** `get session from R`, `get session value K from S`, `get session statistics from S`. */
    getSession = this.RULE("getSession", (): Expr => {
      const start = this.word(1, "get");
      this.word(2, "session");
      return this.OR([
        {
          GATE: () => this.isWord(1, "value"),
          ALT: () => {
            this.word(3, "value");
            const key = this.SUBRULE(this.sessionKey);
            this.CONSUME(K.from);
            const session = this.SUBRULE(this.postfix);
            return { kind: "GetSessionValue", key, session, span: this.spanFrom(start) } as Expr;
          },
        },
        {
          GATE: () => this.isWord(1, "statistics"),
          ALT: () => {
            this.word(4, "statistics");
            this.CONSUME2(K.from);
            const server = this.SUBRULE2(this.postfix);
            return { kind: "SessionQuery", op: "statistics", server, span: this.spanFrom(start) } as Expr;
          },
        },
        {
          ALT: () => {
            this.CONSUME3(K.from);
            const request = this.SUBRULE3(this.postfix);
            return { kind: "GetSession", request, span: this.spanFrom(start) } as Expr;
          },
        },
      ]);
    });

    /** `generate csrf token for S`. */
    csrfToken = this.RULE("csrfToken", (): Expr => {
      const start = this.word(1, "generate");
      this.word(2, "csrf");
      this.word(3, "token");
      this.CONSUME(K.for);
      const session = this.SUBRULE(this.postfix);
      return { kind: "CsrfToken", session, span: this.spanFrom(start) };
    });

    /** `create list with A, B, …` (a list of the items; the upstream TDD program writes its permissions so). */
    createListWith = this.RULE("createListWith", (): Expr => {
      const start = this.CONSUME(K.create);
      this.CONSUME(K.list);
      this.CONSUME(K.with);
      const items: Expr[] = [];
      this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => { items.push(this.withArgsMode(true, () => this.SUBRULE(this.additive))); } });
      return { kind: "ListLit", items, span: this.spanFrom(start) };
    });

    /** `find expired sessions on S`. */
    expiredSessions = this.RULE("expiredSessions", (): Expr => {
      const start = this.CONSUME(K.find);
      this.word(1, "expired");
      this.word(2, "sessions");
      this.CONSUME(K.on);
      const server = this.SUBRULE(this.postfix);
      return { kind: "SessionQuery", op: "expired", server, span: this.spanFrom(start) };
    });

    /** `load session data from storage with key K`. */
    loadSessionData = this.RULE("loadSessionData", (): Expr => {
      const start = this.CONSUME(K.load);
      const key = this.sessionDataKey();
      return { kind: "LoadSessionData", key, span: this.spanFrom(start) };
    });

    protected readonly sessionsTables = this.contribute({
      statements: [
        { GATE: () => this.LA(1).tokenType === K.listen && this.LA(2).tokenType === K.on && this.lineHasWord(3, "sessions"), ALT: () => this.SUBRULE(this.sessionListenStmt) },
        { GATE: () => this.isWord(1, "configure") && this.isWord(2, "sessions"), ALT: () => this.SUBRULE(this.configureSessionsStmt) },
        { GATE: () => this.isWord(1, "enable") && (this.isWord(2, "csrf") || this.isWord(2, "secure")), ALT: () => this.SUBRULE(this.enableSessionOptionStmt) },
        { GATE: () => this.isWord(1, "set") && this.isWord(2, "session") && this.isWord(3, "value"), ALT: () => this.SUBRULE(this.setSessionValueStmt) },
        { GATE: () => this.isWord(1, "destroy") && this.isWord(2, "session"), ALT: () => this.SUBRULE(this.destroySessionStmt) },
        {
          GATE: () => this.LA(1).tokenType === K.store && this.isWord(2, "session_data") && this.LA(3).tokenType === K.to && this.isWord(4, "storage"),
          ALT: () => this.SUBRULE(this.storeSessionDataStmt),
        },
        {
          GATE: () => this.LA(1).tokenType === K.delete && this.isWord(2, "session") && this.isWord(3, "data"),
          ALT: () => this.SUBRULE(this.deleteSessionDataStmt),
        },
      ],
      primaries: [
        { GATE: () => this.LA(1).tokenType === K.create && this.LA(2).tokenType === K.list && this.LA(3).tokenType === K.with, ALT: () => this.SUBRULE(this.createListWith) },
        { GATE: () => this.LA(1).tokenType === K.create && this.isWord(2, "session") && this.LA(3).tokenType === K.for, ALT: () => this.SUBRULE(this.createSession) },
        {
          GATE: () => this.isWord(1, "get") && this.isWord(2, "session") && (this.LA(3).tokenType === K.from || this.isWord(3, "value") || this.isWord(3, "statistics")),
          ALT: () => this.SUBRULE(this.getSession),
        },
        { GATE: () => this.isWord(1, "generate") && this.isWord(2, "csrf") && this.isWord(3, "token"), ALT: () => this.SUBRULE(this.csrfToken) },
        { GATE: () => this.LA(1).tokenType === K.find && this.isWord(2, "expired") && this.isWord(3, "sessions"), ALT: () => this.SUBRULE(this.expiredSessions) },
        { GATE: () => this.LA(1).tokenType === K.load && this.isWord(2, "session") && this.isWord(3, "data"), ALT: () => this.SUBRULE(this.loadSessionData) },
      ],
    });
  }
  return SessionsSyntax;
}
