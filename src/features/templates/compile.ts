// Templates: each form calls the runtime in src/stdlib/templates/ (synchronous: nunjucks renders
// without waiting, and loading reads the folder once).
import type { Expr } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";
import type { BlockScope } from "../../compiler/scope.js";
import { combine, type CExpr } from "../../compiler/closures.js";
import type { Compiler } from "../../compiler/compile.js";
import type { ExprCompilers } from "../../compiler/tables.js";
import type { Value } from "../../runtime/values.js";
import * as templates from "../../stdlib/templates/index.js";
import type { TemplatesExpr } from "./nodes.js";

function at(c: Compiler, span: Span, operands: Expr[], scope: BlockScope, run: (v: Value[]) => Value): CExpr {
  const rt = c.rt;
  return combine(operands.map((o) => c.expr(o, scope)), (vals) => rt.located(span, () => run(vals)));
}

export const templatesExpressions: ExprCompilers<TemplatesExpr> = {
  LoadTemplates: (c, e, scope) => at(c, e.span, [e.dir], scope, ([d]) => templates.loadTemplates(d!)),
  RenderTemplate: (c, e, scope) => at(c, e.span, [e.name, e.data, e.engine], scope, ([n, d, en]) => templates.renderTemplate(n!, d!, en!)),
  RenderTemplateString: (c, e, scope) => at(c, e.span, [e.source, e.data], scope, ([s, d]) => templates.renderTemplateString(s!, d!)),
};
