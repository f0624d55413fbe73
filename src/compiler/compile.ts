// AST → JavaScript closures, once per program. Names resolve to frame slots here, so running a
// program never looks a name up by string. Statements that can wait compile to async closures;
// everything else stays synchronous (see Docs/internals.md).
import type { CoreStmt, Expr, Stmt, Program } from "../ast/nodes.js";
import type { Span } from "../ast/span.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { type Frame, newFrame, Signal, ExitProgram, RET, FIRST_SLOT } from "../runtime/frame.js";
import { WflAction, type BodyFn, type Overload } from "../runtime/action.js";
import {
  type Value, WflObject, isTruthy, isList, isObject, typeName, valuesEqual, 
} from "../runtime/values.js";
import { formatValue } from "../runtime/display.js";
import { WflRuntimeError } from "../runtime/errors.js";
import * as ops from "../runtime/ops.js";
import { BlockScope, FunctionScope, type ActionInfo } from "./scope.js";
import type { NativeFunction, Registry } from "../stdlib/registry.js";
import type { Runtime } from "../runtime/runtime.js";
import { type Resolution, resolveProgram } from "../analysis/resolve.js";
import { limits } from "../runtime/memory.js";
import {
  type R, type CExpr, type CStmt, type Ex, type StmtResult, NOOP, NOTHING, loopExit, frameAt, readBinding, sequence, evalAll, combine,
  combineMaybe, map1, numberFastPath, twoLocalsFastPath,
} from "./closures.js";
import { concatText, getIndex, getMember, setIndex, setMember } from "../runtime/access.js";
import { InstanceValue } from "../runtime/container.js";
import { whenPhrases } from "../diagnostics/catalogue.js";
import { binaryOperation, checkCountBounds, compoundValue, forEachItems, negate } from "./operators.js";
import { fastLoop } from "./fast-loops.js";
import type { ExprCompiler, StmtCompiler, StmtCompilers } from "./tables.js";
import { FEATURE_EXPRESSIONS, FEATURE_STATEMENTS } from "../features/compile.js";

/** A source file being compiled (includes add more). */
export interface SourceUnit {
  file: string;
  source: string;
}

export interface CompiledProgram {
  readonly frameSize: number;
  readonly body: Ex;
  readonly async: boolean;
  readonly diagnostics: Diagnostic[];
  readonly hasTests: boolean;
  /** The frame slot of each top-level variable (the REPL reads them back after an entry runs). */
  readonly topLevel: ReadonlyMap<string, number>;
}

/** Loads and parses an included file; returns null (after reporting) when it cannot. */
export type IncludeLoader = (path: string, fromFile: string, span: Span) => Program | null;

/**
 * Compiles a program. Statement kinds with a feature of their own (containers, web, databases,
 * subprocesses, files, tests) are compiled by the module of that name; they reach this class's
 * members, which are therefore not private.
 */
export class Compiler {
  readonly diagnostics: Diagnostic[] = [];
  mayWait = new Set<string>();
  anyMayWait = false;
  pendingActions: (() => void)[][] = [];
  includeStack: string[] = [];
  hasTests = false;
  /** Inside a try body, an unknown name is a catchable runtime error rather than a compile error. */
  tryDepth = 0;
  /** Loops enclosing the code being compiled, within the current action. */
  loopDepth = 0;
  /** Containers and interfaces defined so far, for `extends` and interface checks. */
  containerInfo = new Map<string, { parent: string | null; props: string[]; methods: Set<string> }>();
  interfaceInfo = new Map<string, { parents: string[]; requires: string[] }>();
  /** The file whose AST is being compiled (for diagnostics of included files). */
  currentFile = "";
  /** The resolver's findings (src/analysis/): included programs, may-wait, `NAME with …` calls. */
  resolution!: Resolution;

  constructor(
    readonly rt: Runtime,
    readonly registry: Registry,
    private readonly loadInclude: IncludeLoader,
  ) {}

  compileProgram(program: Program, globals: Map<string, Value>, resolution?: Resolution): CompiledProgram {
    this.currentFile = program.file;
    this.includeStack.push(program.file);
    this.resolution = resolution ?? resolveProgram(program, { loadInclude: this.loadInclude, globals: globals.keys(), registry: this.registry });
    this.mayWait = new Set(this.resolution.mayWait);
    this.anyMayWait = this.mayWait.size > 0;
    const fn = new FunctionScope(null, "<main>");
    const scope = new BlockScope(fn, null);
    // Runtime globals (args, program_name, …) occupy the first slots.
    const inits: [number, Value][] = [];
    for (const [name, value] of globals) {
      const slot = fn.allocate();
      scope.names.set(name, { kind: "var", slot, fn, constant: false, name });
      inits.push([slot, value]);
    }
    const body = this.block(program.body, scope, true);
    const run = body.fn;
    const wrapped: Ex = (f) => {
      for (const [slot, v] of inits) f[slot] = v;
      return run(f);
    };
    // Undefined names, redefinitions, changing constants and includes are the resolver's to report.
    const diagnostics = [...this.resolution.diagnostics, ...this.diagnostics];
    const topLevel = new Map<string, number>();
    for (const [name, b] of scope.names) if (b.kind === "var") topLevel.set(name, b.slot);
    return { frameSize: fn.size, body: wrapped, async: body.async, diagnostics, hasTests: this.hasTests, topLevel };
  }

  // ── diagnostics ─────────────────────────────────────────────────────────

  error(message: string, span: Span): void {
    this.diagnostics.push({ code: "ANALYZE-SEMANTIC", message, span, file: this.currentFile } as Diagnostic);
  }

  // ── blocks ──────────────────────────────────────────────────────────────

  /**
   * Compile statements in a new block scope (actions in the block are hoisted). `locateEach`
   * (the program's own statements, each run once) gives an error that has no position yet (a
   * host stack overflow, a limit met deep inside) the position of the statement it ended.
   */
  block(stmts: Stmt[], scope: BlockScope, locateEach = false): CStmt {
    this.pendingActions.push([]);
    const hoisted = this.hoistActions(stmts, scope);
    const compiled: CStmt[] = [];
    for (const s of stmts) {
      const c = this.stmt(s, scope);
      if (c) compiled.push(locateEach ? this.locatedStmt(c, s.span) : c);
    }
    // Action bodies compile once the whole block is known, so they can see later globals.
    const savedDepth = this.loopDepth;
    this.loopDepth = 0; // an action body starts outside any loop
    for (const job of this.pendingActions.pop()!) job();
    this.loopDepth = savedDepth;
    const all = hoisted ? [hoisted, ...compiled] : compiled;
    return sequence(all);
  }

