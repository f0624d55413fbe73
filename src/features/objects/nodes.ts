// The syntax tree nodes of the objects room.
import type { Expr } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";

export type ObjectsExpr =
  /** `field "name" of row` (or `field col of row`, col a variable): one entry of a map. */
  | { kind: "FieldOf"; field: Expr; target: Expr; span: Span };
