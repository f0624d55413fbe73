// The grammar of `create pattern` and the pattern expressions `find`, `replace`, `split`.
import * as T from "../../lexer/tokens.js";
import { K } from "../../parser/keywords.js";
import type { ParserClass } from "../../parser/core.js";
import type { Expr, Stmt } from "../../ast/nodes.js";

export function patternsSyntax<B extends ParserClass>(Base: B) {
  abstract class PatternsSyntax extends Base {
    /** `create pattern NAME:` pattern text `end pattern` (the body is kept as source text). */
    createPattern = this.RULE("createPattern", (): Stmt => {
      const start = this.CONSUME(K.create);
      this.CONSUME(K.pattern);
      const name = this.SUBRULE(this.identifier);
      const nameSpan = this.lastNameSpan;
      this.CONSUME(T.Colon);
      const bodyStart = this.LA(1);
      this.MANY({
        // Any token but `end pattern`: one token of lookahead (with the gate) is enough, and keeps
        // Chevrotain from expanding every pair of tokens while it analyses the grammar.
        MAX_LOOKAHEAD: 1,
        GATE: () => !(this.LA(1).tokenType === K.end && this.LA(2).tokenType === K.pattern),
        DEF: () => { this.CONSUME(T.AnyToken); },
      });
      const bodyEnd = this.LA(1);
      this.endOf(K.pattern);
      return this.ACTION(() => {
        const bodyOffset = bodyStart.startOffset;
        const body = this.source.slice(bodyOffset, bodyEnd.startOffset);
        return { kind: "CreatePattern", name, nameSpan, body, bodyOffset, span: this.spanFrom(start) } as Stmt;
      });
    });

    /** `find P in T`, `replace P with R in T`, `split T by D`, `split T on [pattern] P`. */
    patternExpr = this.RULE("patternExpr", (): Expr => {
      const start = this.LA(1);
      return this.OR([
        {
          ALT: () => {
            this.CONSUME(K.find);
            const pattern = this.SUBRULE(this.additive);
            this.CONSUME(K.in);
            const text = this.SUBRULE2(this.additive);
            return { kind: "PatternFind", pattern, text, span: this.spanFrom(start) } as Expr;
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.replace);
            const pattern = this.SUBRULE(this.unary);
            this.CONSUME(K.with);
            const replacement = this.SUBRULE2(this.unary);
            this.CONSUME2(K.in);
            const text = this.SUBRULE3(this.additive);
            return { kind: "PatternReplace", pattern, replacement, text, span: this.spanFrom(start) } as Expr;
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.split);
            let splitOf = false;
            this.OPTION(() => { this.CONSUME(K.of); splitOf = true; });
            const text = this.SUBRULE4(this.additive);
            return this.OR2([
              { ALT: () => { this.CONSUME(K.by); return { kind: "PatternSplit", text, separator: this.SUBRULE5(this.additive), byPattern: false, span: this.spanFrom(start) } as Expr; } },
              {
                ALT: () => {
                  this.CONSUME(K.on);
                  this.OPTION2(() => this.CONSUME(K.pattern));
                  return { kind: "PatternSplit", text, separator: this.SUBRULE6(this.additive), byPattern: true, span: this.spanFrom(start) } as Expr;
                },
              },
              {
                ALT: () => {
                  this.CONSUME(K.and);
                  const separator = this.SUBRULE7(this.additive);
                  // `split of T and D and X`: more arguments than split takes make it a call, so the
                  // builtin reports the arity (as `split of …` through a variable does).
                  const extra: Expr[] = [];
                  this.MANY({ GATE: () => splitOf, DEF: () => { this.CONSUME2(K.and); extra.push(this.SUBRULE8(this.additive)); } });
                  return this.ACTION(() => extra.length === 0
                    ? { kind: "PatternSplit", text, separator, byPattern: false, span: this.spanFrom(start) }
                    : { kind: "Call", callee: "split", calleeSpan: this.tokSpan(start), args: [text, separator, ...extra], style: "of", span: this.spanFrom(start) }) as Expr;
                },
              },
            ]);
          },
        },
      ]);
    });

    protected readonly patternsTables = this.contribute({
      statements: [{ GATE: () => this.LA(2).tokenType === K.pattern, ALT: () => this.SUBRULE(this.createPattern) }],
      primaries: [{ ALT: () => this.SUBRULE(this.patternExpr) }],
    });
  }
  return PatternsSyntax;
}
