// The abstract syntax tree. Every node carries the source span it came from. The core language's
// nodes are here; each feature room declares its own in src/features/<area>/nodes.ts, and the
// unions below list the rooms (adding a room's nodes is one line in each).
import type { Span } from "./span.js";
import type { ErrorKind } from "../diagnostics/catalogue.js";
import type { TestsStmt } from "../features/tests/nodes.js";
import type { ContainersStmt } from "../features/containers/nodes.js";
import type { PatternsStmt, PatternsExpr } from "../features/patterns/nodes.js";
import type { TimeExpr } from "../features/time/nodes.js";
import type { ModulesStmt } from "../features/modules/nodes.js";
import type { FilesStmt, FilesExpr } from "../features/files/nodes.js";
import type { WebExpr, WebStmt } from "../features/web/nodes.js";
import type { DatabaseStmt, DatabaseExpr } from "../features/database/nodes.js";
import type { ProcessStmt, ProcessExpr } from "../features/process/nodes.js";
import type { ObjectsExpr } from "../features/objects/nodes.js";

import type { CryptoExpr } from "../features/crypto/nodes.js";
import type { TemplatesExpr } from "../features/templates/nodes.js";
import type { RateLimitExpr, RateLimitStmt } from "../features/ratelimit/nodes.js";
import type { MailExpr, MailStmt } from "../features/mail/nodes.js";
import type { HttpClientStmt } from "../features/httpclient/nodes.js";
import type { ResponsesStmt } from "../features/responses/nodes.js";
import type { SessionsStmt, SessionsExpr } from "../features/sessions/nodes.js";
import type { RoutesStmt, RoutesExpr } from "../features/routes/nodes.js";
export type { Assertion } from "../features/tests/nodes.js";
export type { ContainerMethod, ContainerProperty, InterfaceRequirement } from "../features/containers/nodes.js";
export type { FileQueryOp, FileOpKind } from "../features/files/nodes.js";

export type Expr = CoreExpr | WebExpr | PatternsExpr | TimeExpr | FilesExpr | DatabaseExpr | ProcessExpr | ObjectsExpr | CryptoExpr | TemplatesExpr | RateLimitExpr | MailExpr
  | SessionsExpr | RoutesExpr;

export type Stmt = CoreStmt | TestsStmt | ContainersStmt | PatternsStmt | ModulesStmt | FilesStmt | WebStmt | DatabaseStmt | ProcessStmt | RateLimitStmt | MailStmt
  | HttpClientStmt | ResponsesStmt | SessionsStmt | RoutesStmt;

/** The core language's values. */
export type CoreExpr =
  | { kind: "Number"; value: number; span: Span }
  | { kind: "Text"; value: string; span: Span }
  | { kind: "Boolean"; value: boolean; span: Span }
  | { kind: "Nothing"; span: Span }
  | { kind: "ListLit"; items: Expr[]; span: Span }
  | { kind: "Var"; name: string; span: Span }
  | { kind: "Binary"; op: BinaryOp; left: Expr; right: Expr; span: Span; opSpan: Span }
  | { kind: "Logical"; op: "and" | "or"; left: Expr; right: Expr; span: Span }
  | { kind: "Not"; operand: Expr; span: Span }
  | { kind: "Negate"; operand: Expr; span: Span }
  | { kind: "Concat"; left: Expr; right: Expr; span: Span }
  | { kind: "Between"; value: Expr; low: Expr; high: Expr; span: Span }
  /** `f of a and b`, `call f with a`, `push with L and v`. */
  | { kind: "Call"; callee: string; calleeSpan: Span; args: Expr[]; style: "of" | "with" | "call"; span: Span }
  /** A call whose callee is computed (`handler of x` where handler is a variable is still a Call). */
  | { kind: "Index"; target: Expr; index: Expr; span: Span }
  | { kind: "Member"; target: Expr; name: string; span: Span }
  | { kind: "MethodCall"; target: Expr; name: string; args: Expr[]; span: Span }
  | { kind: "EmptyList"; span: Span }
  | { kind: "EmptyMap"; span: Span };

