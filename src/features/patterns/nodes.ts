// The syntax tree nodes of the patterns room.
import type { Expr } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";

export type PatternsStmt =
  | { kind: "CreatePattern"; name: string; nameSpan: Span; body: string; bodyOffset: number; span: Span };

export type PatternsExpr =
  | { kind: "PatternFind"; pattern: Expr; text: Expr; span: Span }
  | { kind: "PatternReplace"; pattern: Expr; replacement: Expr; text: Expr; span: Span }
  | { kind: "PatternSplit"; text: Expr; separator: Expr; byPattern: boolean; span: Span };
