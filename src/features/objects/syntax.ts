// The grammar of reading objects: `field "name" of row`.
import * as T from "../../lexer/tokens.js";
import { K } from "../../parser/keywords.js";
import type { ParserClass } from "../../parser/core.js";
import type { Expr } from "../../ast/nodes.js";

export function objectsSyntax<B extends ParserClass>(Base: B) {
  abstract class ObjectsSyntax extends Base {
    /** `field "name" of row`, `field col of row`. */
    fieldOf = this.RULE("fieldOf", (): Expr => {
      const start = this.word(1, "field");
      const field = this.OR([
        { ALT: () => { const t = this.CONSUME(T.StringLiteral); return this.ACTION(() => this.stringNode(t)); } },
        { ALT: () => { const t = this.LA(1); const name = this.SUBRULE(this.identifier); return { kind: "Var", name, span: this.spanFrom(t) } as Expr; } },
      ]);
      this.CONSUME(K.of);
      const target = this.SUBRULE(this.postfix);
      return { kind: "FieldOf", field, target, span: this.spanFrom(start) };
    });

    protected readonly objectsTables = this.contribute({
      primaries: [
        {
          GATE: () => this.isWord(1, "field") && (this.LA(2).tokenType === T.StringLiteral || this.LA(3).tokenType === K.of),
          ALT: () => this.SUBRULE(this.fieldOf),
        },
      ],
    });
  }
  return ObjectsSyntax;
}
