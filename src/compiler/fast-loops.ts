// Fast loops. A loop is where a program spends its time, and closures pay there twice: every
// variable lives in the frame array, and every operation is a call V8 may or may not inline. So a
// loop statement is compiled instead, once, to the text of one JavaScript function (made the first
// time the loop runs): the frame slots it uses become JavaScript variables, and arithmetic, comparisons,
// list reads and writes, `push`, `length`, branches and nested loops become plain JavaScript with
// the same fast paths and the same slow paths (operators.ts) as the closures.
//
// Anything else inside the loop (display, a call to an action, try, …) is compiled by the closure
// compiler as usual and called from the generated code; around such a call the variables are
// written back to the frame and read again, so the closure sees and changes the same values.
// Signals (break, continue, exit loop, return) become JavaScript jumps.
//
// The generated text holds only slot numbers, temporaries, labels and finite number literals: every
// other value (texts, spans, closures) is passed in an array, never spliced into the source.
// `WFL_FAST_LOOPS=0` turns fast loops off (closures only); `WFL_FAST_LOOPS=print` prints the
// generated functions to stderr.
import type { Expr, Stmt } from "../ast/nodes.js";
import type { Compiler } from "./compile.js";
import { BlockScope } from "./scope.js";
import type { CStmt, StmtResult } from "./closures.js";
import { type Frame, RET, Signal } from "../runtime/frame.js";
import { WflObject, isTruthy } from "../runtime/values.js";
import { limits } from "../runtime/memory.js";
import { WflRuntimeError } from "../runtime/errors.js";
import { MAX_TEXT_LENGTH, concatText, getIndex, setIndex } from "../runtime/access.js";
import { binaryOperation, checkCountBounds, compoundValue, forEachItems, negate, usedBeforeValue } from "./operators.js";

type LoopStmt = Stmt & { kind: "CountLoop" | "ForEach" | "While" | "DoUntil" | "Forever" };
type Run = (f: Frame) => StmtResult | Promise<StmtResult>;

/** What generated code calls. */
const HELPERS = {
  isTruthy, heapTick: (): void => {} /* each run's own Runtime.tick, given where the function is made */, limits, concatText, getIndex, setIndex, WflObject,
  checkCountBounds, compoundValue, forEachItems, negate, U: usedBeforeValue,
};

/**
 * Statements a fast loop may contain. Those compiled natively are listed in `stmt` below; the
 * rest are called as closures. Definitions (actions, containers, includes, tests) are not
 * allowed: they hoist names out of their block, which only the closure compiler's `block` does.
 */
const ALLOWED = new Set<Stmt["kind"]>([
  "Store", "Change", "If", "CountLoop", "ForEach", "While", "DoUntil", "Forever", "Break", "Continue", "ExitLoop",
  "Return", "ExprStmt", "AddTo", "SubtractFrom", "MultiplyBy", "DivideBy", "RemoveFrom", "Clear", "Display",
  "CreateList", "CreateMap", "Try", "ExitProgram",
]);

function allowed(stmts: Stmt[]): boolean {
  for (const s of stmts) {
    if (!ALLOWED.has(s.kind)) return false;
    if (s.kind === "If" && (!allowed(s.then) || (s.otherwise !== null && !allowed(s.otherwise)))) return false;
    if ((s.kind === "CountLoop" || s.kind === "ForEach" || s.kind === "While" || s.kind === "DoUntil" || s.kind === "Forever") && !allowed(s.body)) return false;
  }
  return true;
}

/** Expressions nested deeper than this are compiled as closures. */
const MAX_EXPR_DEPTH = 64;

// Placeholders for "write the variables back to the frame" and "read them again"; replaced once
// the whole loop is written and the full set of variables is known.
const OUT = "\u0001OUT\u0001";
const IN = "\u0001IN\u0001";

/** Compile a loop statement to a JavaScript function, or null to leave it to the closures. */
export function fastLoop(c: Compiler, s: LoopStmt, scope: BlockScope): CStmt | null {
  const mode = process.env.WFL_FAST_LOOPS;
  if (mode === "0" || !allowed(s.body)) return null;
  const w = new LoopWriter(c);
  const source = w.finish(w.loop(s, scope));
  if (mode === "print") process.stderr.write(`${source}\n`);
  // The source holds only slot numbers, temporaries, labels and number literals (see above).
  // V8 compiles the text the first time the loop runs: a loop that never runs costs only its text.
  const constants = w.constants;
  const span = s.span;
  let run: Run | null = null;
  const start = (f: Frame): StmtResult | Promise<StmtResult> => {
    if (run === null) {
      try {
        run = (new Function("K", "H", source) as (k: unknown[], h: typeof HELPERS) => Run)(constants, { ...HELPERS, heapTick: c.rt.tickAt(span) });
      } catch (e) {
        if (e instanceof RangeError) throw new WflRuntimeError("This loop is nested too deeply to run", "general", span);
        throw e;
      }
    }
    return run(f);
  };
  return { fn: start, async: w.isAsync };
}

