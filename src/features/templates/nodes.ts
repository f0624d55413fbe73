// The syntax tree nodes of the templates room (seed 003, section 3.7).
import type { Expr } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";

export type TemplatesExpr =
  /** `load templates from "dir/"`. */
  | { kind: "LoadTemplates"; dir: Expr; span: Span }
  /** `render template NAME with DATA using ENGINE`. */
  | { kind: "RenderTemplate"; name: Expr; data: Expr; engine: Expr; span: Span }
  /** `render template string SOURCE with DATA`. */
  | { kind: "RenderTemplateString"; source: Expr; data: Expr; span: Span };
