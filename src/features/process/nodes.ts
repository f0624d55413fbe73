// The syntax tree nodes of the process room.
import type { Expr } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";

export type ProcessStmt =
  | { kind: "RunCommand"; spawn: boolean; command: Expr; args: Expr | null; shell: boolean; name: string | null; nameSpan?: Span; span: Span }
  /** `wait for process p to complete [as v]`, `wait for read output from process p as v`, `kill process p`. */
  | { kind: "ProcessOp"; op: "wait" | "read" | "kill"; process: Expr; name: string | null; nameSpan?: Span; span: Span };

export type ProcessExpr =
  /** `read content from h`, `file exists at p`, `list files in d …`, … */
  | { kind: "ProcessRunning"; process: Expr; span: Span };

/** Statements that always wait (they compile to asynchronous code; see src/features/waits.ts). */
export const processWaits: ProcessStmt["kind"][] = ["RunCommand", "ProcessOp"];
