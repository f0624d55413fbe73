// The syntax tree nodes of the objects room: building a map in one expression and reading a field.
import type { Expr } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";

export type ObjectsExpr =
  /** `create object [with "k" as v and "k2" as v2 …]`: a new map (keys are text). */
  | { kind: "ObjectLit"; entries: { key: Expr; value: Expr }[]; span: Span }
  /** `field "k" of obj`: the value under key k, or `nothing` when obj has no such key. */
  | { kind: "FieldOf"; key: Expr; target: Expr; span: Span };