  /** `c`, giving an error without a position (and not from an included file) the position `span`. */
  locatedStmt(c: CStmt, span: Span): CStmt {
    const rt = this.rt;
    const locate = (e: unknown): unknown => {
      const w = rt.asCatchable(e);
      if (!w) return e;
      if (!w.span && !(w as { file?: string }).file) w.span = span;
      return w;
    };
    const fn = c.fn;
    if (c.async) {
      return {
        fn: async (f) => {
          try {
            return await fn(f);
          } catch (e) {
            throw locate(e);
          }
        },
        async: true,
      };
    }
    return {
      fn: (f) => {
        try {
          return fn(f);
        } catch (e) {
          throw locate(e);
        }
      },
      async: false,
    };
  }

  hoistActions(stmts: Stmt[], scope: BlockScope): CStmt | null {
    const groups = new Map<string, (Stmt & { kind: "ActionDef" })[]>();
    for (const s of stmts) {
      if (s.kind !== "ActionDef") continue;
      const g = groups.get(s.name);
      if (g) g.push(s);
      else groups.set(s.name, [s]);
    }
    if (groups.size === 0) return null;
    const creators: ((f: Frame) => void)[] = [];
    for (const [name, defs] of groups) {
      const existing = scope.names.get(name);
      if (existing && existing.kind === "var") continue; // reported by the resolver
      this.checkOverloads(defs);
      const info: ActionInfo = { name, overloads: defs.map((d) => ({ params: d.params })), mayWait: this.mayWait.has(name) };
      const slot = scope.fn.allocate();
      scope.names.set(name, { kind: "action", slot, fn: scope.fn, info, name });
      const overloads: Overload[] = [];
      for (const d of defs) overloads.push(this.actionOverload(d, scope, info));
      creators.push((f) => { f[slot] = new WflAction(name, overloads, f); });
    }
    return { fn: (f) => { for (const c of creators) c(f); return undefined; }, async: false };
  }

  checkOverloads(defs: (Stmt & { kind: "ActionDef" })[]): void {
    for (let i = 1; i < defs.length; i++) {
      for (let j = 0; j < i; j++) {
        const a = defs[i]!.params;
        const b = defs[j]!.params;
        if (a.length !== b.length) continue;
        const distinct = a.some((p, k) => p.type && b[k]!.type && p.type.toLowerCase() !== b[k]!.type!.toLowerCase());
        if (!distinct) {
          this.error(`Action '${defs[i]!.name}' is already defined with ${a.length} parameter${a.length === 1 ? "" : "s"} of the same types`, defs[i]!.nameSpan);
        }
      }
    }
  }

  /** An overload whose body is compiled when the enclosing block is complete. */
  actionOverload(d: Stmt & { kind: "ActionDef" }, scope: BlockScope, info: ActionInfo): Overload {
    const fnScope = new FunctionScope(scope.fn, d.name);
    const inner = new BlockScope(fnScope, scope);
    const params: Overload["params"] = [];
    const seen = new Set<string>();
    for (const p of d.params) {
      if (seen.has(p.name)) this.error(`Parameter '${p.name}' appears twice in action '${d.name}'`, p.span);
      seen.add(p.name);
      const slot = fnScope.allocate();
      inner.names.set(p.name, { kind: "var", slot, fn: fnScope, constant: false, name: p.name });
      params.push({ name: p.name, type: p.type, defaultValue: null });
    }
    // In a program with includes, an error in an action's body names the file the action is
    // written in (it may be called from another file, where no include wraps the call).
    const file = this.resolution.includes.size > 0 ? this.currentFile : null;
    const ov: { -readonly [K in keyof Overload]: Overload[K] } = {
      params,
      frameSize: 0,
      body: () => undefined,
      isAsync: info.mayWait,
    };
    this.pendingActions[this.pendingActions.length - 1]!.push(() => {
      for (let i = 0; i < d.params.length; i++) {
        const dv = d.params[i]!.defaultValue;
        if (dv) {
          const c = this.expr(dv, scope);
          params[i]!.defaultValue = c.async ? () => { throw new WflRuntimeError("A default value cannot wait", "general", dv.span); } : (c.fn as (f: Frame) => Value);
        }
      }
      const body = this.block(d.body, inner);
      ov.body = file === null ? body.fn : inFileBody(body.fn, body.async, file);
      ov.frameSize = fnScope.size;
      if (body.async && !info.mayWait) ov.isAsync = true;
    });
    return ov;
  }

  // ── statements ──────────────────────────────────────────────────────────

  stmt(s: Stmt, scope: BlockScope): CStmt | null {
    return (STATEMENTS[s.kind] as StmtCompiler<Stmt>)(this, s, scope);
  }

  storeStmt(s: Stmt & { kind: "Store" }, scope: BlockScope): CStmt {
    return this.declare(s.name, s.nameSpan, s.value, scope, s.constant);
  }

  /** `store name as value`: a new variable in this block. */
  declare(name: string, span: Span, value: Expr, scope: BlockScope, constant: boolean): CStmt {
    const outer = scope.lookup(name);
    if (outer && outer.kind === "prop") return this.assign({ kind: "Var", name, span }, value, scope, span);
    const existing = scope.names.get(name); // a redefinition is reported by the resolver
    // Compile the value before the name exists, so `store x as x plus 1` reads an outer x.
    const v = this.expr(value, scope);
    const slot = existing && existing.kind === "var" ? existing.slot : scope.fn.allocate();
    scope.names.set(name, { kind: "var", slot, fn: scope.fn, constant, name });
    const ev = v.fn;
    if (v.async) return { fn: async (f) => { f[slot] = await ev(f); return undefined; }, async: true };
    return { fn: (f) => { f[slot] = ev(f) as Value; return undefined; }, async: false };
  }

  /** `change target to value` (variables, list items, object keys, properties). */
  assign(target: Expr, value: Expr, scope: BlockScope, span: Span): CStmt {
    const v = this.expr(value, scope);
    const setter = this.setter(target, scope, span);
    if (!setter) return NOOP;
    // Hot path: `change x to …` on a local variable writes the slot directly.
    if (target.kind === "Var" && !v.async) {
      const b = scope.lookup(target.name);
      if (b && b.kind === "var" && scope.depthOf(b) === 0) {
        const slot = b.slot;
        const ev = v.fn as (f: Frame) => Value;
        return { fn: (f) => { f[slot] = ev(f); return undefined; }, async: false };
      }
    }
    return this.withValue(v, (f, x) => setter.fn(f, x), setter.async);
  }