class LoopWriter {
  readonly constants: unknown[] = [];
  /** Frame slots held in JavaScript variables (`v<slot>`). */
  private readonly locals = new Set<number>();
  private temps = 0;
  private labels = 0;
  /** How deep in an expression the writer is. */
  private depth = 0;
  isAsync = false;
  /** Labels of the loops around the code being written, innermost last. */
  private readonly loops: string[] = [];
  /** Whether the generated loop is the outermost of its action (`exit loop` then just ends it). */
  private topOutermost = false;

  constructor(private readonly c: Compiler) {}

  /** The function text around the loop's code. */
  finish(code: string): string {
    const slots = [...this.locals].sort((a, b) => a - b);
    const out = slots.length ? `(${slots.map((s) => `f[${s}] = v${s}`).join(", ")})` : "0";
    const back = slots.length ? `(${slots.map((s) => `v${s} = f[${s}]`).join(", ")})` : "0";
    const body = code.replaceAll(OUT, out).replaceAll(IN, back);
    const lines = ['"use strict";', `const { ${Object.keys(HELPERS).join(", ")} } = H;`];
    if (this.constants.length) lines.push(`const ${this.constants.map((_, i) => `k${i} = K[${i}]`).join(", ")};`);
    // Parenthesized, so V8 compiles the whole function at once, inside `start`'s try.
    lines.push(`return (${this.isAsync ? "async " : ""}function wflLoop(f) {`);
    if (slots.length) lines.push(`  let ${slots.map((s) => `v${s} = f[${s}]`).join(", ")};`);
    if (this.temps) lines.push(`  let ${Array.from({ length: this.temps }, (_, i) => `t${i}`).join(", ")};`);
    lines.push("  try {", body, "  } finally {", `    ${slots.map((s) => `f[${s}] = v${s};`).join(" ")}`, "  }", "  return undefined;", "});");
    return lines.join("\n");
  }

  private k(v: unknown): string {
    this.constants.push(v);
    return `k${this.constants.length - 1}`;
  }

  private t(): string {
    return `t${this.temps++}`;
  }

  // ── statements ──────────────────────────────────────────────────────────

  private block(stmts: Stmt[], scope: BlockScope): string {
    // As Compiler.block, minus hoisting (`allowed` keeps definitions out of fast loops).
    this.c.pendingActions.push([]);
    const parts = stmts.map((s) => this.stmt(s, scope));
    const saved = this.c.loopDepth;
    this.c.loopDepth = 0;
    for (const job of this.c.pendingActions.pop()!) job();
    this.c.loopDepth = saved;
    return parts.join("\n");
  }

  private stmt(s: Stmt, scope: BlockScope): string {
    switch (s.kind) {
      case "Store": return this.store(s, scope);
      case "Change": return this.change(s, scope);
      case "AddTo": case "SubtractFrom": return this.addTo(s, scope);
      case "If": {
        const cond = this.truthy(this.expr(s.cond, scope));
        const then = this.block(s.then, new BlockScope(scope.fn, scope));
        const other = s.otherwise ? this.block(s.otherwise, new BlockScope(scope.fn, scope)) : null;
        return `if (${cond}) {\n${then}\n}${other !== null ? ` else {\n${other}\n}` : ""}`;
      }
      case "CountLoop": case "ForEach": case "While": case "DoUntil": case "Forever": return this.loop(s, scope);
      case "Break": return `break ${this.innermost()};`;
      case "Continue": return `continue ${this.innermost()};`;
      case "ExitLoop": return this.topOutermost ? `break ${this.loops[0]!};` : `return ${Signal.ExitLoop};`;
      case "Return": return `f[${RET}] = ${s.value ? this.expr(s.value, scope) : "null"}; return ${Signal.Return};`;
      case "ExprStmt":
        // A bare name as a statement calls the action it names: the closure compiler knows how.
        return s.expr.kind === "Var" ? this.opaqueStmt(s, scope) : `${this.expr(s.expr, scope)};`;
      default: return this.opaqueStmt(s, scope);
    }
  }

  private innermost(): string {
    return this.loops[this.loops.length - 1]!;
  }