export type BinaryOp =
  | "+" | "-" | "*" | "/" | "%"
  | "==" | "!=" | ">" | "<" | ">=" | "<="
  | "contains" | "starts with" | "ends with" | "matches" | "not matches";

export interface Param {
  name: string;
  nameSpan: Span;
  type: string | null;
  defaultValue: Expr | null;
  span: Span;
}

/** `when <phrase>:`, `catch:` or `otherwise:` in a `try`. */
export type HandlerKind = "when" | "catch" | "otherwise";

export interface Handler {
  kind: HandlerKind;
  /** For `when`: the words after it (`file not found`), their span, and the error kind they name
   * (src/diagnostics/catalogue.ts): "any", a kind, or null when they name none. */
  phrase: string | null;
  phraseSpan: Span | null;
  catches: ErrorKind | "any" | null;
  bind: string | null;
  bindSpan?: Span;
  body: Stmt[];
  span: Span;
}

export interface RouteArm {
  /** Empty for `otherwise`. */
  matchers: { mode: "equals" | "contains" | "one of" | "starts with" | "ends with"; value: Expr }[];
  body: Stmt[];
  span: Span;
}

/** The core language's statements. */
export type CoreStmt =
  | { kind: "Store"; name: string; nameSpan: Span; value: Expr; constant: boolean; span: Span }
  | { kind: "Change"; target: Expr; value: Expr; span: Span }
  | { kind: "Display"; values: Expr[]; span: Span }
  | { kind: "If"; cond: Expr; then: Stmt[]; otherwise: Stmt[] | null; span: Span }
  | { kind: "CountLoop"; from: Expr; to: Expr; step: Expr | null; down: boolean; varName: string; varNameSpan: Span | null; body: Stmt[]; span: Span }
  | { kind: "ForEach"; name: string; nameSpan: Span; iterable: Expr; reversed: boolean; body: Stmt[]; span: Span }
  | { kind: "While"; cond: Expr; until: boolean; body: Stmt[]; span: Span }
  | { kind: "DoUntil"; cond: Expr; body: Stmt[]; span: Span }
  | { kind: "Forever"; body: Stmt[]; span: Span }
  | { kind: "Break"; span: Span }
  | { kind: "Continue"; span: Span }
  | { kind: "ExitLoop"; span: Span }
  /** `exit program` (code null: status 0) or `exit with code N`. */
  | { kind: "ExitProgram"; code: Expr | null; span: Span }
  | { kind: "ActionDef"; name: string; nameSpan: Span; params: Param[]; returnType: string | null; body: Stmt[]; span: Span }
  | { kind: "Return"; value: Expr | null; span: Span }
  | { kind: "ExprStmt"; expr: Expr; span: Span }
  | { kind: "Try"; body: Stmt[]; handlers: Handler[]; finally: Stmt[] | null; span: Span }
  | { kind: "Route"; subject: Expr; arms: RouteArm[]; otherwise: Stmt[] | null; span: Span }
  | { kind: "AddTo"; value: Expr; target: Expr; span: Span }
  | { kind: "SubtractFrom"; value: Expr; target: Expr; span: Span }
  | { kind: "MultiplyBy"; target: Expr; value: Expr; span: Span }
  | { kind: "DivideBy"; target: Expr; value: Expr; span: Span }
  | { kind: "RemoveFrom"; value: Expr; target: Expr; span: Span }
  | { kind: "Clear"; target: Expr; span: Span }
  | { kind: "CreateList"; name: string; nameSpan: Span; items: Expr[]; span: Span }
  | { kind: "CreateMap"; name: string; nameSpan: Span; entries: { key: string; value: Expr }[]; span: Span }
  | { kind: "WaitDuration"; amount: Expr; unit: "seconds" | "milliseconds"; span: Span }
  | { kind: "WaitFor"; stmt: Stmt; span: Span }
  | { kind: "Export"; span: Span };

export interface Program {
  body: Stmt[];
  source: string;
  file: string;
}