  setter(target: Expr, scope: BlockScope, span: Span): { fn: (f: Frame, v: Value) => void | Promise<void>; async: boolean } | null {
    if (target.kind === "Var") {
      // An undefined target, an action or a constant is reported by the resolver.
      const b = scope.lookup(target.name);
      if (!b || b.kind === "action") return null;
      if (b.kind === "prop") {
        const d = scope.depthOf(b);
        const selfSlot = b.slot;
        const pname = b.name;
        return { fn: (f, v) => { (frameAt(f, d)[selfSlot] as InstanceValue).props.set(pname, v); }, async: false };
      }
      if (b.constant) return null;
      const depth = scope.depthOf(b);
      const slot = b.slot;
      if (depth === 0) return { fn: (f, v) => { f[slot] = v; }, async: false };
      return { fn: (f, v) => { frameAt(f, depth)[slot] = v; }, async: false };
    }
    if (target.kind === "Index") {
      const obj = this.expr(target.target, scope);
      const idx = this.expr(target.index, scope);
      const set = (o: Value, i: Value, v: Value): void => setIndex(o, i, v, target.span);
      if (!obj.async && !idx.async) {
        const of = obj.fn as (f: Frame) => Value;
        const ix = idx.fn as (f: Frame) => Value;
        return {
          fn: (f, v) => {
            const c = of(f), k = ix(f);
            // In-range list items are written directly; everything else takes the checked path.
            if (Array.isArray(c) && typeof k === "number" && k >= 0 && k < c.length && Number.isInteger(k)) c[k] = v;
            else set(c, k, v);
          },
          async: false,
        };
      }
      return { fn: async (f, v) => set(await obj.fn(f), await idx.fn(f), v), async: true };
    }
    if (target.kind === "Member") {
      const obj = this.expr(target.target, scope);
      const name = target.name;
      const set = (o: Value, v: Value): void => setMember(o, name, v, target.span);
      if (!obj.async) {
        const of = obj.fn as (f: Frame) => Value;
        return { fn: (f, v) => set(of(f), v), async: false };
      }
      return { fn: async (f, v) => set(await obj.fn(f), v), async: true };
    }
    this.error("Only a variable, a list item, an object key or a property can be changed", target.span);
    return null;
  }

  withValue(v: CExpr, use: (f: Frame, x: Value) => void | Promise<void>, useAsync: boolean): CStmt {
    const ev = v.fn;
    if (!v.async && !useAsync) return { fn: (f) => { use(f, ev(f) as Value); return undefined; }, async: false };
    return { fn: async (f) => { await use(f, await ev(f)); return undefined; }, async: true };
  }

  /** `add 1 to x`, `subtract`, `multiply`, `divide` — and `add v to list` appends. */
  compound(target: Expr, value: Expr, op: "+" | "-" | "*" | "/", scope: BlockScope, span: Span): CStmt {
    const read = this.expr(target, scope);
    const setter = this.setter(target, scope, span);
    const v = this.expr(value, scope);
    if (!setter) return NOOP;
    const apply = (cur: Value, x: Value): Value | undefined => compoundValue(op, cur, x, span);
    if (!read.async && !v.async && !setter.async) {
      const rf = read.fn as (f: Frame) => Value;
      const vf = v.fn as (f: Frame) => Value;
      const sf = setter.fn;
      const slot = target.kind === "Var" ? this.localSlot(target.name, scope) : -1;
      if (slot >= 0 && (op === "+" || op === "-")) {
        // `add n to total` on a local number: read and write the slot directly.
        const plus = op === "+";
        return {
          fn: (f) => {
            const cur = f[slot];
            const x = vf(f);
            if (typeof cur === "number" && typeof x === "number") f[slot] = plus ? cur + x : cur - x;
            else { const r = apply(rf(f), x); if (r !== undefined) sf(f, r); }
            return undefined;
          },
          async: false,
        };
      }
      return {
        fn: (f) => {
          const r = apply(rf(f), vf(f));
          if (r !== undefined) sf(f, r);
          return undefined;
        },
        async: false,
      };
    }
    return {
      fn: async (f) => {
        const r = apply(await read.fn(f), await v.fn(f));
        if (r !== undefined) await setter.fn(f, r);
        return undefined;
      },
      async: true,
    };
  }

  removeFrom(s: Stmt & { kind: "RemoveFrom" }, scope: BlockScope): CStmt {
    const list = this.expr(s.target, scope);
    const v = this.expr(s.value, scope);
    return this.both(list, v, (l, x) => {
      if (isList(l)) {
        const i = l.findIndex((item) => valuesEqual(item, x));
        if (i >= 0) l.splice(i, 1);
        return;
      }
      if (isObject(l)) { l.delete(formatValue(x)); return; }
      throw new WflRuntimeError(`Cannot remove from a ${typeName(l)}; use a list`, "type", s.span);
    });
  }

  clearStmt(s: Stmt & { kind: "Clear" }, scope: BlockScope): CStmt {
    const t = this.expr(s.target, scope);
    return this.withValue(t, (_f, l) => {
      if (isList(l)) l.length = 0;
      else if (isObject(l)) l.clear();
      else throw new WflRuntimeError(`Cannot clear a ${typeName(l)}; use a list`, "type", s.span);
    }, false);
  }

  both(a: CExpr, b: CExpr, use: (x: Value, y: Value) => void): CStmt {
    if (!a.async && !b.async) {
      const af = a.fn as (f: Frame) => Value;
      const bf = b.fn as (f: Frame) => Value;
      return { fn: (f) => { use(af(f), bf(f)); return undefined; }, async: false };
    }
    return { fn: async (f) => { use(await a.fn(f), await b.fn(f)); return undefined; }, async: true };
  }

  displayStmt(s: Stmt & { kind: "Display" }, scope: BlockScope): CStmt {
    const parts = s.values.map((v) => this.expr(v, scope));
    const rt = this.rt;
    if (parts.length === 1 && !parts[0]!.async) {
      const p = parts[0]!.fn as (f: Frame) => Value;
      return { fn: (f) => { rt.writeLine(formatValue(p(f))); return undefined; }, async: false };
    }
    const all = combine(parts, (vals) => vals.map((v) => formatValue(v)).join(""));
    return this.withValue(all, (_f, text) => { rt.writeLine(text as string); }, false);
  }

  ifStmt(s: Stmt & { kind: "If" }, scope: BlockScope): CStmt {
    const cond = this.expr(s.cond, scope);
    const then = this.block(s.then, new BlockScope(scope.fn, scope));
    const other = s.otherwise ? this.block(s.otherwise, new BlockScope(scope.fn, scope)) : null;
    const tf = then.fn;
    const of = other?.fn;
    if (!cond.async && !then.async && !other?.async) {
      const cf = cond.fn as (f: Frame) => Value;
      if (of) return { fn: (f) => { const c = cf(f); return (c === true || (c !== false && isTruthy(c))) ? tf(f) : of(f); }, async: false };
      return { fn: (f) => { const c = cf(f); return (c === true || (c !== false && isTruthy(c))) ? tf(f) : undefined; }, async: false };
    }
    return {
      fn: async (f) => {
        if (isTruthy(await cond.fn(f))) return tf(f);
        return of ? of(f) : undefined;
      },
      async: true,
    };
  }

