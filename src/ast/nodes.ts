// The abstract syntax tree. Every node carries the source span it came from.
import type { Span } from "./span.js";
import type { ErrorKind } from "../diagnostics/catalogue.js";

export type Expr =
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
  | { kind: "CurrentTimeMs"; span: Span }
  | { kind: "CurrentTimeFormatted"; format: Expr; span: Span }
  | { kind: "PatternFind"; pattern: Expr; text: Expr; span: Span }
  | { kind: "PatternReplace"; pattern: Expr; replacement: Expr; text: Expr; span: Span }
  | { kind: "PatternSplit"; text: Expr; separator: Expr; byPattern: boolean; span: Span }
  | { kind: "EmptyList"; span: Span }
  | { kind: "EmptyMap"; span: Span }
  /** `read content from h`, `file exists at p`, `list files in d …`, … */
  | { kind: "ProcessRunning"; process: Expr; span: Span }
  /** `query db with SQL [and parameters L]` (rows) / `execute db with SQL [and parameters L]` (a summary). */
  | { kind: "DbQuery"; execute: boolean; db: Expr; sql: Expr; params: Expr | null; span: Span }
  | { kind: "FileQuery"; op: FileQueryOp; args: Expr[]; recursive: boolean; filter: "extension" | "extensions" | "pattern" | null; span: Span };

export type FileQueryOp = "readContent" | "readBinary" | "readBytes" | "fileExists" | "dirExists" | "listFiles" | "fileSize";
export type FileOpKind =
  | "open" | "openRead" | "close" | "write" | "append" | "writeBinary" | "createFile" | "createDir" | "deleteFile" | "deleteDir";

export type BinaryOp =
  | "+" | "-" | "*" | "/" | "%"
  | "==" | "!=" | ">" | "<" | ">=" | "<="
  | "contains" | "starts with" | "ends with" | "matches" | "not matches";

export interface Param {
  name: string;
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
  body: Stmt[];
  span: Span;
}

export interface RouteArm {
  /** Empty for `otherwise`. */
  matchers: { mode: "equals" | "contains" | "one of" | "starts with" | "ends with"; value: Expr }[];
  body: Stmt[];
  span: Span;
}

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

