// The shapes compiled code takes: expression and statement closures, and the combinators that
// keep them synchronous when nothing can wait. Shared by every part of the compiler.
import type { Value } from "../runtime/values.js";
import { type Frame, Signal } from "../runtime/frame.js";
import { WflRuntimeError } from "../runtime/errors.js";
import type { Span } from "../ast/span.js";
import type { BlockScope, Binding } from "./scope.js";
import type { InstanceValue } from "../runtime/container.js";

export type R = Value | Promise<Value>;
export type Ev = (f: Frame) => R;
export interface CExpr {
  readonly fn: Ev;
  readonly async: boolean;
}
export type StmtResult = Signal | undefined;
export type Ex = (f: Frame) => StmtResult | Promise<StmtResult>;
export interface CStmt {
  readonly fn: Ex;
  readonly async: boolean;
}



export const NOOP: CStmt = { fn: () => undefined, async: false };

/** An expression that is always nothing (an optional part left out, for instance). */
export const NOTHING: CExpr = { fn: () => null, async: false };

/**
 * What a loop returns when its body ends with a signal other than `continue`: `break` (and
 * `exit loop` in the outermost loop) end the loop normally; `return`, and `exit loop` in an inner
 * loop, travel on up. Loops only call this after their body, so ending the loop is returning.
 */
export function loopExit(r: Signal, outermost: boolean): StmtResult {
  return r === Signal.Break || (r === Signal.ExitLoop && outermost) ? undefined : r;
}

/** `i times i`, `j is less than or equal to limit`: both operands read straight from the frame. */
export function twoLocalsFastPath(
  op: string, ls: number, rs: number, lf: (f: Frame) => Value, rf: (f: Frame) => Value, slow: (a: Value, b: Value) => Value,
): ((f: Frame) => Value) | null {
  switch (op) {
    case "+":
      return (f) => { const s = f, a = s[ls], b = s[rs]; return typeof a === "number" && typeof b === "number" ? a + b : slow(a === undefined ? lf(f) : a, b === undefined ? rf(f) : b); };
    case "-":
      return (f) => { const s = f, a = s[ls], b = s[rs]; return typeof a === "number" && typeof b === "number" ? a - b : slow(a === undefined ? lf(f) : a, b === undefined ? rf(f) : b); };
    case "*":
      return (f) => { const s = f, a = s[ls], b = s[rs]; return typeof a === "number" && typeof b === "number" ? a * b : slow(a === undefined ? lf(f) : a, b === undefined ? rf(f) : b); };
    case "<":
      return (f) => { const s = f, a = s[ls], b = s[rs]; return typeof a === "number" && typeof b === "number" ? a < b : slow(a === undefined ? lf(f) : a, b === undefined ? rf(f) : b); };
    case ">":
      return (f) => { const s = f, a = s[ls], b = s[rs]; return typeof a === "number" && typeof b === "number" ? a > b : slow(a === undefined ? lf(f) : a, b === undefined ? rf(f) : b); };
    case "<=":
      return (f) => { const s = f, a = s[ls], b = s[rs]; return typeof a === "number" && typeof b === "number" ? a <= b : slow(a === undefined ? lf(f) : a, b === undefined ? rf(f) : b); };
    case ">=":
      return (f) => { const s = f, a = s[ls], b = s[rs]; return typeof a === "number" && typeof b === "number" ? a >= b : slow(a === undefined ? lf(f) : a, b === undefined ? rf(f) : b); };
    case "==":
      return (f) => { const s = f, a = s[ls], b = s[rs]; return typeof a === "number" && typeof b === "number" ? Math.abs(a - b) < Number.EPSILON : slow(a === undefined ? lf(f) : a, b === undefined ? rf(f) : b); };
    default:
      return null;
  }
}

/**
 * `x minus 1`, `n is less than 2`, `i modulo 2`: a number on the right skips a closure call, and a
 * local variable on the left (slot ≥ 0) is read straight from the frame. Each operator gets its own
 * closure so V8 can inline the arithmetic.
 */
export function numberFastPath(op: string, lf: (f: Frame) => Value, k: number, slow: (a: Value, b: Value) => Value, slot: number): ((f: Frame) => Value) | null {
  switch (op) {
    case "+":
      return slot >= 0
        ? (f) => { const a = f[slot]; return typeof a === "number" ? a + k : slow(a === undefined ? lf(f) : a, k); }
        : (f) => { const a = lf(f); return typeof a === "number" ? a + k : slow(a, k); };
    case "-":
      return slot >= 0
        ? (f) => { const a = f[slot]; return typeof a === "number" ? a - k : slow(a === undefined ? lf(f) : a, k); }
        : (f) => { const a = lf(f); return typeof a === "number" ? a - k : slow(a, k); };
    case "*":
      return slot >= 0
        ? (f) => { const a = f[slot]; return typeof a === "number" ? a * k : slow(a === undefined ? lf(f) : a, k); }
        : (f) => { const a = lf(f); return typeof a === "number" ? a * k : slow(a, k); };
    case "%":
      return k === 0 ? null : slot >= 0
        ? (f) => { const a = f[slot]; return typeof a === "number" ? a % k : slow(a === undefined ? lf(f) : a, k); }
        : (f) => { const a = lf(f); return typeof a === "number" ? a % k : slow(a, k); };
    case "/":
      return k === 0 ? null : slot >= 0
        ? (f) => { const a = f[slot]; return typeof a === "number" ? a / k : slow(a === undefined ? lf(f) : a, k); }
        : (f) => { const a = lf(f); return typeof a === "number" ? a / k : slow(a, k); };
    case "<":
      return slot >= 0
        ? (f) => { const a = f[slot]; return typeof a === "number" ? a < k : slow(a === undefined ? lf(f) : a, k); }
        : (f) => { const a = lf(f); return typeof a === "number" ? a < k : slow(a, k); };
    case ">":
      return slot >= 0
        ? (f) => { const a = f[slot]; return typeof a === "number" ? a > k : slow(a === undefined ? lf(f) : a, k); }
        : (f) => { const a = lf(f); return typeof a === "number" ? a > k : slow(a, k); };
    case "<=":
      return slot >= 0
        ? (f) => { const a = f[slot]; return typeof a === "number" ? a <= k : slow(a === undefined ? lf(f) : a, k); }
        : (f) => { const a = lf(f); return typeof a === "number" ? a <= k : slow(a, k); };
    case ">=":
      return slot >= 0
        ? (f) => { const a = f[slot]; return typeof a === "number" ? a >= k : slow(a === undefined ? lf(f) : a, k); }
        : (f) => { const a = lf(f); return typeof a === "number" ? a >= k : slow(a, k); };
    case "==":
      return slot >= 0
        ? (f) => { const a = f[slot]; return typeof a === "number" ? Math.abs(a - k) < Number.EPSILON : slow(a === undefined ? lf(f) : a, k); }
        : (f) => { const a = lf(f); return typeof a === "number" ? Math.abs(a - k) < Number.EPSILON : slow(a, k); };
    default:
      return null;
  }
}