  /** Compile a loop body; `exit loop` leaves every enclosing loop, so only the outermost absorbs it. */
  loopBody(stmts: Stmt[], scope: BlockScope): [CStmt, boolean] {
    const outermost = this.loopDepth === 0;
    this.loopDepth++;
    try {
      return [this.block(stmts, scope), outermost];
    } finally {
      this.loopDepth--;
    }
  }

  loopVar(name: string, scope: BlockScope): [BlockScope, number] {
    const inner = new BlockScope(scope.fn, scope);
    const slot = scope.fn.allocate();
    inner.names.set(name, { kind: "var", slot, fn: scope.fn, constant: false, name });
    return [inner, slot];
  }

  countLoop(s: Stmt & { kind: "CountLoop" }, scope: BlockScope): CStmt {
    const heapTick = this.rt.tickAt(s.span); // the run's check (heap, time limit, stop) on each back-edge
    const from = this.expr(s.from, scope);
    const to = this.expr(s.to, scope);
    const step = s.step ? this.expr(s.step, scope) : { fn: () => 1, async: false };
    const [inner, slot] = this.loopVar(s.varName, scope);
    const [body, outermost] = this.loopBody(s.body, inner);
    const bf = body.fn;
    const down = s.down;
    const span = s.span;
    const bounds = (a: Value, b: Value, st: Value): [number, number, number] => {
      checkCountBounds(a, b, st, span);
      return [a as number, b as number, st as number];
    };
    if (!from.async && !to.async && !step.async && !body.async) {
      const ff = from.fn as (f: Frame) => Value, tf = to.fn as (f: Frame) => Value, sf = step.fn as (f: Frame) => Value;
      return {
        fn: (f) => {
          const [a, b, st] = bounds(ff(f), tf(f), sf(f));
          const s = f;
          if (!down) {
            for (let i = a; i <= b; i += st) {
              s[slot] = i;
              heapTick();
              const r = bf(f) as StmtResult;
              if (r !== undefined && r !== Signal.Continue) return loopExit(r, outermost);
            }
          } else {
            for (let i = a; i >= b; i -= st) {
              s[slot] = i;
              heapTick();
              const r = bf(f) as StmtResult;
              if (r !== undefined && r !== Signal.Continue) return loopExit(r, outermost);
            }
          }
          return undefined;
        },
        async: false,
      };
    }
    return {
      fn: async (f) => {
        const [a, b, st] = bounds(await from.fn(f), await to.fn(f), await step.fn(f));
        for (let i = a; down ? i >= b : i <= b; i += down ? -st : st) {
          f[slot] = i;
          heapTick();
          const r = await bf(f);
          if (r !== undefined && r !== Signal.Continue) return loopExit(r, outermost);
        }
        return undefined;
      },
      async: true,
    };
  }

  forEach(s: Stmt & { kind: "ForEach" }, scope: BlockScope): CStmt {
    const heapTick = this.rt.tickAt(s.span); // the run's check (heap, time limit, stop) on each back-edge
    const it = this.expr(s.iterable, scope);
    const [inner, slot] = this.loopVar(s.name, scope);
    const [body, outermost] = this.loopBody(s.body, inner);
    const bf = body.fn;
    const reversed = s.reversed;
    const span = s.iterable.span;
    if (!it.async && !body.async) {
      const itf = it.fn as (f: Frame) => Value;
      return {
        fn: (f) => {
          // A list is walked in place: items added during the loop are not visited.
          const arr = forEachItems(itf(f), reversed, span);
          const n = arr.length;
          for (let i = 0; i < n && i < arr.length; i++) {
            f[slot] = arr[i]!;
            heapTick();
            const r = bf(f) as StmtResult;
            if (r !== undefined && r !== Signal.Continue) return loopExit(r, outermost);
          }
          return undefined;
        },
        async: false,
      };
    }
    return {
      fn: async (f) => {
        const arr = forEachItems(await it.fn(f), reversed, span);
        const n = arr.length;
        for (let i = 0; i < n && i < arr.length; i++) {
          f[slot] = arr[i]!;
          heapTick();
          const r = await bf(f);
          if (r !== undefined && r !== Signal.Continue) return loopExit(r, outermost);
        }
        return undefined;
      },
      async: true,
    };
  }

  whileLoop(s: Stmt & { kind: "While" }, scope: BlockScope): CStmt {
    const heapTick = this.rt.tickAt(s.span); // the run's check (heap, time limit, stop) on each back-edge
    const cond = this.expr(s.cond, scope);
    const [body, outermost] = this.loopBody(s.body, new BlockScope(scope.fn, scope));
    const until = s.until;
    const bf = body.fn;
    if (!cond.async && !body.async) {
      const cf = cond.fn as (f: Frame) => Value;
      return {
        fn: (f) => {
          while (isTruthy(cf(f)) !== until) {
            heapTick();
            const r = bf(f) as StmtResult;
            if (r !== undefined && r !== Signal.Continue) return loopExit(r, outermost);
          }
          return undefined;
        },
        async: false,
      };
    }
    return {
      fn: async (f) => {
        while (isTruthy(await cond.fn(f)) !== until) {
          heapTick();
          const r = await bf(f);
          if (r !== undefined && r !== Signal.Continue) return loopExit(r, outermost);
        }
        return undefined;
      },
      async: true,
    };
  }

  doUntil(s: Stmt & { kind: "DoUntil" }, scope: BlockScope): CStmt {
    const heapTick = this.rt.tickAt(s.span); // the run's check (heap, time limit, stop) on each back-edge
    const inner = new BlockScope(scope.fn, scope);
    const [body, outermost] = this.loopBody(s.body, inner);
    const cond = this.expr(s.cond, inner);
    const bf = body.fn;
    if (!body.async && !cond.async) {
      const cf = cond.fn as (f: Frame) => Value;
      return {
        fn: (f) => {
          do {
            heapTick();
            const r = bf(f) as StmtResult;
            if (r !== undefined && r !== Signal.Continue) return loopExit(r, outermost);
          } while (!isTruthy(cf(f)));
          return undefined;
        },
        async: false,
      };
    }
    return {
      fn: async (f) => {
        do {
          heapTick();
          const r = await bf(f);
          if (r !== undefined && r !== Signal.Continue) return loopExit(r, outermost);
        } while (!isTruthy(await cond.fn(f)));
        return undefined;
      },
      async: true,
    };
  }

  forever(stmts: Stmt[], scope: BlockScope, span?: Span): CStmt {
    const heapTick = this.rt.tickAt(span); // the run's check (heap, time limit, stop) on each back-edge
    const [body, outermost] = this.loopBody(stmts, new BlockScope(scope.fn, scope));
    const bf = body.fn;
    if (!body.async) {
      return {
        fn: (f) => {
          for (;;) {
            heapTick();
            const r = bf(f) as StmtResult;
            if (r !== undefined && r !== Signal.Continue) return loopExit(r, outermost);
          }
          return undefined;
        },
        async: false,
      };
    }
    return {
      fn: async (f) => {
        for (;;) {
          heapTick();
          const r = await bf(f);
          if (r !== undefined && r !== Signal.Continue) return loopExit(r, outermost);
        }
        return undefined;
      },
      async: true,
    };
  }


