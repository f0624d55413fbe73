// The grammar of `describe`/`test` blocks, `setup`/`teardown` and `expect` assertions.
import { EOF } from "chevrotain";
import * as T from "../../lexer/tokens.js";
import { K } from "../../parser/keywords.js";
import type { ParserClass } from "../../parser/core.js";
import type { Stmt, Assertion } from "../../ast/nodes.js";

export function testsSyntax<B extends ParserClass>(Base: B) {
  abstract class TestsSyntax extends Base {
    describeStmt = this.RULE("describeStmt", (): Stmt => {
      const start = this.CONSUME(K.describe);
      const name = this.SUBRULE(this.primary);
      this.blockOpen();
      const body = this.SUBRULE(this.block);
      this.endOf(K.describe);
      return { kind: "Describe", name, body, span: this.spanFrom(start) };
    });

    testStmt = this.RULE("testStmt", (): Stmt => {
      const start = this.CONSUME(K.test);
      const name = this.SUBRULE(this.primary);
      this.blockOpen();
      const body = this.SUBRULE(this.block);
      this.endOf(K.test);
      return { kind: "Test", name, body, span: this.spanFrom(start) };
    });

    setupStmt = this.RULE("setupStmt", (): Stmt => {
      const start = this.LA(1);
      let teardown = false;
      this.OR([
        { ALT: () => this.CONSUME(K.setup) },
        { ALT: () => { this.CONSUME(K.teardown); teardown = true; } },
      ]);
      this.blockOpen();
      const body = this.SUBRULE(this.block);
      this.CONSUME(K.end);
      this.OR2([{ ALT: () => this.CONSUME2(K.setup) }, { ALT: () => this.CONSUME2(K.teardown) }]);
      this.eos();
      return { kind: "Setup", body, teardown, span: this.spanFrom(start) };
    });

    expectStmt = this.RULE("expectStmt", (): Stmt => {
      const start = this.CONSUME(K.expect);
      const subject = this.SUBRULE(this.additive);
      this.CONSUME(K.to);
      let negated = false;
      this.OPTION(() => { this.CONSUME(K.not); negated = true; });
      const assertion = this.SUBRULE(this.assertion);
      this.eos();
      return { kind: "Expect", subject, negated, assertion, span: this.spanFrom(start) };
    });

    assertion = this.RULE("assertion", (): Assertion => {
      return this.OR([
        { ALT: () => { this.CONSUME(K.equal); this.OPTION(() => this.CONSUME(K.to)); return { kind: "equal", expected: this.SUBRULE(this.additive) } as Assertion; } },
        {
          GATE: () => this.isWord(1, "be"),
          ALT: () => {
            this.word(0, "be");
            return this.OR2([
              { ALT: () => { this.CONSUME(K.greater); this.CONSUME(K.than); return this.SUBRULE(this.orEqual, { ARGS: ["greater"] }); } },
              { ALT: () => { this.CONSUME(K.less); this.CONSUME2(K.than); return this.SUBRULE2(this.orEqual, { ARGS: ["less"] }); } },
              { ALT: () => { this.CONSUME2(K.equal); this.CONSUME2(K.to); return { kind: "equal", expected: this.SUBRULE2(this.additive) } as Assertion; } },
              {
                // `to be yes` / `to be no` test truthiness.
                GATE: () => this.LA(2).tokenType === T.Newline || this.LA(2).tokenType === EOF,
                ALT: () => {
                  const t = this.OR3([
                    { ALT: () => this.CONSUME(K.yes) }, { ALT: () => this.CONSUME(K.true) },
                    { ALT: () => this.CONSUME(K.no) }, { ALT: () => this.CONSUME(K.false) },
                  ]);
                  return this.ACTION(() => ({ kind: "truthy", expected: /^(yes|true)$/i.test(t.image) }) as Assertion);
                },
              },
              {
                GATE: () => this.isWord(1, "empty") && this.LA(2).tokenType !== K.of,
                ALT: () => { this.word(2, "empty"); return { kind: "empty" } as Assertion; },
              },
              {
                GATE: () => this.isWord(1, "of") || (this.LA(1).tokenType === K.of && this.isWord(2, "type")),
                ALT: () => { this.CONSUME(K.of); this.word(3, "type"); return { kind: "type", expected: this.SUBRULE3(this.additive) } as Assertion; },
              },
              { ALT: () => ({ kind: "equal", expected: this.SUBRULE4(this.additive) }) as Assertion },
            ]);
          },
        },
        {
          GATE: () => this.isWord(1, "exist"),
          ALT: () => { this.word(4, "exist"); return { kind: "exist" } as Assertion; },
        },
        {
          GATE: () => this.isWord(1, "contain"),
          ALT: () => { this.word(5, "contain"); return { kind: "contain", expected: this.SUBRULE5(this.additive) } as Assertion; },
        },
        {
          GATE: () => this.isWord(1, "have") && this.isWord(2, "length"),
          ALT: () => { this.word(6, "have"); this.word(7, "length"); return { kind: "length", expected: this.SUBRULE6(this.additive) } as Assertion; },
        },
      ]);
    });

    orEqual = this.RULE("orEqual", (base: "greater" | "less"): Assertion => {
      let eq = false;
      this.OPTION(() => { this.CONSUME(K.or); this.CONSUME(K.equal); this.OPTION2(() => this.CONSUME(K.to)); eq = true; });
      const expected = this.SUBRULE(this.additive);
      if (base === "greater") return (eq ? { kind: "greaterEq", expected } : { kind: "greater", expected }) as Assertion;
      return (eq ? { kind: "lessEq", expected } : { kind: "less", expected }) as Assertion;
    });

    protected readonly testsTables = this.contribute({
      statements: [
        { ALT: () => this.SUBRULE(this.describeStmt) },
        { GATE: () => this.LA(2).tokenType === T.StringLiteral, ALT: () => this.SUBRULE(this.testStmt) },
        { GATE: () => this.LA(2).tokenType === T.Colon, ALT: () => this.SUBRULE(this.setupStmt) },
        { ALT: () => this.SUBRULE(this.expectStmt) },
      ],
    });
  }
  return TestsSyntax;
}
