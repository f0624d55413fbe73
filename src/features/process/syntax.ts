// The grammar of subprocesses: `execute`/`spawn command`, `wait for process`, `kill process`.
import { type IToken } from "chevrotain";
import { K } from "../../parser/keywords.js";
import type { Span } from "../../ast/span.js";
import type { ParserClass } from "../../parser/core.js";
import type { Expr, Stmt } from "../../ast/nodes.js";

export function processSyntax<B extends ParserClass>(Base: B) {
  abstract class ProcessSyntax extends Base {
    /** After `wait for`: `execute|spawn command C [with arguments L] [using shell] [as v]`. */
    runCommandTail = this.RULE("runCommandTail", (start: IToken): Stmt => {
      const spawn = this.OR([
        { ALT: () => { this.CONSUME(K.execute); return false; } },
        { ALT: () => { this.CONSUME(K.spawn); return true; } },
      ]);
      this.word(0, "command");
      const command = this.SUBRULE(this.postfix);
      let args: Expr | null = null;
      let shell = false;
      let name: string | null = null;
      this.OPTION(() => { this.CONSUME(K.with); this.word(2, "arguments"); args = this.SUBRULE2(this.postfix); });
      this.OPTION2({ GATE: () => this.isWord(1, "using"), DEF: () => { this.word(3, "using"); this.word(4, "shell"); shell = true; } });
      let nameSpan: Span | undefined;
      this.OPTION3(() => { this.CONSUME(K.as); name = this.SUBRULE(this.identifier); nameSpan = this.lastNameSpan; });
      this.eos();
      return { kind: "RunCommand", spawn, command, args, shell, name, nameSpan, span: this.spanFrom(start) };
    });

    /** After `wait for`: `process p to complete [as v]` or `read output from process p as v`. */
    processWaitTail = this.RULE("processWaitTail", (start: IToken): Stmt => {
      const node = this.OR([
        {
          GATE: () => this.isWord(1, "process"),
          ALT: () => {
            this.word(0, "process");
            const proc = this.SUBRULE(this.primary);
            this.CONSUME(K.to);
            this.word(2, "complete");
            let name: string | null = null;
            let nameSpan: Span | undefined;
            this.OPTION(() => { this.CONSUME(K.as); name = this.SUBRULE(this.identifier); nameSpan = this.lastNameSpan; });
            return { kind: "ProcessOp", op: "wait", process: proc, name, nameSpan, span: this.spanFrom(start) } as Stmt;
          },
        },
        {
          ALT: () => {
            this.word(3, "read");
            this.word(4, "output");
            this.CONSUME(K.from);
            this.word(5, "process");
            const proc = this.SUBRULE2(this.primary);
            this.CONSUME2(K.as);
            const name = this.SUBRULE2(this.identifier);
            const nameSpan = this.lastNameSpan;
            return { kind: "ProcessOp", op: "read", process: proc, name, nameSpan, span: this.spanFrom(start) } as Stmt;
          },
        },
      ]);
      this.eos();
      return node;
    });

    /** `kill process p`. */
    killStmt = this.RULE("killStmt", (): Stmt => {
      const start = this.CONSUME(K.kill);
      this.word(0, "process");
      const proc = this.SUBRULE(this.primary);
      this.eos();
      return { kind: "ProcessOp", op: "kill", process: proc, name: null, span: this.spanFrom(start) };
    });

    /** `process p is running`. */
    processRunning = this.RULE("processRunning", (): Expr => {
      const start = this.word(1, "process");
      const proc = this.SUBRULE(this.namedValue);
      this.CONSUME(K.is);
      this.word(2, "running");
      return { kind: "ProcessRunning", process: proc, span: this.spanFrom(start) };
    });

    protected readonly processTables = this.contribute({
      statements: [
        { ALT: () => this.SUBRULE(this.killStmt) },
        // `execute command "ls" with arguments ["-la"] as result`: the same as with `wait for` in front.
        {
          GATE: () => (this.LA(1).tokenType === K.execute || this.LA(1).tokenType === K.spawn) && this.isWord(2, "command"),
          ALT: () => this.SUBRULE2(this.runCommandTail, { ARGS: [this.LA(1)] }),
        },
      ],
      primaries: [
        { GATE: () => this.isWord(1, "process") && this.LA(3).tokenType === K.is && this.isWord(4, "running"), ALT: () => this.SUBRULE(this.processRunning) },
      ],
      waitFor: [
        {
          GATE: () => (this.LA(1).tokenType === K.execute || this.LA(1).tokenType === K.spawn) && this.isWord(2, "command"),
          ALT: () => this.SUBRULE(this.runCommandTail, { ARGS: [this.waitStart!] }),
        },
        {
          GATE: () => (this.isWord(1, "process") && this.LA(3).tokenType === K.to) || (this.isWord(1, "read") && this.isWord(2, "output")),
          ALT: () => this.SUBRULE(this.processWaitTail, { ARGS: [this.waitStart!] }),
        },
      ],
    });
  }
  return ProcessSyntax;
}