  returnStmt(s: Stmt & { kind: "Return" }, scope: BlockScope): CStmt {
    if (!s.value) return { fn: (f) => { f[RET] = null; return Signal.Return; }, async: false };
    const v = this.expr(s.value, scope);
    const vf = v.fn;
    if (!v.async) return { fn: (f) => { f[RET] = vf(f) as Value; return Signal.Return; }, async: false };
    return { fn: async (f) => { f[RET] = await vf(f); return Signal.Return; }, async: true };
  }

  exprStmt(e: Expr, scope: BlockScope): CStmt {
    // A bare name as a statement calls the action it names.
    const c = e.kind === "Var" ? this.callByName(e.name, [], e.span, e.span, scope, true) : this.expr(e, scope);
    const ef = c.fn;
    if (!c.async) return { fn: (f) => { ef(f); return undefined; }, async: false };
    return { fn: async (f) => { await ef(f); return undefined; }, async: true };
  }

  tryStmt(s: Stmt & { kind: "Try" }, scope: BlockScope): CStmt {
    this.tryDepth++;
    const body = this.block(s.body, new BlockScope(scope.fn, scope));
    this.tryDepth--;
    for (const h of s.handlers) {
      if (h.kind === "when" && h.catches === null) {
        this.error(`'when ${h.phrase}' names no kind of error; use one of: ${whenPhrases().join(", ")}`, h.phraseSpan ?? h.span);
      }
    }
    const handlers = s.handlers.map((h) => {
      const inner = new BlockScope(scope.fn, scope);
      const errSlot = scope.fn.allocate();
      const msgSlot = scope.fn.allocate();
      inner.names.set(h.bind ?? "error", { kind: "var", slot: errSlot, fn: scope.fn, constant: false, name: h.bind ?? "error" });
      inner.names.set("error_message", { kind: "var", slot: msgSlot, fn: scope.fn, constant: false, name: "error_message" });
      if (h.bind) inner.names.set("error", { kind: "var", slot: errSlot, fn: scope.fn, constant: false, name: "error" });
      return { catches: h.catches, errSlot, msgSlot, body: this.block(h.body, inner) };
    });
    const fin = s.finally ? this.block(s.finally, new BlockScope(scope.fn, scope)) : null;
    const rt = this.rt;
    const pick = (err: WflRuntimeError) => {
      for (const h of handlers) {
        if (h.catches === "any" || h.catches === err.errorKind) return h;
      }
      return null;
    };
    const toWfl = (e: unknown): WflRuntimeError | null => rt.asCatchable(e);
    const anyAsync = body.async || handlers.some((h) => h.body.async) || !!fin?.async;
    if (!anyAsync) {
      const bf = body.fn, ff = fin?.fn;
      return {
        fn: (f) => {
          const depth = rt.depth;
          try {
            return bf(f) as StmtResult;
          } catch (e) {
            rt.depth = depth;
            const err = toWfl(e);
            const h = err && pick(err);
            if (!err || !h) throw e;
            f[h.errSlot] = err.message;
            f[h.msgSlot] = err.message;
            return h.body.fn(f) as StmtResult;
          } finally {
            if (ff) {
              const r = ff(f) as StmtResult;
              if (r !== undefined) return r; // eslint-disable-line no-unsafe-finally
            }
          }
        },
        async: false,
      };
    }
    return {
      fn: async (f) => {
        const depth = rt.depth;
        try {
          return await body.fn(f);
        } catch (e) {
          rt.depth = depth;
          const err = toWfl(e);
          const h = err && pick(err);
          if (!err || !h) throw e;
          f[h.errSlot] = err.message;
          f[h.msgSlot] = err.message;
          return await h.body.fn(f);
        } finally {
          if (fin) {
            const r = await fin.fn(f);
            if (r !== undefined) return r; // eslint-disable-line no-unsafe-finally
          }
        }
      },
      async: true,
    };
  }

  routeStmt(s: Stmt & { kind: "Route" }, scope: BlockScope): CStmt {
    const subject = this.expr(s.subject, scope);
    const arms = s.arms.map((a) => ({
      matchers: a.matchers.map((m) => ({ mode: m.mode, value: this.expr(m.value, scope), span: m.value.span })),
      body: this.block(a.body, new BlockScope(scope.fn, scope)),
    }));
    const other = s.otherwise ? this.block(s.otherwise, new BlockScope(scope.fn, scope)) : null;
    const test = (mode: string, subj: Value, v: Value, span: Span): boolean => {
      switch (mode) {
        case "equals": return valuesEqual(subj, v);
        case "contains": return ops.contains(subj, v, span);
        case "starts with": return ops.startsWith(subj, v, span);
        case "ends with": return ops.endsWith(subj, v, span);
        case "one of":
          if (!isList(v)) throw new WflRuntimeError(`'when one of' needs a list, got ${typeName(v)}`, "type", span);
          return v.some((x) => valuesEqual(x, subj));
      }
      return false;
    };
    const anyAsync = subject.async || !!other?.async || arms.some((a) => a.body.async || a.matchers.some((m) => m.value.async));
    if (!anyAsync) {
      const sf = subject.fn as (f: Frame) => Value;
      return {
        fn: (f) => {
          const subj = sf(f);
          for (const arm of arms) {
            for (const m of arm.matchers) {
              if (test(m.mode, subj, m.value.fn(f) as Value, m.span)) return arm.body.fn(f) as StmtResult;
            }
          }
          return other ? (other.fn(f) as StmtResult) : undefined;
        },
        async: false,
      };
    }
    return {
      fn: async (f) => {
        const subj = await subject.fn(f);
        for (const arm of arms) {
          for (const m of arm.matchers) {
            if (test(m.mode, subj, await m.value.fn(f), m.span)) return arm.body.fn(f);
          }
        }
        return other ? other.fn(f) : undefined;
      },
      async: true,
    };
  }

  // ── tests ───────────────────────────────────────────────────────────────





  // ── other statements ────────────────────────────────────────────────────

  createMap(s: Stmt & { kind: "CreateMap" }, scope: BlockScope): CStmt {
    const entries = s.entries.map((e) => ({ key: e.key, value: this.expr(e.value, scope) }));
    const build = combine(entries.map((e) => e.value), (vals) => {
      const o = new WflObject();
      vals.forEach((v, i) => o.set(entries[i]!.key, v));
      return o;
    });
    return this.declareCompiled(s.name, s.span, build, scope);
  }