  /** A statement compiled by the closure compiler, called with the variables in the frame. */
  private opaqueStmt(s: Stmt, scope: BlockScope): string {
    const c = this.c.stmt(s, scope);
    if (!c) return "";
    if (c.async) this.isAsync = true;
    const fn = this.k(c.fn);
    const r = this.t();
    const inner = this.innermost();
    const exit = this.topOutermost ? `if (${r} === ${Signal.ExitLoop}) break ${this.loops[0]!}; ` : "";
    return `${OUT}; ${r} = ${c.async ? "await " : ""}${fn}(f); ${IN};\n`
      + `if (${r} !== undefined) { if (${r} === ${Signal.Continue}) continue ${inner}; if (${r} === ${Signal.Break}) break ${inner}; ${exit}return ${r}; }`;
  }

  private store(s: Stmt & { kind: "Store" }, scope: BlockScope): string {
    // As Compiler.declare; the unusual cases (a property, a name already here) go to it.
    const outer = scope.lookup(s.name);
    if ((outer && outer.kind === "prop") || scope.names.has(s.name)) return this.opaqueStmt(s, scope);
    const value = this.expr(s.value, scope); // before the name exists: `store x as x plus 1` reads an outer x
    const slot = scope.fn.allocate();
    scope.names.set(s.name, { kind: "var", slot, fn: scope.fn, constant: s.constant, name: s.name });
    this.locals.add(slot);
    return `v${slot} = ${value};`;
  }

  private change(s: Stmt & { kind: "Change" }, scope: BlockScope): string {
    const target = s.target;
    if (target.kind === "Var") {
      const b = scope.lookup(target.name);
      if (!b || b.kind !== "var" || b.constant) return this.opaqueStmt(s, scope);
      const value = this.expr(s.value, scope);
      return `${this.place(b.slot, scope.depthOf(b))} = ${value};`;
    }
    if (target.kind === "Index") {
      // The value first, then the list and the index, as the closures do.
      const value = this.expr(s.value, scope);
      const list = this.expr(target.target, scope);
      const index = this.expr(target.index, scope);
      const v = this.t(), l = this.t(), i = this.t();
      return `${v} = ${value}; ${l} = ${list}; ${i} = ${index};\n`
        + `if (Array.isArray(${l}) && typeof ${i} === "number" && ${i} >= 0 && ${i} < ${l}.length && Number.isInteger(${i})) ${l}[${i}] = ${v}; `
        + `else setIndex(${l}, ${i}, ${v}, ${this.k(target.span)});`;
    }
    return this.opaqueStmt(s, scope);
  }

  /** `add n to total` / `subtract n from total` on a variable of this action. */
  private addTo(s: Stmt & { kind: "AddTo" | "SubtractFrom" }, scope: BlockScope): string {
    const target = s.target;
    const b = target.kind === "Var" ? scope.lookup(target.name) : undefined;
    if (target.kind !== "Var" || !b || b.kind !== "var" || b.constant || scope.depthOf(b) !== 0) return this.opaqueStmt(s, scope);
    this.locals.add(b.slot);
    const op = s.kind === "AddTo" ? "+" : "-";
    const v = `v${b.slot}`;
    const value = this.expr(s.value, scope);
    const cur = this.t(), x = this.t(), r = this.t();
    return `${cur} = ${v}; ${x} = ${value};\n`
      + `if (typeof ${cur} === "number" && typeof ${x} === "number") ${v} = ${cur} ${op} ${x}; `
      + `else { ${r} = compoundValue("${op}", ${this.checked(v, target.name, target.span)}, ${x}, ${this.k(s.span)}); if (${r} !== undefined) ${v} = ${r}; }`;
  }

  // ── loops ───────────────────────────────────────────────────────────────