export type Stmt =
  | { kind: "Store"; name: string; nameSpan: Span; value: Expr; constant: boolean; span: Span }
  | { kind: "Change"; target: Expr; value: Expr; span: Span }
  | { kind: "Display"; values: Expr[]; span: Span }
  | { kind: "If"; cond: Expr; then: Stmt[]; otherwise: Stmt[] | null; span: Span }
  | { kind: "CountLoop"; from: Expr; to: Expr; step: Expr | null; down: boolean; varName: string; body: Stmt[]; span: Span }
  | { kind: "ForEach"; name: string; iterable: Expr; reversed: boolean; body: Stmt[]; span: Span }
  | { kind: "While"; cond: Expr; until: boolean; body: Stmt[]; span: Span }
  | { kind: "DoUntil"; cond: Expr; body: Stmt[]; span: Span }
  | { kind: "Forever"; body: Stmt[]; span: Span }
  | { kind: "MainLoop"; body: Stmt[]; span: Span }
  | { kind: "Break"; span: Span }
  | { kind: "Continue"; span: Span }
  | { kind: "ExitLoop"; span: Span }
  | { kind: "ExitProgram"; span: Span }
  | { kind: "ActionDef"; name: string; nameSpan: Span; params: Param[]; returnType: string | null; body: Stmt[]; span: Span }
  | { kind: "Return"; value: Expr | null; span: Span }
  | { kind: "ExprStmt"; expr: Expr; span: Span }
  | { kind: "Try"; body: Stmt[]; handlers: Handler[]; finally: Stmt[] | null; span: Span }
  | { kind: "Route"; subject: Expr; arms: RouteArm[]; otherwise: Stmt[] | null; span: Span }
  | { kind: "Describe"; name: Expr; body: Stmt[]; span: Span }
  | { kind: "Test"; name: Expr; body: Stmt[]; span: Span }
  | { kind: "Setup"; body: Stmt[]; teardown: boolean; span: Span }
  | { kind: "Expect"; subject: Expr; negated: boolean; assertion: Assertion; span: Span }
  | { kind: "AddTo"; value: Expr; target: Expr; span: Span }
  | { kind: "SubtractFrom"; value: Expr; target: Expr; span: Span }
  | { kind: "MultiplyBy"; target: Expr; value: Expr; span: Span }
  | { kind: "DivideBy"; target: Expr; value: Expr; span: Span }
  | { kind: "RemoveFrom"; value: Expr; target: Expr; span: Span }
  | { kind: "Clear"; target: Expr; span: Span }
  | { kind: "CreateList"; name: string; items: Expr[]; span: Span }
  | { kind: "CreateMap"; name: string; entries: { key: string; value: Expr }[]; span: Span }
  | { kind: "CreatePattern"; name: string; body: string; bodyOffset: number; span: Span }
  | { kind: "Include"; path: string; isolated: boolean; span: Span }
  | { kind: "ExecuteFile"; path: Expr; request: Expr | null; output: string | null; span: Span }
  | { kind: "WaitDuration"; amount: Expr; unit: "seconds" | "milliseconds"; span: Span }
  | { kind: "WaitFor"; stmt: Stmt; span: Span }
  | { kind: "Export"; span: Span }
  | { kind: "ContainerDef"; name: string; parent: string | null; interfaces: string[]; properties: ContainerProperty[]; methods: ContainerMethod[]; events: string[]; span: Span }
  | { kind: "InterfaceDef"; name: string; parents: string[]; requires: InterfaceRequirement[]; span: Span }
  | { kind: "CreateInstance"; container: string; name: string; nameSpan: Span; values: { key: string; value: Expr; span: Span }[]; span: Span }
  | { kind: "Trigger"; event: string; span: Span }
  | { kind: "Listen"; port: Expr; name: string; websockets: boolean; span: Span }
  | { kind: "OnWebSocket"; event: "connect" | "message" | "disconnect"; server: Expr; name: string; body: Stmt[]; span: Span }
  | { kind: "WebSocketSend"; broadcast: boolean; message: Expr; target: Expr; span: Span }
  | { kind: "WaitRequest"; server: Expr; name: string; timeout: Expr | null; span: Span }
  | { kind: "Respond"; request: Expr; content: Expr; status: Expr | null; contentType: Expr | null; headers: Expr | null; span: Span }
  | { kind: "ServerOp"; op: "close" | "stop"; server: Expr; span: Span }
  | { kind: "RegisterSignal"; signal: string; handler: string; span: Span }
  /** `wait for execute|spawn command C [with arguments L] [using shell] [as v]`. */
  | { kind: "OpenDatabase"; url: Expr; name: string; span: Span }
  | { kind: "CloseDatabase"; db: Expr; span: Span }
  | { kind: "Transaction"; db: Expr; body: Stmt[]; span: Span }
  | { kind: "RunCommand"; spawn: boolean; command: Expr; args: Expr | null; shell: boolean; name: string | null; span: Span }
  /** `wait for process p to complete [as v]`, `wait for read output from process p as v`, `kill process p`. */
  | { kind: "ProcessOp"; op: "wait" | "read" | "kill"; process: Expr; name: string | null; span: Span }
  /** File statements: `open file at p for writing as h`, `write content x into h`, `close file h`, … */
  | { kind: "FileOp"; op: FileOpKind; args: Expr[]; name: string | null; mode: "read" | "write" | "append"; binary: boolean; span: Span };

export interface ContainerMethod {
  name: string;
  params: Param[];
  returnType: string | null;
  body: Stmt[];
  span: Span;
}

export interface ContainerProperty {
  name: string;
  type: string | null;
  defaultValue: Expr | null;
  span: Span;
}

export interface InterfaceRequirement {
  name: string;
  params: Param[];
  span: Span;
}

export interface Program {
  body: Stmt[];
  source: string;
  file: string;
}