export function frameAt(f: Frame, depth: number): Frame {
  let x = f;
  for (let i = 0; i < depth; i++) x = x[0] as unknown as Frame;
  return x;
}

export function readBinding(b: Binding, scope: BlockScope, span: Span): CExpr {
  const depth = scope.depthOf(b);
  const slot = b.slot;
  const name = b.name;
  if (b.kind === "prop") {
    return {
      fn: (f) => {
        const v = (frameAt(f, depth)[slot] as InstanceValue).props.get(name);
        return v === undefined ? null : v;
      },
      async: false,
    };
  }
  if (depth === 0) {
    return {
      fn: (f) => {
        const v = f[slot];
        if (v === undefined) throw new WflRuntimeError(`Variable '${name}' is used before it has a value`, "general", span);
        return v;
      },
      async: false,
    };
  }
  if (depth === 1) {
    return {
      fn: (f) => {
        const v = (f[0] as unknown as Frame)[slot];
        if (v === undefined) throw new WflRuntimeError(`Variable '${name}' is used before it has a value`, "general", span);
        return v;
      },
      async: false,
    };
  }
  return {
    fn: (f) => {
      const v = frameAt(f, depth)[slot];
      if (v === undefined) throw new WflRuntimeError(`Variable '${name}' is used before it has a value`, "general", span);
      return v;
    },
    async: false,
  };
}

export function sequence(all: CStmt[]): CStmt {
  const fns = all.map((s) => s.fn);
  if (!all.some((s) => s.async)) {
    const n = fns.length;
    if (n === 0) return NOOP;
    if (n === 1) return { fn: fns[0]!, async: false };
    if (n === 2) {
      const [s0, s1] = fns as [Ex, Ex];
      return { fn: (f) => (s0(f) as StmtResult) ?? (s1(f) as StmtResult), async: false };
    }
    if (n === 3) {
      const [s0, s1, s2] = fns as [Ex, Ex, Ex];
      return { fn: (f) => (s0(f) as StmtResult) ?? (s1(f) as StmtResult) ?? (s2(f) as StmtResult), async: false };
    }
    if (n === 4) {
      const [s0, s1, s2, s3] = fns as [Ex, Ex, Ex, Ex];
      return { fn: (f) => (s0(f) as StmtResult) ?? (s1(f) as StmtResult) ?? (s2(f) as StmtResult) ?? (s3(f) as StmtResult), async: false };
    }
    return {
      fn: (f) => {
        for (let i = 0; i < n; i++) {
          const r = fns[i]!(f) as StmtResult;
          if (r !== undefined) return r;
        }
        return undefined;
      },
      async: false,
    };
  }
  const asyncFlags = all.map((s) => s.async);
  return {
    fn: async (f) => {
      for (let i = 0; i < fns.length; i++) {
        const r = asyncFlags[i] ? await fns[i]!(f) : (fns[i]!(f) as StmtResult);
        if (r !== undefined) return r;
      }
      return undefined;
    },
    async: true,
  };
}

export async function evalAll(args: CExpr[], f: Frame): Promise<Value[]> {
  const out: Value[] = [];
  for (const a of args) out.push(a.async ? await a.fn(f) : (a.fn(f) as Value));
  return out;
}

export function combine(parts: CExpr[], op: (vals: Value[]) => Value): CExpr {
  if (!parts.some((p) => p.async)) {
    const fns = parts.map((p) => p.fn as (f: Frame) => Value);
    return { fn: (f) => op(fns.map((p) => p(f))), async: false };
  }
  return { fn: async (f) => op(await evalAll(parts, f)), async: true };
}

/** Like combine, but the operation itself may return a promise (dynamic calls). */
export function combineMaybe(parts: CExpr[], op: (vals: Value[]) => R): CExpr {
  return { fn: async (f) => op(await evalAll(parts, f)), async: true };
}

export function map1(c: CExpr, op: (v: Value) => Value): CExpr {
  const cf = c.fn;
  if (!c.async) return { fn: (f) => op(cf(f) as Value), async: false };
  return { fn: async (f) => op(await cf(f)), async: true };
}

