// The syntax tree nodes of the time room.
import type { Expr } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";

export type TimeExpr =
  | { kind: "CurrentTimeMs"; span: Span }
  | { kind: "CurrentTimeFormatted"; format: Expr; span: Span };
