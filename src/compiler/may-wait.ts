// Which actions can wait (and so must compile to async functions)? Found before compiling by a
// fixpoint over the call graph, so every call site knows whether it needs `await`.
import type { Stmt } from "../ast/nodes.js";
import type { Registry } from "../stdlib/registry.js";
import { forEachChild, walk, type Node } from "../ast/walk.js";
import { FEATURE_WAITS } from "../features/compile.js";

/** Statement kinds that always compile to asynchronous code (the core's, and each room's). */
const WAITING_STMTS = new Set<string>(["WaitDuration", "WaitFor", ...FEATURE_WAITS]);

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
    for (const s of body) visit(s, facts);
  };
  const visit = (s: Node, facts: Facts): void => {
    if (WAITING_STMTS.has(s.kind)) facts.waits = true;
    if (s.kind === "ActionDef") {
      const own: Facts = actions.get(s.name) ?? { waits: false, calls: new Set(), dynamic: false };
      actions.set(s.name, own);
      for (const p of s.params) if (p.defaultValue) visit(p.defaultValue, own);
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
    if (s.kind === "Call") {
      if (names.has(s.callee)) facts.calls.add(s.callee);
      else {
        const native = registry.functions.get(s.callee);
        if (native) { if (native.isAsync) facts.waits = true; }
        else facts.dynamic = true;
      }
    } else if (s.kind === "Var") {
      if (names.has(s.name)) facts.calls.add(s.name);
    } else if (s.kind === "MethodCall") {
      facts.dynamic = true;
    }
    forEachChild(s, (c) => visit(c, facts));
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
    walk(s, (n) => {
      if (n.kind === "ActionDef") out.add(n.name);
    });
  }
}
