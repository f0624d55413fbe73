// Containers and interfaces: `create container`, `create interface`, `create new … as`.
import type { Stmt } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";
import type { Frame } from "../../runtime/frame.js";
import { type Value } from "../../runtime/values.js";
import { BlockScope, FunctionScope } from "../../compiler/scope.js";
import { type CExpr, type CStmt, NOOP, combine, readBinding } from "../../compiler/closures.js";
import type { Compiler } from "../../compiler/compile.js";
import { ContainerValue, InstanceValue, type Method } from "../../runtime/container.js";
import type { StmtCompilers } from "../../compiler/tables.js";
import type { ContainersStmt } from "./nodes.js";

export function containerDef(c: Compiler, s: Stmt & { kind: "ContainerDef" }, scope: BlockScope): CStmt {
  const parentInfo = s.parent ? c.containerInfo.get(s.parent) : null;
  if (s.parent && !parentInfo) c.error(`Container '${s.name}' extends '${s.parent}', which is not defined before it`, s.span);
  const inherited: string[] = [];
  const inheritedMethods = new Set<string>();
  for (let p = parentInfo; p; p = p.parent ? c.containerInfo.get(p.parent) ?? null : null) {
    inherited.push(...p.props);
    p.methods.forEach((m) => inheritedMethods.add(m));
  }
  const allProps = [...new Set([...inherited, ...s.properties.map((p) => p.name)])];
  const methodNames = new Set([...inheritedMethods, ...s.methods.map((m) => m.name)]);
  c.containerInfo.set(s.name, { parent: s.parent, props: allProps, methods: new Set(methodNames) });
  // Interfaces are checked when the container is defined.
  for (const iname of s.interfaces) {
    const missing = requiredActions(c, iname, s.span).filter((r) => !methodNames.has(r));
    if (missing.length > 0) {
      c.error(`Container '${s.name}' does not satisfy interface '${iname}': missing required action '${missing[0]}'`, s.span);
    }
  }
  const parentBinding = s.parent ? scope.lookup(s.parent) : undefined;
  const readParent = parentBinding ? readBinding(parentBinding, scope, s.span).fn as (f: Frame) => Value : () => null;
  const props = s.properties.map((p) => ({
    name: p.name,
    initial: p.defaultValue ? (c.expr(p.defaultValue, scope).fn as (f: Frame) => Value) : null,
  }));
  const methods = new Map<string, Method>();
  for (const m of s.methods) {
    const fnScope = new FunctionScope(scope.fn, `${s.name}.${m.name}`);
    const selfSlot = fnScope.allocate();
    const inner = new BlockScope(fnScope, scope);
    for (const p of allProps) inner.names.set(p, { kind: "prop", slot: selfSlot, fn: fnScope, name: p, constant: false });
    for (const p of m.params) inner.names.set(p.name, { kind: "var", slot: fnScope.allocate(), fn: fnScope, constant: false, name: p.name });
    const method: Method = { name: m.name, paramCount: m.params.length, frameSize: 0, body: () => undefined, isAsync: false };
    methods.set(m.name, method);
    c.pendingActions[c.pendingActions.length - 1]!.push(() => {
      const body = c.block(m.body, new BlockScope(fnScope, inner));
      method.body = body.fn;
      method.isAsync = body.async;
      method.frameSize = fnScope.size;
    });
  }
  const name = s.name;
  const value: CExpr = {
    fn: (f) => new ContainerValue(name, readParent(f) as ContainerValue | null, props, methods, f),
    async: false,
  };
  return c.declareCompiled(s.name, s.span, value, scope);
}

export function requiredActions(c: Compiler, iname: string, span: Span, seen = new Set<string>()): string[] {
  const info = c.interfaceInfo.get(iname);
  if (!info) {
    c.error(`Interface '${iname}' is not defined`, span);
    return [];
  }
  if (seen.has(iname)) return [];
  seen.add(iname);
  return [...info.requires, ...info.parents.flatMap((p) => requiredActions(c, p, span, seen))];
}

export function interfaceDef(c: Compiler, s: Stmt & { kind: "InterfaceDef" }): CStmt | null {
  c.interfaceInfo.set(s.name, { parents: s.parents, requires: s.requires.map((r) => r.name) });
  return null;
}

export function createInstance(c: Compiler, s: Stmt & { kind: "CreateInstance" }, scope: BlockScope): CStmt {
  const cb = scope.lookup(s.container);
  const info = c.containerInfo.get(s.container);
  if (!cb || !info) {
    c.error(`There is no container called '${s.container}'`, s.span);
    return NOOP;
  }
  for (const v of s.values) {
    if (!info.props.includes(v.key)) c.error(`Container '${s.container}' has no property '${v.key}'`, v.span);
  }
  const readContainer = readBinding(cb, scope, s.span).fn as (f: Frame) => Value;
  const values = s.values.map((v) => ({ key: v.key, value: c.expr(v.value, scope) }));
  const build = combine(values.map((v) => v.value), (vals) => vals);
  const make = (f: Frame, vals: Value[]): Value => {
    const c = readContainer(f) as ContainerValue;
    const inst = new InstanceValue(c);
    const chain: ContainerValue[] = [];
    for (let x: ContainerValue | null = c; x; x = x.parent) chain.unshift(x);
    for (const x of chain) for (const p of x.properties) inst.props.set(p.name, p.initial ? p.initial(x.closure) : null);
    vals.forEach((v, i) => inst.props.set(values[i]!.key, v));
    return inst;
  };
  const value: CExpr = build.async
    ? { fn: async (f) => make(f, (await build.fn(f)) as Value[]), async: true }
    : { fn: (f) => make(f, build.fn(f) as Value[]), async: false };
  return c.declareCompiled(s.name, s.nameSpan, value, scope);
}

export const containersCompilers: StmtCompilers<ContainersStmt> = {
  ContainerDef: containerDef,
  InterfaceDef: (c, s) => interfaceDef(c, s),
  CreateInstance: createInstance,
  Trigger: () => null, // events have no handlers yet; triggering one does nothing
};
