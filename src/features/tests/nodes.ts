// The syntax tree nodes of the tests room.
import type { Expr, Stmt } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";

export type Assertion =
  | { kind: "equal"; expected: Expr }
  | { kind: "greater"; expected: Expr }
  | { kind: "less"; expected: Expr }
  | { kind: "greaterEq"; expected: Expr }
  | { kind: "lessEq"; expected: Expr }
  | { kind: "exist" }
  | { kind: "contain"; expected: Expr }
  | { kind: "empty" }
  | { kind: "length"; expected: Expr }
  | { kind: "type"; expected: Expr }
  | { kind: "truthy"; expected: boolean };

export type TestsStmt =
  | { kind: "Describe"; name: Expr; body: Stmt[]; span: Span }
  | { kind: "Test"; name: Expr; body: Stmt[]; span: Span }
  | { kind: "Setup"; body: Stmt[]; teardown: boolean; span: Span }
  | { kind: "Expect"; subject: Expr; negated: boolean; assertion: Assertion; span: Span };

/** Statements that always wait (they compile to asynchronous code; see src/features/waits.ts). */
export const testsWaits: TestsStmt["kind"][] = ["Describe", "Test"];