  loop(s: LoopStmt, scope: BlockScope): string {
    // Each case compiles its parts in the order Compiler's own loop method does.
    switch (s.kind) {
      case "CountLoop": {
        const from = this.expr(s.from, scope);
        const to = this.expr(s.to, scope);
        const step = s.step ? this.expr(s.step, scope) : "1";
        const [inner, slot] = this.c.loopVar(s.varName, scope);
        this.locals.add(slot);
        const [label, body] = this.loopBody(s.body, inner);
        const a = this.t(), b = this.t(), st = this.t(), i = this.t();
        const [cmp, move] = s.down ? [">=", "-="] : ["<=", "+="];
        return `${a} = ${from}; ${b} = ${to}; ${st} = ${step}; checkCountBounds(${a}, ${b}, ${st}, ${this.k(s.span)});\n`
          + `${label}: for (${i} = ${a}; ${i} ${cmp} ${b}; ${i} ${move} ${st}) {\nv${slot} = ${i}; heapTick();\n${body}\n}`;
      }
      case "ForEach": {
        const iterable = this.expr(s.iterable, scope);
        const span = this.k(s.iterable.span);
        const [inner, slot] = this.c.loopVar(s.name, scope);
        this.locals.add(slot);
        const [label, body] = this.loopBody(s.body, inner);
        const v = this.t(), arr = this.t(), n = this.t(), i = this.t();
        return `${v} = ${iterable}; ${arr} = forEachItems(${v}, ${s.reversed}, ${span}); ${n} = ${arr}.length;\n`
          + `${label}: for (${i} = 0; ${i} < ${n} && ${i} < ${arr}.length; ${i}++) {\nv${slot} = ${arr}[${i}]; heapTick();\n${body}\n}`;
      }
      case "While": {
        const cond = this.truthy(this.expr(s.cond, scope));
        const [label, body] = this.loopBody(s.body, new BlockScope(scope.fn, scope));
        return `${label}: while (${cond} !== ${s.until}) {\nheapTick();\n${body}\n}`;
      }
      case "DoUntil": {
        const inner = new BlockScope(scope.fn, scope);
        const [label, body] = this.loopBody(s.body, inner);
        const cond = this.truthy(this.expr(s.cond, inner));
        return `${label}: do {\nheapTick();\n${body}\n} while (!${cond});`;
      }
      case "Forever": {
        const [label, body] = this.loopBody(s.body, new BlockScope(scope.fn, scope));
        return `${label}: for (;;) {\nheapTick();\n${body}\n}`;
      }
    }
  }

  /** As Compiler.loopBody: `exit loop` leaves every loop, so only the outermost absorbs it. */
  private loopBody(stmts: Stmt[], scope: BlockScope): [string, string] {
    if (this.loops.length === 0) this.topOutermost = this.c.loopDepth === 0;
    const label = `L${this.labels++}`;
    this.loops.push(label);
    this.c.loopDepth++;
    try {
      return [label, this.block(stmts, scope)];
    } finally {
      this.c.loopDepth--;
      this.loops.pop();
    }
  }

  // ── expressions ─────────────────────────────────────────────────────────

  private expr(e: Expr, scope: BlockScope): string {
    // Very deep expressions stay closures: V8 would fail to compile the nested JavaScript.
    if (this.depth >= MAX_EXPR_DEPTH) return this.opaqueExpr(e, scope);
    this.depth++;
    try {
      return this.exprText(e, scope);
    } finally {
      this.depth--;
    }
  }

  private exprText(e: Expr, scope: BlockScope): string {
    switch (e.kind) {
      case "Number":
        // Finite literals are written as numbers so V8 sees constants (`n % 10`).
        return Number.isFinite(e.value) && !Object.is(e.value, -0) ? `(${String(e.value)})` : this.k(e.value);
      case "Text": return this.k(e.value);
      case "Boolean": return e.value ? "true" : "false";
      case "Nothing": return "null";
      case "EmptyList": return "[]";
      case "EmptyMap": return "new WflObject()";
      case "ListLit": return `[${e.items.map((i) => this.expr(i, scope)).join(", ")}]`;
      case "Var": return this.variable(e, scope) ?? this.opaqueExpr(e, scope);
      case "Binary": return this.binary(e, scope);
      case "Logical": {
        const l = this.expr(e.left, scope), r = this.expr(e.right, scope);
        return `(isTruthy(${l}) ${e.op === "and" ? "&&" : "||"} isTruthy(${r}))`;
      }
      case "Not": return `!isTruthy(${this.expr(e.operand, scope)})`;
      case "Negate": return `negate(${this.expr(e.operand, scope)}, ${this.k(e.span)})`;
      case "Concat": {
        if (this.c.resolution.calls.has(e)) return this.opaqueExpr(e, scope); // `area with w and h`
        const l = this.expr(e.left, scope), r = this.expr(e.right, scope);
        const a = this.t(), b = this.t();
        return `((${a} = ${l}), (${b} = ${r}), typeof ${a} === "string" && typeof ${b} === "string" && ${a}.length + ${b}.length <= ${MAX_TEXT_LENGTH}`
          + ` ? ${a} + ${b} : concatText(${a}, ${b}, ${this.k(e.span)}))`;
      }
      case "Index": {
        const target = this.expr(e.target, scope), index = this.expr(e.index, scope);
        const c = this.t(), k = this.t(), v = this.t(), span = this.k(e.span);
        return `((${c} = ${target}), (${k} = ${index}), Array.isArray(${c}) && typeof ${k} === "number"`
          + ` ? ((${v} = ${c}[${k}]) !== undefined && ${k} >= 0 && Number.isInteger(${k}) ? ${v} : getIndex(${c}, ${k}, ${span}))`
          + ` : ${c} instanceof WflObject && typeof ${k} === "string" && (${v} = ${c}.get(${k})) !== undefined ? ${v} : getIndex(${c}, ${k}, ${span}))`;
      }
      case "Call": return this.nativeCall(e, scope) ?? this.opaqueExpr(e, scope);
      default: return this.opaqueExpr(e, scope);
    }
  }