  declareCompiled(name: string, span: Span, v: CExpr, scope: BlockScope): CStmt {
    const existing = scope.names.get(name); // a redefinition is reported by the resolver
    const slot = existing && existing.kind === "var" ? existing.slot : scope.fn.allocate();
    scope.names.set(name, { kind: "var", slot, fn: scope.fn, constant: false, name });
    const ev = v.fn;
    if (v.async) return { fn: async (f) => { f[slot] = await ev(f); return undefined; }, async: true };
    return { fn: (f) => { f[slot] = ev(f) as Value; return undefined; }, async: false };
  }

  include(s: Stmt & { kind: "Include" }, scope: BlockScope): CStmt | null {
    // The resolver loaded it (once) and reported why when it could not (missing, circular, too deep).
    const program = this.resolution.includes.get(s);
    if (!program) return null;
    const savedFile = this.currentFile;
    this.includeStack.push(program.file);
    this.currentFile = program.file;
    // Included definitions join the including scope.
    this.pendingActions.push([]);
    const hoisted = this.hoistActions(program.body, scope);
    const compiled: CStmt[] = [];
    for (const st of program.body) {
      const c = this.stmt(st, scope);
      if (c) compiled.push(c);
    }
    const savedDepth = this.loopDepth;
    this.loopDepth = 0;
    for (const job of this.pendingActions.pop()!) job();
    this.loopDepth = savedDepth;
    this.includeStack.pop();
    this.currentFile = savedFile;
    const seq = sequence(hoisted ? [hoisted, ...compiled] : compiled);
    const file = program.file;
    const rt = this.rt;
    // Errors inside included code report against the included file.
    if (!seq.async) {
      const sf = seq.fn;
      return { fn: (f) => rt.inFile(file, () => sf(f) as StmtResult), async: false };
    }
    return { fn: (f) => rt.inFileAsync(file, async () => seq.fn(f)), async: true };
  }


  waitDuration(s: Stmt & { kind: "WaitDuration" }, scope: BlockScope): CStmt {
    const amount = this.expr(s.amount, scope);
    const factor = s.unit === "seconds" ? 1000 : 1;
    const rt = this.rt;
    return {
      fn: async (f) => {
        const v = await amount.fn(f);
        if (typeof v !== "number" || v < 0) throw new WflRuntimeError(`wait for needs a non-negative number, got ${formatValue(v)}`, "type", s.span);
        rt.flush();
        await rt.sleep(v * factor);
        return undefined;
      },
      async: true,
    };
  }


  // ── expressions ─────────────────────────────────────────────────────────

  /** An optional part of a statement: its expression, or nothing when it was left out. */
  optionalExpr(e: Expr | null | undefined, scope: BlockScope): CExpr {
    return e ? this.expr(e, scope) : NOTHING;
  }

  expr(e: Expr, scope: BlockScope): CExpr {
    switch (e.kind) {
      case "Number": case "Text": case "Boolean": {
        const v = e.value;
        return { fn: () => v, async: false };
      }
      case "Nothing": return NOTHING;
      case "EmptyList": return { fn: () => [], async: false };
      case "EmptyMap": return { fn: () => new WflObject(), async: false };
      case "ListLit": {
        const items = e.items.map((i) => this.expr(i, scope));
        return combine(items, (vals) => vals);
      }
      case "Var": return this.varRef(e.name, e.span, scope);
      case "Binary": return this.binary(e, scope);
      case "Logical": return this.logical(e, scope);
      case "Not": {
        const o = this.expr(e.operand, scope);
        return map1(o, (v) => !isTruthy(v));
      }
      case "Negate": {
        const o = this.expr(e.operand, scope);
        const span = e.span;
        return map1(o, (v) => negate(v, span));
      }
      case "Concat": {
        const call = this.resolution.calls.get(e);
        if (call) return this.callByName(call.callee, call.args, call.calleeSpan, e.span, scope, false, "with");
        const l = this.expr(e.left, scope);
        const r = this.expr(e.right, scope);
        const span = e.span;
        if (!l.async && !r.async) {
          const lf = l.fn as (f: Frame) => Value, rf = r.fn as (f: Frame) => Value;
          return { fn: (f) => concatText(lf(f), rf(f), span), async: false };
        }
        return { fn: async (f) => concatText(await l.fn(f), await r.fn(f), span), async: true };
      }
      case "Between": {
        const parts = [this.expr(e.value, scope), this.expr(e.low, scope), this.expr(e.high, scope)];
        const span = e.span;
        return combine(parts, ([v, lo, hi]) => ops.compare(v!, lo!, ">=", span) >= 0 && ops.compare(v!, hi!, "<=", span) <= 0);
      }
      case "Call": return this.callByName(e.callee, e.args, e.calleeSpan, e.span, scope, false, e.style);
      case "Index": {
        const t = this.expr(e.target, scope);
        const i = this.expr(e.index, scope);
        const span = e.span;
        if (!t.async && !i.async) {
          const tf = t.fn as (f: Frame) => Value, ix = i.fn as (f: Frame) => Value;
          return {
            fn: (f) => {
              const c = tf(f), k = ix(f);
              if (Array.isArray(c) && typeof k === "number") {
                const v = c[k];
                if (v !== undefined && k >= 0 && Number.isInteger(k)) return v;
              } else if (c instanceof WflObject && typeof k === "string") {
                const v = c.get(k);
                if (v !== undefined) return v;
              }
              return getIndex(c, k, span);
            },
            async: false,
          };
        }
        return { fn: async (f) => getIndex(await t.fn(f), await i.fn(f), span), async: true };
      }
      case "Member": {
        const t = this.expr(e.target, scope);
        const name = e.name;
        const span = e.span;
        return map1(t, (v) => getMember(v, name, span));
      }
      case "MethodCall": {
        const span = e.span;
        const name = e.name;
        const parts = [this.expr(e.target, scope), ...e.args.map((a) => this.expr(a, scope))];
        const rt = this.rt;
        if (!this.anyMayWait) return combine(parts, (vals) => rt.callMethod(vals[0]!, name, vals.slice(1), span) as Value);
        return combineMaybe(parts, (vals) => rt.callMethod(vals[0]!, name, vals.slice(1), span));
      }
      default: return (FEATURE_EXPRESSIONS[e.kind] as ExprCompiler<Expr>)(this, e, scope);
    }
  }



  varRef(name: string, span: Span, scope: BlockScope): CExpr {
    const b = scope.lookup(name);
    if (!b) {
      const native = this.registry.functions.get(name);
      if (native) {
        // A bare zero-argument builtin calls itself (`random`, `today`); others are values.
        if (native.minArity === 0) return this.callNative(native, [], span, span);
        return { fn: () => native, async: false };
      }
      const c = this.registry.constants.get(name);
      if (c !== undefined) return { fn: () => c, async: false };
      const message = name === "count"
        ? "Variable 'count' can only be used inside count loops (or after 'store count as …')"
        : `Variable '${name}' is not defined`;
      if (this.tryDepth > 0) return { fn: () => { throw new WflRuntimeError(message, "general", span); }, async: false };
      return NOTHING; // reported by the resolver
    }
    if (b.kind === "action" && b.info.overloads.some((o) => o.params.length === 0)) {
      // A bare zero-parameter action name calls it.
      return this.callByName(name, [], span, span, scope, true);
    }
    return readBinding(b, scope, span);
  }

