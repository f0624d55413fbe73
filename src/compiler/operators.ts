// What operators and loops do with values, shared by the closure compiler (compile.ts) and the
// fast loops (fast-loops.ts), so both run exactly the same checks and raise the same errors.
import type { Span } from "../ast/span.js";
import type { BinaryOp } from "../ast/nodes.js";
import { type Value, isList, isObject, typeName, valuesEqual } from "../runtime/values.js";
import { WflRuntimeError } from "../runtime/errors.js";
import * as ops from "../runtime/ops.js";
import { patternMatches } from "../stdlib/pattern/index.js";
import { assertNever } from "./assert-never.js";
import { checkAllocation, checkListGrowth, checkNewList } from "../runtime/memory.js";

/** A binary operator on any two values (the general case behind every fast path). */
export function binaryOperation(op: BinaryOp, span: Span): (a: Value, b: Value) => Value {
  switch (op) {
    case "+": return (a, b) => (typeof a === "number" && typeof b === "number" ? a + b : ops.add(a, b, span));
    case "-": return (a, b) => (typeof a === "number" && typeof b === "number" ? a - b : ops.subtract(a, b, span));
    case "*": return (a, b) => (typeof a === "number" && typeof b === "number" ? a * b : ops.multiply(a, b, span));
    case "/": return (a, b) => ops.divide(a, b, span);
    case "%": return (a, b) => (typeof a === "number" && typeof b === "number" && b !== 0 ? a % b : ops.modulo(a, b, span));
    case "==": return (a, b) => (a === b || valuesEqual(a, b));
    case "!=": return (a, b) => !(a === b || valuesEqual(a, b));
    case ">": return (a, b) => (typeof a === "number" && typeof b === "number" ? a > b : ops.compare(a, b, ">", span) > 0);
    case "<": return (a, b) => (typeof a === "number" && typeof b === "number" ? a < b : ops.compare(a, b, "<", span) < 0);
    case ">=": return (a, b) => (typeof a === "number" && typeof b === "number" ? a >= b : ops.compare(a, b, ">=", span) >= 0);
    case "<=": return (a, b) => (typeof a === "number" && typeof b === "number" ? a <= b : ops.compare(a, b, "<=", span) <= 0);
    case "contains": return (a, b) => ops.contains(a, b, span);
    case "starts with": return (a, b) => ops.startsWith(a, b, span);
    case "ends with": return (a, b) => ops.endsWith(a, b, span);
    case "matches": return (a, b) => patternMatches(a, b);
    case "not matches": return (a, b) => !patternMatches(a, b);
    default: return assertNever(op);
  }
}

export type CompoundOp = "+" | "-" | "*" | "/";

/**
 * `add x to target` and friends: the new value of the target, or undefined when the statement
 * changed the target in place (`add item to list` appends).
 */
export function compoundValue(op: CompoundOp, cur: Value, x: Value, span: Span): Value | undefined {
  if (op === "+" && isList(cur)) {
    checkListGrowth(cur, 1, span);
    cur.push(x);
    return undefined;
  }
  switch (op) {
    case "+": return ops.add(cur, x, span);
    case "-": return ops.subtract(cur, x, span);
    case "*": return ops.multiply(cur, x, span);
    case "/": return ops.divide(cur, x, span);
  }
}

/** `count from a to b by step` accepts numbers and a positive step. */
export function checkCountBounds(a: Value, b: Value, step: Value, span: Span): void {
  if (typeof a !== "number" || typeof b !== "number" || typeof step !== "number") {
    throw new WflRuntimeError(`count from … to … needs numbers, got ${typeName(a)}, ${typeName(b)} and ${typeName(step)}`, "type", span);
  }
  if (!(step > 0)) throw new WflRuntimeError("The step of a count loop must be greater than 0", "general", span);
}

/**
 * What `for each` walks: a list itself, in place (items added during the loop are not visited,
 * as in Python's `for`); a reversed copy of a list; the characters of a text; the keys of an
 * object; the bytes of binary data.
 */
export function forEachItems(v: Value, reversed: boolean, span: Span): Value[] {
  if (isList(v)) return reversed ? v.slice().reverse() : v;
  let arr: Value[];
  // The list of characters or bytes is checked against the limits before it is made.
  if (typeof v === "string") {
    checkNewList(v.length, span);
    checkAllocation(v.length * 40, span);
    arr = Array.from(v);
  } else if (isObject(v)) arr = [...v.keys()];
  else if (v instanceof Uint8Array) {
    checkNewList(v.length, span);
    checkAllocation(v.length * 8, span);
    arr = Array.from(v);
  }
  else throw new WflRuntimeError(`for each needs a list, text or object, got ${typeName(v)}`, "type", span);
  return reversed ? arr.reverse() : arr;
}

export function negate(v: Value, span: Span): number {
  if (typeof v !== "number") throw new WflRuntimeError(`Cannot negate ${typeName(v)}`, "type", span);
  return -v;
}

/** Reading a variable whose `store` has not run yet. */
export function usedBeforeValue(name: string, span: Span): never {
  throw new WflRuntimeError(`Variable '${name}' is used before it has a value`, "general", span);
}
