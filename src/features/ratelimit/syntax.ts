// The grammar of rate limiting, as the WFLHub requirements write it (seed 003, section 3.8):
// `create rate limiter with limit N per "minute"` (values), `check rate limit on L for K`,
// `remaining requests on L for K`, `reset rate limit on L for K` (a statement); ours:
// `… and max keys M`, `… using database DB`, `… called NAME`, `rate limit headers on L for K`.
import { K } from "../../parser/keywords.js";
import type { ParserClass } from "../../parser/core.js";
import type { Expr, Stmt } from "../../ast/nodes.js";

const PER: ReadonlySet<string> = new Set(["per"]);
const CLAUSES: ReadonlySet<string> = new Set(["using", "called"]);

export function rateLimitSyntax<B extends ParserClass>(Base: B) {
  abstract class RateLimitSyntax extends Base {
    /** `on LIMITER for KEY` (shared by the forms that use a limiter). */
    private limiterAndKey(): { limiter: Expr; key: Expr } {
      this.CONSUME(K.on);
      const limiter = this.SUBRULE(this.postfix);
      this.CONSUME(K.for);
      // The key may be joined (`for "user:" with name`); a join stops before `and`/`or`.
      const key = this.withArgsMode(false, () => this.SUBRULE(this.pathExpr));
      return { limiter, key };
    }

    /** `create rate limiter with limit N per UNIT [and max keys M] [using database DB] [called NAME]`. */
    createRateLimiterExpr = this.RULE("createRateLimiterExpr", (): Expr => {
      const start = this.CONSUME(K.create);
      this.word(1, "rate");
      this.word(2, "limiter");
      this.CONSUME(K.with);
      this.word(3, "limit");
      const limit = this.withIdentifierStops(PER, () => this.withArgsMode(true, () => this.SUBRULE(this.additive)));
      this.word(4, "per");
      const unit = this.withIdentifierStops(CLAUSES, () => this.withArgsMode(true, () => this.SUBRULE2(this.additive)));
      let maxKeys: Expr | null = null;
      let db: Expr | null = null;
      let label: Expr | null = null;
      this.OPTION({
        GATE: () => this.isWord(2, "max") && this.isWord(3, "keys"),
        DEF: () => {
          this.CONSUME(K.and);
          this.word(5, "max");
          this.word(6, "keys");
          maxKeys = this.withIdentifierStops(CLAUSES, () => this.withArgsMode(true, () => this.SUBRULE3(this.additive)));
        },
      });
      this.OPTION2({
        GATE: () => this.isWord(1, "using"),
        DEF: () => {
          this.word(7, "using");
          this.word(8, "database");
          db = this.withIdentifierStops(CLAUSES, () => this.SUBRULE(this.postfix));
        },
      });
      this.OPTION3({
        GATE: () => this.LA(1).tokenType === K.called,
        DEF: () => {
          this.CONSUME(K.called);
          label = this.withArgsMode(true, () => this.SUBRULE4(this.additive));
        },
      });
      return { kind: "CreateRateLimiter", limit, unit, maxKeys, db, label, span: this.spanFrom(start) };
    });

    /** `check rate limit on L for K`. */
    checkRateLimitExpr = this.RULE("checkRateLimitExpr", (): Expr => {
      const start = this.CONSUME(K.check);
      this.word(1, "rate");
      this.word(2, "limit");
      const { limiter, key } = this.limiterAndKey();
      return { kind: "CheckRateLimit", limiter, key, span: this.spanFrom(start) };
    });

    /** `remaining requests on L for K`. */
    remainingRequestsExpr = this.RULE("remainingRequestsExpr", (): Expr => {
      const start = this.word(1, "remaining");
      this.word(2, "requests");
      const { limiter, key } = this.limiterAndKey();
      return { kind: "RemainingRequests", limiter, key, span: this.spanFrom(start) };
    });

    /** `rate limit headers on L for K`. */
    rateLimitHeadersExpr = this.RULE("rateLimitHeadersExpr", (): Expr => {
      const start = this.word(1, "rate");
      this.word(2, "limit");
      this.word(3, "headers");
      const { limiter, key } = this.limiterAndKey();
      return { kind: "RateLimitHeaders", limiter, key, span: this.spanFrom(start) };
    });

    /** `reset rate limit on L for K`. */
    resetRateLimitStmt = this.RULE("resetRateLimitStmt", (): Stmt => {
      const start = this.word(1, "reset");
      this.word(2, "rate");
      this.word(3, "limit");
      const { limiter, key } = this.limiterAndKey();
      this.eos();
      return { kind: "ResetRateLimit", limiter, key, span: this.spanFrom(start) };
    });

    protected readonly rateLimitTables = this.contribute({
      statements: [
        { GATE: () => this.isWord(1, "reset") && this.isWord(2, "rate") && this.isWord(3, "limit"), ALT: () => this.SUBRULE(this.resetRateLimitStmt) },
      ],
      primaries: [
        { GATE: () => this.LA(1).tokenType === K.create && this.isWord(2, "rate") && this.isWord(3, "limiter"), ALT: () => this.SUBRULE(this.createRateLimiterExpr) },
        { GATE: () => this.LA(1).tokenType === K.check && this.isWord(2, "rate") && this.isWord(3, "limit"), ALT: () => this.SUBRULE(this.checkRateLimitExpr) },
        { GATE: () => this.isWord(1, "remaining") && this.isWord(2, "requests") && this.LA(3).tokenType === K.on, ALT: () => this.SUBRULE(this.remainingRequestsExpr) },
        { GATE: () => this.isWord(1, "rate") && this.isWord(2, "limit") && this.isWord(3, "headers"), ALT: () => this.SUBRULE(this.rateLimitHeadersExpr) },
      ],
    });
  }
  return RateLimitSyntax;
}
