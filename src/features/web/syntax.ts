// The grammar of web servers and WebSockets: `listen on port`, `wait for request`, `respond`,
// `main loop`, signals, `listen for websockets`, `on websocket …`, `send`/`broadcast websocket message`.
import { EOF, type IToken } from "chevrotain";
import * as T from "../../lexer/tokens.js";
import { K } from "../../parser/keywords.js";
import type { ParserClass } from "../../parser/core.js";
import type { Expr, Stmt } from "../../ast/nodes.js";

export function webSyntax<B extends ParserClass>(Base: B) {
  abstract class WebSyntax extends Base {
    /** `main loop:` … `end loop`: a server's request loop. */
    mainLoopStmt = this.RULE("mainLoopStmt", (): Stmt => {
      const start = this.CONSUME(K.main);
      this.CONSUME(K.loop);
      let concurrently = false;
      this.OPTION({ GATE: () => this.isWord(1, "concurrently"), DEF: () => { this.word(5, "concurrently"); concurrently = true; } });
      this.blockOpen();
      const body = this.SUBRULE(this.block);
      this.endOf(K.loop);
      return { kind: "MainLoop", body, concurrently, span: this.spanFrom(start) };
    });

    /** `listen on port P as server`. */
    listenStmt = this.RULE("listenStmt", (): Stmt => {
      const start = this.CONSUME(K.listen);
      let websockets = false;
      this.OPTION(() => { this.CONSUME(K.for); this.word(2, "websockets"); websockets = true; });
      this.CONSUME(K.on);
      this.word(0, "port");
      const port = this.SUBRULE(this.postfix);
      let secured = false;
      let certificate: Expr | null = null;
      let key: Expr | null = null;
      let redirectTo: Expr | null = null;
      this.OPTION2({
        GATE: () => this.isWord(1, "secured"),
        DEF: () => {
          this.word(3, "secured");
          secured = true;
          this.OPTION3(() => {
            this.CONSUME(K.with);
            this.word(4, "certificate");
            certificate = this.SUBRULE(this.pathExpr);
            this.CONSUME(K.and);
            this.word(5, "key");
            key = this.SUBRULE2(this.pathExpr);
          });
        },
      });
      this.OPTION4({
        GATE: () => this.isWord(1, "redirecting"),
        DEF: () => {
          this.word(6, "redirecting");
          this.CONSUME(K.to);
          this.word(7, "port");
          redirectTo = this.SUBRULE2(this.postfix);
        },
      });
      this.CONSUME(K.as);
      const name = this.SUBRULE(this.identifier);
      const nameSpan = this.lastNameSpan;
      this.eos();
      return { kind: "Listen", port, name, nameSpan, websockets, secured, certificate, key, redirectTo, span: this.spanFrom(start) };
    });

    /** `respond to req with content [and status N] [and content_type T] [and headers H]`. */
    respondStmt = this.RULE("respondStmt", (): Stmt => {
      const start = this.CONSUME(K.respond);
      this.CONSUME(K.to);
      const request = this.SUBRULE(this.postfix);
      this.CONSUME(K.with);
      // The content may join texts (`"Page: " with page`) and call builtins
      // (`stringify_json of reply`); `and status|content_type|headers` always starts an option.
      const content = this.respondOptions(() => this.SUBRULE(this.pathExpr));
      let status: Expr | null = null;
      let contentType: Expr | null = null;
      let headers: Expr | null = null;
      let session: Expr | null = null;
      let clearSession = false;
      this.MANY(() => {
        this.CONSUME(K.and);
        this.OR([
          // The sessions room's options (Docs/sessions.md): the session's cookie goes with the answer.
          { GATE: () => this.atSessionClause(1) && this.isWord(1, "set"), ALT: () => { this.word(4, "set"); this.word(5, "session"); session = this.SUBRULE2(this.postfix); } },
          { GATE: () => this.atSessionClause(1), ALT: () => { this.CONSUME(K.clear); this.word(6, "session"); clearSession = true; } },
          {
            ALT: () => {
              const word = this.OR2([
                { ALT: () => this.wordOf(2, ["status", "content_type", "headers", "header"], ["status", "content type", "content_type", "headers", "header"]).image },
                { ALT: () => { this.CONSUME(K.content); this.word(3, "type"); return "content_type"; } },
              ]);
              const value = this.respondOptions(() => this.SUBRULE3(this.pathExpr));
              this.ACTION(() => {
                if (word === "status") status = value;
                else if (word === "headers" || word === "header") headers = value;
                else contentType = value;
              });
            },
          },
        ]);
      });
      this.eos();
      return { kind: "Respond", request, content, status, contentType, headers, session, clearSession, span: this.spanFrom(start) };
    });

    /** `header NAME of REQ`. */
    requestHeader = this.RULE("requestHeader", (): Expr => {
      const start = this.word(1, "header");
      const name = this.SUBRULE(this.formKey);
      this.CONSUME(K.of);
      const request = this.SUBRULE(this.postfix);
      return { kind: "RequestHeader", name, request, span: this.spanFrom(start) };
    });

    /** `stop accepting connections on server`. */
    stopAcceptingStmt = this.RULE("stopAcceptingStmt", (): Stmt => {
      const start = this.CONSUME(K.stop);
      this.word(0, "accepting");
      this.word(2, "connections");
      this.CONSUME(K.on);
      const server = this.SUBRULE(this.postfix);
      this.eos();
      return { kind: "ServerOp", op: "stop", server, span: this.spanFrom(start) };
    });

    /** `register signal handler for SIGINT as action_name`. */
    registerSignalStmt = this.RULE("registerSignalStmt", (): Stmt => {
      const start = this.CONSUME(K.register);
      this.word(0, "signal");
      this.word(2, "handler");
      this.CONSUME(K.for);
      const signal = this.CONSUME3(T.Identifier).image;
      this.CONSUME(K.as);
      const handler = this.SUBRULE(this.identifier);
      this.eos();
      return { kind: "RegisterSignal", signal, handler, span: this.spanFrom(start) };
    });

    /** After `wait for`: `request [that] comes in on srv as req [with timeout ms]`. */
    waitRequestTail = this.RULE("waitRequestTail", (start: IToken): Stmt => {
      this.word(0, "request");
      this.OPTION({ GATE: () => this.isWord(1, "that"), DEF: () => { this.word(2, "that"); } });
      this.word(3, "comes");
      this.CONSUME(K.in);
      this.CONSUME(K.on);
      const server = this.SUBRULE(this.postfix);
      this.CONSUME(K.as);
      const name = this.SUBRULE(this.identifier);
      const nameSpan = this.lastNameSpan;
      let timeout: Expr | null = null;
      this.OPTION2(() => { this.CONSUME(K.with); this.word(4, "timeout"); timeout = this.SUBRULE2(this.postfix); });
      this.eos();
      return { kind: "WaitRequest", server, name, nameSpan, timeout, span: this.spanFrom(start) };
    });

    /** `on websocket connect to s as c:` / `message from s as m:` / `disconnect from s as c:` … `end on`. */
    onWebSocketStmt = this.RULE("onWebSocketStmt", (): Stmt => {
      const start = this.CONSUME(K.on);
      this.word(0, "websocket");
      const eventTok = this.word(2, "connect", "message", "disconnect");
      this.OR([{ ALT: () => this.CONSUME(K.to) }, { ALT: () => this.CONSUME(K.from) }]);
      const server = this.SUBRULE(this.postfix);
      this.CONSUME(K.as);
      const name = this.SUBRULE(this.identifier);
      const nameSpan = this.lastNameSpan;
      this.blockOpen();
      const body = this.SUBRULE(this.block);
      this.endOf(K.on);
      return this.ACTION(() => {
        const ev = eventTok.image;
        const event = ev === "message" ? "message" : ev === "disconnect" ? "disconnect" : "connect";
        return { kind: "OnWebSocket", event, server, name, nameSpan, body, span: this.spanFrom(start) } as Stmt;
      });
    });

    /** `send websocket message v to c`, `broadcast websocket message v to s`. */
    webSocketSendStmt = this.RULE("webSocketSendStmt", (): Stmt => {
      const start = this.word(1, "send", "broadcast");
      this.word(2, "websocket");
      this.word(3, "message");
      const message = this.withArgsMode(true, () => this.SUBRULE(this.additive));
      this.CONSUME(K.to);
      const target = this.SUBRULE(this.postfix);
      this.eos();
      return { kind: "WebSocketSend", broadcast: start.image === "broadcast", message, target, span: this.spanFrom(start) };
    });

    /** `close server s`. */
    closeServerStmt = this.RULE("closeServerStmt", (): Stmt => {
      const start = this.CONSUME(K.close);
      this.word(1, "server");
      const server = this.SUBRULE(this.postfix);
      this.eos();
      return { kind: "ServerOp", op: "close", server, span: this.spanFrom(start) };
    });

    /** A form field's key: a text, or a plain name holding one (as in `field K of obj`). */
    formKey = this.RULE("formKey", (): Expr => this.OR([
      { ALT: () => { const t = this.CONSUME(T.StringLiteral); return this.ACTION(() => this.stringNode(t)); } },
      { ALT: () => { const t = this.CONSUME(T.Identifier); return { kind: "Var", name: t.image, span: this.tokSpan(t) } as Expr; } },
    ]));

    /** `parse multipart from REQ`: the request's multipart/form-data body as a form. */
    parseMultipart = this.RULE("parseMultipart", (): Expr => {
      const start = this.word(1, "parse");
      this.word(2, "multipart");
      this.CONSUME(K.from);
      const request = this.SUBRULE(this.postfix);
      return { kind: "ParseMultipart", request, span: this.spanFrom(start) };
    });

    /** `file K of F`, `filename K of F`, `content type K of F` / `content_type K of F`. */
    formPart = this.RULE("formPart", (): Expr => {
      const start = this.LA(1);
      const part = this.OR([
        { ALT: () => { this.CONSUME(K.file); return "file" as const; } },
        { ALT: () => { this.CONSUME(K.content); this.word(1, "type"); return "contentType" as const; } },
        { ALT: () => (this.word(2, "filename", "content_type").image === "filename" ? "filename" as const : "contentType" as const) },
      ]);
      const key = this.SUBRULE(this.formKey);
      this.CONSUME(K.of);
      const form = this.SUBRULE(this.postfix);
      return { kind: "FormPart", part, key, form, span: this.spanFrom(start) };
    });

    /** `has field K in M`. */
    hasField = this.RULE("hasField", (): Expr => {
      const start = this.word(1, "has");
      this.word(2, "field");
      const key = this.SUBRULE(this.formKey);
      this.CONSUME(K.in);
      const target = this.SUBRULE(this.postfix);
      return { kind: "HasField", key, target, span: this.spanFrom(start) };
    });

    /** Token k starts a form key (a text or a name) followed by `of`/`in` at k+1. */
    private formKeyThen(k: number, after: typeof K.of): boolean {
      const t = this.LA(k).tokenType;
      return (t === T.StringLiteral || t === T.Identifier) && this.LA(k + 1).tokenType === after;
    }

    protected readonly webTables = this.contribute({
      primaries: [
        { GATE: () => this.isWord(1, "parse") && this.isWord(2, "multipart") && this.LA(3).tokenType === K.from, ALT: () => this.SUBRULE(this.parseMultipart) },
        {
          // `file K of F`, `filename K of F`, `content_type K of F`, `content type K of F`.
          GATE: () => ((this.LA(1).tokenType === K.file || this.isOneOf(1, ["filename", "content_type"])) && this.formKeyThen(2, K.of)) ||
            (this.LA(1).tokenType === K.content && this.isWord(2, "type") && this.formKeyThen(3, K.of)),
          ALT: () => this.SUBRULE(this.formPart),
        },
        { GATE: () => this.isWord(1, "has") && this.isWord(2, "field") && this.formKeyThen(3, K.in), ALT: () => this.SUBRULE(this.hasField) },
        { GATE: () => this.isWord(1, "header") && this.formKeyThen(2, K.of), ALT: () => this.SUBRULE(this.requestHeader) },
      ],
      statements: [
        { GATE: () => this.LA(2).tokenType === K.loop, ALT: () => this.SUBRULE(this.mainLoopStmt) },
        { ALT: () => this.SUBRULE(this.listenStmt) },
        { ALT: () => this.SUBRULE(this.respondStmt) },
        { ALT: () => this.SUBRULE(this.stopAcceptingStmt) },
        { ALT: () => this.SUBRULE(this.registerSignalStmt) },
        { GATE: () => this.isWord(2, "server") && this.LA(3).tokenType !== T.Newline && this.LA(3).tokenType !== EOF, ALT: () => this.SUBRULE(this.closeServerStmt) },
        { GATE: () => this.isWord(2, "websocket"), ALT: () => this.SUBRULE(this.onWebSocketStmt) },
        { GATE: () => this.isOneOf(1, ["send", "broadcast"]) && this.isWord(2, "websocket"), ALT: () => this.SUBRULE(this.webSocketSendStmt) },
      ],
      waitFor: [
        { GATE: () => this.isWord(1, "request"), ALT: () => this.SUBRULE(this.waitRequestTail, { ARGS: [this.waitStart!] }) },
      ],
    });
  }
  return WebSyntax;
}