  /** The slot of a variable in the current frame, or -1 (for fused reads in hot operators). */
  localSlot(name: string, scope: BlockScope): number {
    const b = scope.lookup(name);
    return b && b.kind === "var" && scope.depthOf(b) === 0 ? b.slot : -1;
  }

  binary(e: Expr & { kind: "Binary" }, scope: BlockScope): CExpr {
    const l = this.expr(e.left, scope);
    const r = this.expr(e.right, scope);
    const span = e.opSpan;
    const op = e.op;
    const f2 = binaryOperation(op, span);
    if (!l.async && !r.async) {
      const lf = l.fn as (f: Frame) => Value, rf = r.fn as (f: Frame) => Value;
      const slot = e.left.kind === "Var" ? this.localSlot(e.left.name, scope) : -1;
      const fast = e.right.kind === "Number" ? numberFastPath(op, lf, e.right.value, f2, slot) : null;
      if (fast) return { fn: fast, async: false };
      const rslot = e.right.kind === "Var" ? this.localSlot(e.right.name, scope) : -1;
      const locals = slot >= 0 && rslot >= 0 ? twoLocalsFastPath(op, slot, rslot, lf, rf, f2) : null;
      if (locals) return { fn: locals, async: false };
      if (op === "+") return { fn: (f) => { const a = lf(f), b = rf(f); return typeof a === "number" && typeof b === "number" ? a + b : ops.add(a, b, span); }, async: false };
      if (op === "-") return { fn: (f) => { const a = lf(f), b = rf(f); return typeof a === "number" && typeof b === "number" ? a - b : ops.subtract(a, b, span); }, async: false };
      return { fn: (f) => f2(lf(f), rf(f)), async: false };
    }
    return { fn: async (f) => f2(await l.fn(f), await r.fn(f)), async: true };
  }

  logical(e: Expr & { kind: "Logical" }, scope: BlockScope): CExpr {
    // Short-circuit, as the documentation describes (the first implementation evaluated both sides).
    const l = this.expr(e.left, scope);
    const r = this.expr(e.right, scope);
    const isAnd = e.op === "and";
    if (!l.async && !r.async) {
      const lf = l.fn as (f: Frame) => Value, rf = r.fn as (f: Frame) => Value;
      return isAnd
        ? { fn: (f) => isTruthy(lf(f)) && isTruthy(rf(f)), async: false }
        : { fn: (f) => isTruthy(lf(f)) || isTruthy(rf(f)), async: false };
    }
    return {
      fn: async (f) => (isAnd ? isTruthy(await l.fn(f)) && isTruthy(await r.fn(f)) : isTruthy(await l.fn(f)) || isTruthy(await r.fn(f))),
      async: true,
    };
  }

  /** A call by name: a user action, a builtin, a variable holding an action, or `prop of object`. */
  callByName(name: string, argExprs: Expr[], calleeSpan: Span, span: Span, scope: BlockScope, bare: boolean, style: "of" | "with" | "call" = "of"): CExpr {
    const args = argExprs.map((a) => this.expr(a, scope));
    const b = scope.lookup(name);
    const rt = this.rt;
    if (b && b.kind === "action") {
      const info = b.info;
      if (!info.overloads.some((o) => o.params.length >= args.length && o.params.filter((p) => !p.defaultValue).length <= args.length)) {
        const counts = [...new Set(info.overloads.map((o) => o.params.length))].join(" or ");
        this.error(`Action '${name}' expects ${counts} argument${counts === "1" ? "" : "s"}, but this call gives ${args.length}`, span);
      }
      const read = readBinding(b, scope, calleeSpan).fn as (f: Frame) => Value;
      const mayWait = info.mayWait;
      if (!mayWait && !args.some((a) => a.async)) {
        const argFns = args.map((a) => a.fn as (f: Frame) => Value);
        const only = info.overloads.length === 1 ? info.overloads[0]! : null;
        if (only && only.params.length === args.length && argFns.length <= 3) {
          // One definition, exact arity: build the callee's frame directly (no argument array).
          const [a0, a1, a2] = argFns;
          const n = argFns.length;
          // An action defined at the top level is created once per run: remember it.
          const rootLevel = b.fn.parent === null;
          let cached: WflAction | null = null;
          return {
            fn: (f) => {
              const a = rootLevel ? (cached ??= read(f) as WflAction) : (read(f) as WflAction);
              const o = a.overloads[0]!;
              const nf = newFrame(o.frameSize, a.closure);
              if (n > 0) nf[FIRST_SLOT] = a0!(f);
              if (n > 1) nf[FIRST_SLOT + 1] = a1!(f);
              if (n > 2) nf[FIRST_SLOT + 2] = a2!(f);
              return rt.enterSync(a, o, nf, span);
            },
            async: false,
          };
        }
        if (argFns.length === 1) {
          const a0 = argFns[0]!;
          return { fn: (f) => rt.callActionSync(read(f) as WflAction, [a0(f)], span), async: false };
        }
        if (argFns.length === 2) {
          const a0 = argFns[0]!, a1 = argFns[1]!;
          return { fn: (f) => rt.callActionSync(read(f) as WflAction, [a0(f), a1(f)], span), async: false };
        }
        return { fn: (f) => rt.callActionSync(read(f) as WflAction, argFns.map((a) => a(f)), span), async: false };
      }
      return { fn: async (f) => rt.callAction(read(f) as WflAction, await evalAll(args, f), span), async: true };
    }
    if (b && b.kind === "var") {
      const read = readBinding(b, scope, calleeSpan);
      const all = [read, ...args];
      const dynamic = (vals: Value[]): R => rt.callValue(vals[0]!, name, vals.slice(1), span);
      if (this.anyMayWait) return combineMaybe(all, dynamic);
      return combine(all, (vals) => rt.callValue(vals[0]!, name, vals.slice(1), span) as Value);
    }
    const native = this.registry.functions.get(name);
    if (native) return this.callNative(native, args, calleeSpan, span);
    if (args.length === 1 && !bare && style !== "call") {
      // `path of req`: read a property of an object.
      return map1(args[0]!, (o) => {
        if (isObject(o) && o.has(name)) return o.get(name)!;
        if (o !== null && typeof o === "object" && "kind" in o && (o as { kind: string }).kind === "instance") return getMember(o, name, span);
        throw new WflRuntimeError(`There is no action or property called '${name}'`, "general", calleeSpan);
      });
    }
    const message = `Action '${name}' is not defined`;
    if (this.tryDepth > 0) return { fn: () => { throw new WflRuntimeError(message, "general", calleeSpan); }, async: false };
    return NOTHING; // reported by the resolver
  }

