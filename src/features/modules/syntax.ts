// The grammar of `include from`, `load module from` and `execute wfl file`.
import * as T from "../../lexer/tokens.js";
import { K } from "../../parser/keywords.js";
import type { Span } from "../../ast/span.js";
import type { ParserClass } from "../../parser/core.js";
import { decodeString } from "../../parser/core.js";
import type { Expr, Stmt } from "../../ast/nodes.js";

export function modulesSyntax<B extends ParserClass>(Base: B) {
  abstract class ModulesSyntax extends Base {
    /** `include from "x.wfl"`: the file's definitions join the including scope. */
    includeStmt = this.RULE("includeStmt", (): Stmt => {
      const start = this.CONSUME(K.include);
      this.CONSUME(K.from);
      const pathTok = this.CONSUME(T.StringLiteral);
      this.eos();
      return { kind: "Include", path: this.ACTION(() => decodeString(pathTok.image)), isolated: false, span: this.spanFrom(start) };
    });

    /**
     * `load module from "x.wfl"`: runs the file in an isolated child scope. The path may be any
     * expression (`load module from modules_dir + plugin + ".wfl"`); one that is not a plain text
     * is worked out, and the module loaded, when the statement runs.
     */
    loadModuleStmt = this.RULE("loadModuleStmt", (): Stmt => {
      const start = this.CONSUME(K.load);
      this.CONSUME(K.module);
      this.CONSUME(K.from);
      const path = this.SUBRULE(this.pathExpr);
      this.eos();
      return this.ACTION(() =>
        path.kind === "Text"
          ? { kind: "Include", path: path.value, isolated: true, span: this.spanFrom(start) }
          : { kind: "LoadModule", path, span: this.spanFrom(start) }) as Stmt;
    });

    /** `execute [wfl] file at P [with req] [and read output as v]`. */
    executeFileStmt = this.RULE("executeFileStmt", (): Stmt => {
      const start = this.CONSUME(K.execute);
      this.OPTION(() => this.word(1, "wfl"));
      this.CONSUME(K.file);
      this.CONSUME(K.at);
      const path = this.SUBRULE(this.postfix);
      let request: Expr | null = null;
      let output: string | null = null;
      let outputSpan: Span | undefined;
      this.OPTION2(() => { this.CONSUME(K.with); request = this.SUBRULE2(this.postfix); });
      this.OPTION3(() => {
        this.CONSUME(K.and);
        this.word(2, "read");
        this.word(3, "output");
        this.CONSUME(K.as);
        output = this.SUBRULE(this.identifier);
        outputSpan = this.lastNameSpan;
      });
      this.eos();
      return { kind: "ExecuteFile", path, request, output, outputSpan, span: this.spanFrom(start) };
    });

    protected readonly modulesTables = this.contribute({
      statements: [
        { ALT: () => this.SUBRULE(this.includeStmt) },
        { ALT: () => this.SUBRULE(this.loadModuleStmt) },
        { GATE: () => this.LA(2).tokenType === K.file || (this.isWord(2, "wfl") && this.LA(3).tokenType === K.file), ALT: () => this.SUBRULE(this.executeFileStmt) },
      ],
    });
  }
  return ModulesSyntax;
}
