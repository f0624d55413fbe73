// The grammar of structured route registration (seed 003, section 3.10):
// `register route "GET" at "/api/v1/packages/:name" on server as handler`, `register fallback
// route on server as handler` (what no route's path matches), `start server`,
// `parameter "q" of request`, `route parameter "name" of request`. (The core `route` statement,
// `route X: when … end route`, is unchanged.)
import { EOF } from "chevrotain";
import * as T from "../../lexer/tokens.js";
import { K } from "../../parser/keywords.js";
import type { ParserClass } from "../../parser/core.js";
import type { Expr, Stmt } from "../../ast/nodes.js";

export function routesSyntax<B extends ParserClass>(Base: B) {
  abstract class RoutesSyntax extends Base {
    /** `register route M at P on S as handler`. */
    registerRouteStmt = this.RULE("registerRouteStmt", (): Stmt => {
      const start = this.CONSUME(K.register);
      this.CONSUME(K.route);
      // A text or a name (`at` would otherwise read as indexing: `"GET" at "/x"`).
      const method = this.SUBRULE(this.primary);
      this.CONSUME(K.at);
      const path = this.withArgsMode(true, () => this.SUBRULE2(this.additive));
      const { server, handler, handlerSpan } = this.onServerAsHandler();
      return { kind: "RegisterRoute", method, path, server, handler, handlerSpan, span: this.spanFrom(start) };
    });

    /** `register fallback route on S as handler`. */
    registerFallbackStmt = this.RULE("registerFallbackStmt", (): Stmt => {
      const start = this.CONSUME(K.register);
      this.word(1, "fallback");
      this.CONSUME(K.route);
      const { server, handler, handlerSpan } = this.onServerAsHandler();
      return { kind: "RegisterFallback", server, handler, handlerSpan, span: this.spanFrom(start) };
    });

    /** The end both registrations share: `on S as handler` and the end of the statement. */
    private onServerAsHandler() {
      this.CONSUME(K.on);
      const server = this.SUBRULE(this.postfix);
      this.CONSUME(K.as);
      const handler = this.SUBRULE(this.identifier);
      const handlerSpan = this.lastNameSpan;
      this.eos();
      return { server, handler, handlerSpan };
    }

    /** `start server` / `start <server>`. */
    startServerStmt = this.RULE("startServerStmt", (): Stmt => {
      const start = this.word(1, "start");
      const server = this.SUBRULE(this.postfix);
      this.eos();
      return { kind: "StartServer", server, span: this.spanFrom(start) };
    });

    /** A parameter's name: a text, or a name holding one. */
    routeParamName = this.RULE("routeParamName", (): Expr => this.OR([
      { ALT: () => { const t = this.CONSUME(T.StringLiteral); return this.ACTION(() => this.stringNode(t)); } },
      { ALT: () => { const t = this.CONSUME(T.Identifier); return { kind: "Var", name: t.image, span: this.tokSpan(t) } as Expr; } },
    ]));

    /** `parameter N of R`, `route parameter N of R`. */
    requestParameter = this.RULE("requestParameter", (): Expr => {
      const start = this.LA(1);
      let route = false;
      this.OPTION(() => { this.CONSUME(K.route); route = true; });
      this.word(1, "parameter");
      const name = this.SUBRULE(this.routeParamName);
      this.CONSUME(K.of);
      const request = this.SUBRULE(this.postfix);
      return { kind: "RequestParameter", route, name, request, span: this.spanFrom(start) };
    });

    /** Tokens k… up to the end of the line are plain words (at least one). */
    private onlyNameFollows(k: number): boolean {
      if (this.LA(k).tokenType !== T.Identifier) return false;
      for (let i = k + 1; i < 50; i++) {
        const t = this.LA(i).tokenType;
        if (t === T.Newline || t === EOF) return true;
        if (t !== T.Identifier) return false;
      }
      return false;
    }

    /** Token k is a parameter name (a text or a plain word) followed by `of`. */
    private paramNameThenOf(k: number): boolean {
      const t = this.LA(k).tokenType;
      return (t === T.StringLiteral || t === T.Identifier) && this.LA(k + 1).tokenType === K.of;
    }

    protected readonly routesTables = this.contribute({
      statements: [
        { GATE: () => this.LA(1).tokenType === K.register && this.LA(2).tokenType === K.route, ALT: () => this.SUBRULE(this.registerRouteStmt) },
        {
          GATE: () => this.LA(1).tokenType === K.register && this.isWord(2, "fallback") && this.LA(3).tokenType === K.route,
          ALT: () => this.SUBRULE(this.registerFallbackStmt),
        },
        {
          // `start server` / `start my server`: `start` and a name, alone on the line (a variable
          // called `start` used otherwise keeps working).
          GATE: () => this.isWord(1, "start") && this.onlyNameFollows(2),
          ALT: () => this.SUBRULE(this.startServerStmt),
        },
      ],
      primaries: [
        {
          GATE: () => (this.LA(1).tokenType === K.route && this.isWord(2, "parameter") && this.paramNameThenOf(3)) || (this.isWord(1, "parameter") && this.paramNameThenOf(2)),
          ALT: () => this.SUBRULE(this.requestParameter),
        },
      ],
    });
  }
  return RoutesSyntax;
}