  /** Calls a builtin with argument values; its errors point at the call (`calleeSpan`). */
  nativeCaller(native: NativeFunction, calleeSpan: Span): (vals: Value[]) => R {
    const rt = this.rt, impl = native.impl, ctx = rt.nativeContext;
    return (vals) => {
      try {
        return impl(vals, ctx);
      } catch (e) {
        throw rt.locate(e, calleeSpan);
      }
    };
  }

  /** Hot builtins compiled inline; anything unusual falls back to the registered function. */
  intrinsic(native: NativeFunction, args: CExpr[], calleeSpan: Span): CExpr | null {
    if (args.some((a) => a.async)) return null;
    const slow = this.nativeCaller(native, calleeSpan) as (vals: Value[]) => Value;
    if (native.name === "push" && args.length === 2) {
      const l = args[0]!.fn as (f: Frame) => Value, v = args[1]!.fn as (f: Frame) => Value;
      return {
        fn: (f) => {
          const list = l(f);
          // At the length limit the registered push reports the error.
          if (Array.isArray(list) && list.length < limits.listItems) { list.push(v(f)); return null; }
          return slow([list, v(f)]);
        },
        async: false,
      };
    }
    if ((native.name === "length" || native.name === "size") && args.length === 1) {
      const l = args[0]!.fn as (f: Frame) => Value;
      return { fn: (f) => { const x = l(f); return Array.isArray(x) ? x.length : slow([x]); }, async: false };
    }
    return null;
  }

  callNative(native: NativeFunction, args: CExpr[], calleeSpan: Span, span: Span): CExpr {
    const rt = this.rt;
    const n = args.length;
    if (n < native.minArity || n > native.maxArity) {
      const want = native.minArity === native.maxArity ? `${native.minArity}` : native.maxArity === Infinity ? `at least ${native.minArity}` : `${native.minArity} to ${native.maxArity}`;
      this.error(`${native.name} expects ${want} argument${want === "1" ? "" : "s"}, got ${n}`, span);
      return NOTHING;
    }
    const impl = native.impl;
    const ctx = rt.nativeContext;
    const intrinsic = this.intrinsic(native, args, calleeSpan);
    if (intrinsic) return intrinsic;
    const call = this.nativeCaller(native, calleeSpan);
    if (!native.isAsync && !args.some((a) => a.async)) {
      const fns = args.map((a) => a.fn as (f: Frame) => Value);
      if (n === 0) return { fn: () => call([]), async: false };
      if (n === 1) { const a0 = fns[0]!; return { fn: (f) => call([a0(f)]), async: false }; }
      if (n === 2) { const a0 = fns[0]!, a1 = fns[1]!; return { fn: (f) => call([a0(f), a1(f)]), async: false }; }
      return { fn: (f) => call(fns.map((a) => a(f))), async: false };
    }
    return {
      fn: async (f) => {
        const vals = await evalAll(args, f);
        try {
          return await impl(vals, ctx);
        } catch (e) {
          throw rt.locate(e, calleeSpan);
        }
      },
      async: true,
    };
  }
}

/** How each core statement compiles; feature rooms' statements come from src/features/compile.ts. */
const CORE_STATEMENTS: StmtCompilers<CoreStmt> = {
  Store: (c, s, scope) => c.storeStmt(s, scope),
  Change: (c, s, scope) => c.assign(s.target, s.value, scope, s.span),
  Display: (c, s, scope) => c.displayStmt(s, scope),
  If: (c, s, scope) => c.ifStmt(s, scope),
  CountLoop: (c, s, scope) => fastLoop(c, s, scope) ?? c.countLoop(s, scope),
  ForEach: (c, s, scope) => fastLoop(c, s, scope) ?? c.forEach(s, scope),
  While: (c, s, scope) => fastLoop(c, s, scope) ?? c.whileLoop(s, scope),
  DoUntil: (c, s, scope) => fastLoop(c, s, scope) ?? c.doUntil(s, scope),
  Forever: (c, s, scope) => fastLoop(c, s, scope) ?? c.forever(s.body, scope, s.span),
  // Outside any loop, break / continue / exit loop do nothing (as documented).
  Break: (c) => (c.loopDepth > 0 ? { fn: () => Signal.Break, async: false } : null),
  Continue: (c) => (c.loopDepth > 0 ? { fn: () => Signal.Continue, async: false } : null),
  ExitLoop: (c) => (c.loopDepth > 0 ? { fn: () => Signal.ExitLoop, async: false } : null),
  ExitProgram: (c, s, scope) => {
    if (!s.code) return { fn: () => { throw new ExitProgram(0); }, async: false };
    const span = s.span;
    return c.withValue(c.expr(s.code, scope), (_f, v) => {
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 255) {
        throw new WflRuntimeError(`An exit code must be a whole number from 0 to 255, got ${formatValue(v)}`, "type", span);
      }
      throw new ExitProgram(v);
    }, false);
  },
  ActionDef: () => null, // hoisted
  Return: (c, s, scope) => c.returnStmt(s, scope),
  ExprStmt: (c, s, scope) => c.exprStmt(s.expr, scope),
  Try: (c, s, scope) => c.tryStmt(s, scope),
  Route: (c, s, scope) => c.routeStmt(s, scope),
  AddTo: (c, s, scope) => c.compound(s.target, s.value, "+", scope, s.span),
  SubtractFrom: (c, s, scope) => c.compound(s.target, s.value, "-", scope, s.span),
  MultiplyBy: (c, s, scope) => c.compound(s.target, s.value, "*", scope, s.span),
  DivideBy: (c, s, scope) => c.compound(s.target, s.value, "/", scope, s.span),
  RemoveFrom: (c, s, scope) => c.removeFrom(s, scope),
  Clear: (c, s, scope) => c.clearStmt(s, scope),
  CreateList: (c, s, scope) => c.declare(s.name, s.span, { kind: "ListLit", items: s.items, span: s.span }, scope, false),
  CreateMap: (c, s, scope) => c.createMap(s, scope),
  WaitDuration: (c, s, scope) => c.waitDuration(s, scope),
  WaitFor: (c, s, scope) => c.stmt(s.stmt, scope),
  Export: () => null,
};

const STATEMENTS: StmtCompilers<Stmt> = { ...CORE_STATEMENTS, ...FEATURE_STATEMENTS };

/** An action body whose WFL errors, when not yet placed in a file, are placed in `file`. */
function inFileBody(fn: BodyFn, isAsync: boolean, file: string): BodyFn {
  const place = (e: unknown): never => {
    if (e instanceof WflRuntimeError && !(e as { file?: string }).file) (e as { file?: string }).file = file;
    throw e;
  };
  if (isAsync) {
    return async (f) => {
      try {
        return await fn(f);
      } catch (e) {
        return place(e);
      }
    };
  }
  return (f) => {
    try {
      return fn(f);
    } catch (e) {
      return place(e);
    }
  };
}
