// The syntax tree nodes of the modules room.
import type { Expr } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";

export type ModulesStmt =
  /** `include from "x.wfl"`, or `load module from "x.wfl"` (isolated): a path known before running. */
  | { kind: "Include"; path: string; isolated: boolean; span: Span }
  /** `load module from EXPR` with a computed path: loaded when it runs (it reads the caller's variables). */
  | { kind: "LoadModule"; path: Expr; span: Span }
  | { kind: "ExecuteFile"; path: Expr; request: Expr | null; output: string | null; outputSpan?: Span; span: Span };

/** Statements that always wait (they compile to asynchronous code; see src/features/waits.ts). */
export const modulesWaits: ModulesStmt["kind"][] = ["ExecuteFile", "LoadModule"];
