// The grammar of one-expression maps: `create object with "k" as v and …` and `field "k" of obj`.
import * as T from "../../lexer/tokens.js";
import { K } from "../../parser/keywords.js";
import type { ParserClass } from "../../parser/core.js";
import type { Expr } from "../../ast/nodes.js";

export function objectsSyntax<B extends ParserClass>(Base: B) {
  abstract class ObjectsSyntax extends Base {
    /**
     * `create object`, `create object with K as V and K2 as V2 …`. Keys and values are arithmetic
     * (`additive`): a top-level `and` separates entries, so `a and b` as a value needs parentheses.
     */
    objectLiteral = this.RULE("objectLiteral", (): Expr => {
      const start = this.CONSUME(K.create);
      this.word(1, "object");
      const entries: { key: Expr; value: Expr }[] = [];
      this.OPTION(() => {
        this.CONSUME(K.with);
        this.withArgsMode(true, () => {
          this.AT_LEAST_ONE_SEP({
            SEP: K.and,
            DEF: () => {
              const key = this.SUBRULE(this.additive);
              this.CONSUME(K.as);
              const value = this.SUBRULE2(this.additive);
              entries.push({ key, value });
            },
          });
        });
      });
      return { kind: "ObjectLit", entries, span: this.spanFrom(start) };
    });

    /** `field K of OBJ`: K is a text (or a name holding one), OBJ a value. */
    fieldOf = this.RULE("fieldOf", (): Expr => {
      const start = this.LA(1);
      this.word(1, "field");
      // The key is a text or a plain name (never a call: `field key of obj` reads `key`).
      const key = this.OR([
        { ALT: () => { const t = this.CONSUME(T.StringLiteral); return this.ACTION(() => this.stringNode(t)); } },
        {
          ALT: () => {
            const t = this.CONSUME(T.Identifier);
            return { kind: "Var", name: t.image, span: this.tokSpan(t) } as Expr;
          },
        },
      ]);
      this.CONSUME(K.of);
      const target = this.SUBRULE(this.postfix);
      return { kind: "FieldOf", key, target, span: this.spanFrom(start) };
    });

    protected readonly objectsTables = this.contribute({
      primaries: [
        { GATE: () => this.LA(1).tokenType === K.create && this.isWord(2, "object"), ALT: () => this.SUBRULE(this.objectLiteral) },
        {
          // `field "k" of x` or `field name of x`; a variable called `field` stays a variable.
          GATE: () => this.isWord(1, "field") && this.LA(1).tokenType === T.Identifier &&
            (this.LA(2).tokenType === T.StringLiteral || this.LA(2).tokenType === T.Identifier) && this.LA(3).tokenType === K.of,
          ALT: () => this.SUBRULE(this.fieldOf),
        },
      ],
    });
  }
  return ObjectsSyntax;
}
