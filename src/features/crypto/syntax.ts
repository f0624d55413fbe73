// The grammar of password hashing and JSON Web Tokens, as the WFLHub requirements write them:
// `hash password X`, `verify password X against H`, `sign jwt with claims C and secret S`,
// `verify jwt T with secret S`. All are expressions; their operands are arithmetic (`additive`,
// in call-argument mode, so `and` and `with` end them).
import { K } from "../../parser/keywords.js";
import type { ParserClass } from "../../parser/core.js";
import type { Expr } from "../../ast/nodes.js";

const AGAINST: ReadonlySet<string> = new Set(["against"]);

export function cryptoSyntax<B extends ParserClass>(Base: B) {
  abstract class CryptoSyntax extends Base {
    /** An operand; `idx` is the occurrence within its rule (as for SUBRULE1…4). */
    private cryptoOperand(idx: 1 | 2 | 3 | 4): Expr {
      return this.withArgsMode(true, () =>
        idx === 1 ? this.SUBRULE1(this.additive) : idx === 2 ? this.SUBRULE2(this.additive) : idx === 3 ? this.SUBRULE3(this.additive) : this.SUBRULE4(this.additive));
    }

    /** `hash password X`. */
    hashPasswordExpr = this.RULE("hashPasswordExpr", (): Expr => {
      const start = this.word(1, "hash");
      this.word(2, "password");
      const password = this.cryptoOperand(1);
      return { kind: "HashPassword", password, span: this.spanFrom(start) };
    });

    /** `verify password X against H`, `verify jwt T with secret S`. */
    verifyExpr = this.RULE("verifyExpr", (): Expr => {
      const start = this.word(1, "verify");
      return this.OR([
        {
          GATE: () => this.isWord(1, "password"),
          ALT: () => {
            this.word(2, "password");
            const password = this.withIdentifierStops(AGAINST, () => this.cryptoOperand(1));
            this.word(3, "against");
            const stored = this.cryptoOperand(2);
            return { kind: "VerifyPassword", password, stored, span: this.spanFrom(start) } as Expr;
          },
        },
        {
          ALT: () => {
            this.word(4, "jwt");
            const token = this.cryptoOperand(3);
            this.CONSUME(K.with);
            this.word(5, "secret");
            const secret = this.cryptoOperand(4);
            return { kind: "VerifyJwt", token, secret, span: this.spanFrom(start) } as Expr;
          },
        },
      ]);
    });

    /** `sign jwt with claims C and secret S`. */
    signJwtExpr = this.RULE("signJwtExpr", (): Expr => {
      const start = this.word(1, "sign");
      this.word(2, "jwt");
      this.CONSUME(K.with);
      this.word(3, "claims");
      const claims = this.cryptoOperand(1);
      this.CONSUME(K.and);
      this.word(4, "secret");
      const secret = this.cryptoOperand(2);
      return { kind: "SignJwt", claims, secret, span: this.spanFrom(start) };
    });

    protected readonly cryptoTables = this.contribute({
      primaries: [
        { GATE: () => this.isWord(1, "hash") && this.isWord(2, "password"), ALT: () => this.SUBRULE(this.hashPasswordExpr) },
        { GATE: () => this.isWord(1, "verify") && (this.isWord(2, "password") || this.isWord(2, "jwt")), ALT: () => this.SUBRULE(this.verifyExpr) },
        { GATE: () => this.isWord(1, "sign") && this.isWord(2, "jwt") && this.LA(3).tokenType === K.with, ALT: () => this.SUBRULE(this.signJwtExpr) },
      ],
    });
  }
  return CryptoSyntax;
}
