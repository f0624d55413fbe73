// The grammar of templates, as the WFLHub requirements write it (seed 003, section 3.7):
// `load templates from "dir/"`, `render template NAME with DATA using ENGINE`,
// `render template string SOURCE with DATA`. All are values.
import { K } from "../../parser/keywords.js";
import type { ParserClass } from "../../parser/core.js";
import type { Expr } from "../../ast/nodes.js";

const USING: ReadonlySet<string> = new Set(["using"]);

export function templatesSyntax<B extends ParserClass>(Base: B) {
  abstract class TemplatesSyntax extends Base {
    /** `load templates from DIR`. */
    loadTemplatesExpr = this.RULE("loadTemplatesExpr", (): Expr => {
      const start = this.CONSUME(K.load);
      this.word(1, "templates");
      this.CONSUME(K.from);
      // A path, joins included (`load templates from script_directory with "/_templates/"`).
      const dir = this.withArgsMode(false, () => this.SUBRULE(this.pathExpr));
      return { kind: "LoadTemplates", dir, span: this.spanFrom(start) };
    });

    /** `render template NAME with DATA using ENGINE`, `render template string SOURCE with DATA`. */
    renderTemplateExpr = this.RULE("renderTemplateExpr", (): Expr => {
      const start = this.word(1, "render");
      this.word(2, "template");
      return this.OR([
        {
          GATE: () => this.isWord(1, "string") && this.LA(2).tokenType !== K.with,
          ALT: () => {
            this.word(3, "string");
            const source = this.withArgsMode(true, () => this.SUBRULE(this.additive));
            this.CONSUME(K.with);
            const data = this.withArgsMode(true, () => this.SUBRULE2(this.additive));
            return { kind: "RenderTemplateString", source, data, span: this.spanFrom(start) } as Expr;
          },
        },
        {
          ALT: () => {
            const name = this.withArgsMode(true, () => this.SUBRULE3(this.additive));
            this.CONSUME2(K.with);
            const data = this.withIdentifierStops(USING, () => this.withArgsMode(true, () => this.SUBRULE4(this.additive)));
            this.word(4, "using");
            const engine = this.SUBRULE(this.postfix);
            return { kind: "RenderTemplate", name, data, engine, span: this.spanFrom(start) } as Expr;
          },
        },
      ]);
    });

    protected readonly templatesTables = this.contribute({
      primaries: [
        { GATE: () => this.LA(1).tokenType === K.load && this.isWord(2, "templates") && this.LA(3).tokenType === K.from, ALT: () => this.SUBRULE(this.loadTemplatesExpr) },
        { GATE: () => this.isWord(1, "render") && this.isWord(2, "template"), ALT: () => this.SUBRULE(this.renderTemplateExpr) },
      ],
    });
  }
  return TemplatesSyntax;
}
