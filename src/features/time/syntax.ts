// The grammar of `current time …` values.
import { K } from "../../parser/keywords.js";
import type { ParserClass } from "../../parser/core.js";
import type { Expr } from "../../ast/nodes.js";

export function timeSyntax<B extends ParserClass>(Base: B) {
  abstract class TimeSyntax extends Base {
    /** `current time in milliseconds`, `current time formatted as "fmt"`. */
    currentTime = this.RULE("currentTime", (): Expr => {
      const start = this.CONSUME(K.current);
      this.word(0, "time");
      return this.OR([
        { ALT: () => { this.CONSUME(K.in); this.word(2, "milliseconds"); return { kind: "CurrentTimeMs", span: this.spanFrom(start) } as Expr; } },
        {
          ALT: () => {
            this.word(3, "formatted");
            this.CONSUME(K.as);
            const format = this.SUBRULE(this.additive);
            return { kind: "CurrentTimeFormatted", format, span: this.spanFrom(start) } as Expr;
          },
        },
      ]);
    });

    protected readonly timeTables = this.contribute({
      primaries: [{ ALT: () => this.SUBRULE(this.currentTime) }],
    });
  }
  return TimeSyntax;
}
