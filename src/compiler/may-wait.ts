// Which actions can wait (and so must compile to async functions)? Found before compiling by a
// fixpoint over the call graph, so every call site knows whether it needs `await`.
import type { Expr, Stmt } from "../ast/nodes.js";
import type { Registry } from "../stdlib/registry.js";

/** Statement kinds that always compile to asynchronous code. */
const WAITING_STMTS = new Set<Stmt["kind"]>(["WaitDuration", "WaitFor", "Describe", "Test", "ExecuteFile", "Listen", "WaitRequest", "MainLoop", "RunCommand", "ProcessOp"]);

interface Facts {
  waits: boolean;
  calls: Set<string>;
  dynamic: boolean;
}

export function findMayWait(program: Stmt[], registry: Registry): Set<string> {
  const actions = new Map<string, Facts>();
  const names = new Set<string>();
  collectNames(program, names);
  const visitBody = (body: Stmt[], facts: Facts): void => {
    for (const s of body) visitStmt(s, facts);
  };
  const visitStmt = (s: Stmt, facts: Facts): void => {
    if (WAITING_STMTS.has(s.kind)) facts.waits = true;
    if (s.kind === "ActionDef") {
      const own: Facts = actions.get(s.name) ?? { waits: false, calls: new Set(), dynamic: false };
      actions.set(s.name, own);
      for (const p of s.params) if (p.defaultValue) visitExpr(p.defaultValue, own);
      visitBody(s.body, own);
      return;
    }
    if (s.kind === "ContainerDef") {
      for (const m of s.methods) {
        const own: Facts = { waits: false, calls: new Set(), dynamic: false };
        actions.set(`${s.name}.${m.name}`, own);
        visitBody(m.body, own);
      }
      return;
    }
    forEachChild(s, (e) => visitExpr(e, facts), (b) => visitBody(b, facts));
  };
  const visitExpr = (e: Expr, facts: Facts): void => {
    if (e.kind === "Call") {
      if (names.has(e.callee)) facts.calls.add(e.callee);
      else {
        const n = registry.functions.get(e.callee);
        if (n) { if (n.isAsync) facts.waits = true; }
        else facts.dynamic = true;
      }
    } else if (e.kind === "Var") {
      if (names.has(e.name)) facts.calls.add(e.name);
    } else if (e.kind === "MethodCall") {
      facts.dynamic = true;
    }
    forEachExprChild(e, (c) => visitExpr(c, facts));
  };
  visitBody(program, { waits: false, calls: new Set(), dynamic: false });

  const result = new Set<string>();
  for (const [n, f] of actions) if (f.waits) result.add(n);
  let changed = true;
  while (changed) {
    changed = false;
    for (const [n, f] of actions) {
      if (result.has(n)) continue;
      if ([...f.calls].some((c) => result.has(c)) || (f.dynamic && result.size > 0)) {
        result.add(n);
        changed = true;
      }
    }
  }
  return result;
}

function collectNames(body: Stmt[], out: Set<string>): void {
  for (const s of body) {
    if (s.kind === "ActionDef") {
      out.add(s.name);
      collectNames(s.body, out);
    } else {
      forEachChild(s, () => {}, (b) => collectNames(b, out));
    }
  }
}

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
