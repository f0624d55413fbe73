// What makes code wait, and how to walk the AST. Which actions can wait (and so must compile to
// async functions) is found before compiling by the resolver (src/analysis/resolve.ts), a fixpoint
// over the call graph across included files, so every call site knows whether it needs `await`.
import type { Expr, Stmt } from "../ast/nodes.js";

/** Statement kinds that always compile to asynchronous code. */
export const WAITING_STMTS = new Set<Stmt["kind"]>(["WaitDuration", "WaitFor", "Describe", "Test", "ExecuteFile", "Listen", "WaitRequest", "MainLoop", "RunCommand", "ProcessOp"]);

/** Visit the expressions and nested statement lists of a statement. */
export function forEachChild(s: Stmt, onExpr: (e: Expr) => void, onBody: (b: Stmt[]) => void): void {
  switch (s.kind) {
    case "Store": onExpr(s.value); break;
    case "Change": onExpr(s.target); onExpr(s.value); break;
    case "Display": s.values.forEach(onExpr); break;
    case "If": onExpr(s.cond); onBody(s.then); if (s.otherwise) onBody(s.otherwise); break;
    case "CountLoop": onExpr(s.from); onExpr(s.to); if (s.step) onExpr(s.step); onBody(s.body); break;
    case "ForEach": onExpr(s.iterable); onBody(s.body); break;
    case "While": case "DoUntil": onExpr(s.cond); onBody(s.body); break;
    case "Forever": case "MainLoop": onBody(s.body); break;
    case "ActionDef": onBody(s.body); break;
    case "Return": if (s.value) onExpr(s.value); break;
    case "ExprStmt": onExpr(s.expr); break;
    case "Try": onBody(s.body); s.handlers.forEach((h) => onBody(h.body)); if (s.finally) onBody(s.finally); break;
    case "Route": onExpr(s.subject); s.arms.forEach((a) => { a.matchers.forEach((m) => onExpr(m.value)); onBody(a.body); }); if (s.otherwise) onBody(s.otherwise); break;
    case "Describe": case "Test": onExpr(s.name); onBody(s.body); break;
    case "Setup": onBody(s.body); break;
    case "Expect": onExpr(s.subject); if ("expected" in s.assertion && typeof s.assertion.expected !== "boolean") onExpr(s.assertion.expected); break;
    case "AddTo": case "SubtractFrom": case "MultiplyBy": case "DivideBy": case "RemoveFrom": onExpr(s.value); onExpr(s.target); break;
    case "Clear": onExpr(s.target); break;
    case "CreateList": s.items.forEach(onExpr); break;
    case "CreateMap": s.entries.forEach((e) => onExpr(e.value)); break;
    case "WaitDuration": onExpr(s.amount); break;
    case "WaitFor": forEachChild(s.stmt, onExpr, onBody); break;
    case "FileOp": s.args.forEach(onExpr); break;
    case "ContainerDef": s.properties.forEach((p) => p.defaultValue && onExpr(p.defaultValue)); s.methods.forEach((m) => onBody(m.body)); break;
    case "CreateInstance": s.values.forEach((v) => onExpr(v.value)); break;
    case "InterfaceDef": case "Trigger": break;
    case "ExecuteFile": onExpr(s.path); if (s.request) onExpr(s.request); break;
    case "Listen": onExpr(s.port); break;
    case "WaitRequest": onExpr(s.server); if (s.timeout) onExpr(s.timeout); break;
    case "Respond": [s.request, s.content, s.status, s.contentType, s.headers].forEach((e) => e && onExpr(e)); break;
    case "ServerOp": onExpr(s.server); break;
    case "RegisterSignal": break;
    case "RunCommand": onExpr(s.command); if (s.args) onExpr(s.args); break;
    case "ProcessOp": onExpr(s.process); break;
    case "OnWebSocket": onExpr(s.server); onBody(s.body); break;
    case "OpenDatabase": onExpr(s.url); break;
    case "CloseDatabase": onExpr(s.db); break;
    case "Transaction": onExpr(s.db); onBody(s.body); break;
    case "WebSocketSend": onExpr(s.message); onExpr(s.target); break;
    case "CreatePattern": case "Include": case "Break": case "Continue": case "ExitLoop": case "ExitProgram": case "Export": break;
  }
}

export function forEachExprChild(e: Expr, on: (e: Expr) => void): void {
  switch (e.kind) {
    case "ListLit": e.items.forEach(on); break;
    case "Binary": case "Logical": case "Concat": on(e.left); on(e.right); break;
    case "Not": case "Negate": on(e.operand); break;
    case "Between": on(e.value); on(e.low); on(e.high); break;
    case "Call": e.args.forEach(on); break;
    case "Index": on(e.target); on(e.index); break;
    case "Member": on(e.target); break;
    case "MethodCall": on(e.target); e.args.forEach(on); break;
    case "CurrentTimeFormatted": on(e.format); break;
    case "PatternFind": on(e.pattern); on(e.text); break;
    case "PatternReplace": on(e.pattern); on(e.replacement); on(e.text); break;
    case "PatternSplit": on(e.text); on(e.separator); break;
    case "FileQuery": e.args.forEach(on); break;
    case "ProcessRunning": on(e.process); break;
    case "DbQuery": on(e.db); on(e.sql); if (e.params) on(e.params); break;
    default: break;
  }
}