  /** An expression compiled by the closure compiler, called with the variables in the frame. */
  private opaqueExpr(e: Expr, scope: BlockScope): string {
    const c = this.c.expr(e, scope);
    if (c.async) this.isAsync = true;
    const fn = this.k(c.fn);
    const t = this.t();
    return `(${OUT}, ${t} = ${c.async ? "await " : ""}${fn}(f), ${IN}, ${t})`;
  }

  /** Where a variable `depth` actions out lives: a JavaScript variable for this action's own. */
  private place(slot: number, depth: number): string {
    if (depth === 0) {
      this.locals.add(slot);
      return `v${slot}`;
    }
    return `f${"[0]".repeat(depth)}[${slot}]`;
  }

  private variable(e: Expr & { kind: "Var" }, scope: BlockScope): string | null {
    const b = scope.lookup(e.name);
    if (!b || b.kind !== "var") return null; // actions, properties, builtins, constants, mistakes
    const place = this.place(b.slot, scope.depthOf(b));
    if (place.startsWith("v")) return this.checked(place, e.name, e.span);
    const t = this.t();
    return `((${t} = ${place}) !== undefined ? ${t} : U(${this.k(e.name)}, ${this.k(e.span)}))`;
  }

  /** A variable's value, or the "used before it has a value" error. */
  private checked(v: string, name: string, span: unknown): string {
    return `(${v} !== undefined ? ${v} : U(${this.k(name)}, ${this.k(span)}))`;
  }

  private truthy(code: string): string {
    const t = this.t();
    return `((${t} = ${code}) === true || (${t} !== false && isTruthy(${t})))`;
  }

  private binary(e: Expr & { kind: "Binary" }, scope: BlockScope): string {
    const l = this.expr(e.left, scope), r = this.expr(e.right, scope);
    const a = this.t(), b = this.t();
    const both = `(${a} = ${l}), (${b} = ${r}), `;
    const numbers = `typeof ${a} === "number" && typeof ${b} === "number"`;
    const slow = `${this.k(binaryOperation(e.op, e.opSpan))}(${a}, ${b})`;
    switch (e.op) {
      case "+": case "-": case "*": case "<": case ">": case "<=": case ">=":
        return `(${both}${numbers} ? ${a} ${e.op} ${b} : ${slow})`;
      case "%":
        return `(${both}${numbers} && ${b} !== 0 ? ${a} % ${b} : ${slow})`;
      case "==":
        return `(${both}${a} === ${b} || (${numbers} ? Math.abs(${a} - ${b}) < Number.EPSILON : ${slow}))`;
      case "!=":
        return `(${both}${a} !== ${b} && (${numbers} ? !(Math.abs(${a} - ${b}) < Number.EPSILON) : ${slow}))`;
      default:
        return `(${both}${slow})`;
    }
  }

  /**
   * A call to a builtin (not shadowed by a name of the program). Builtins cannot run program code,
   * so the variables need not go back to the frame around them.
   */
  private nativeCall(e: Expr & { kind: "Call" }, scope: BlockScope): string | null {
    if (scope.lookup(e.callee)) return null;
    const native = this.c.registry.functions.get(e.callee);
    const n = e.args.length;
    if (!native || native.isAsync || n < native.minArity || n > native.maxArity) return null;
    const args = e.args.map((a) => this.expr(a, scope));
    const call = this.k(this.c.nativeCaller(native, e.calleeSpan));
    if (native.name === "push" && n === 2) {
      const l = this.t(), v = this.t();
      // At the length limit the registered push reports the error.
      return `((${l} = ${args[0]!}), (${v} = ${args[1]!}), Array.isArray(${l}) && ${l}.length < limits.listItems ? (${l}.push(${v}), null) : ${call}([${l}, ${v}]))`;
    }
    if ((native.name === "length" || native.name === "size") && n === 1) {
      const x = this.t();
      return `((${x} = ${args[0]!}), Array.isArray(${x}) ? ${x}.length : ${call}([${x}]))`;
    }
    return `${call}([${args.join(", ")}])`;
  }
}
