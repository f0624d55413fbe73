// Operators on WFL values. Fast paths for numbers live in the compiler; these are the general cases.
import { type Value, WflDate, WflTime, WflDateTime, typeName, valuesEqual, isList, isObject } from "./values.js";
import { formatValue } from "./display.js";
import { WflRuntimeError } from "./errors.js";
import type { Span } from "../ast/span.js";
import { joinText } from "./access.js";

export function add(a: Value, b: Value, span: Span): Value {
  if (typeof a === "number" && typeof b === "number") return checkFinite(a + b, span);
  if (typeof a === "string" || typeof b === "string") return joinText(formatValue(a), formatValue(b), span);
  if (isList(a) && isList(b)) return [...a, ...b];
  throw new WflRuntimeError(`Cannot add ${typeName(a)} and ${typeName(b)}`, "type", span);
}

export function subtract(a: Value, b: Value, span: Span): Value {
  if (typeof a === "number" && typeof b === "number") return checkFinite(a - b, span);
  throw new WflRuntimeError(`Cannot subtract ${typeName(b)} from ${typeName(a)}`, "type", span);
}

export function multiply(a: Value, b: Value, span: Span): Value {
  if (typeof a === "number" && typeof b === "number") return checkFinite(a * b, span);
  throw new WflRuntimeError(`Cannot multiply ${typeName(a)} and ${typeName(b)}`, "type", span);
}

export function divide(a: Value, b: Value, span: Span): Value {
  if (typeof a === "number" && typeof b === "number") {
    if (b === 0) throw new WflRuntimeError("Division by zero", "general", span);
    return checkFinite(a / b, span);
  }
  throw new WflRuntimeError(`Cannot divide ${typeName(a)} by ${typeName(b)}`, "type", span);
}

export function modulo(a: Value, b: Value, span: Span): Value {
  if (typeof a === "number" && typeof b === "number") {
    if (b === 0) throw new WflRuntimeError("Modulo by zero", "general", span);
    return a % b;
  }
  throw new WflRuntimeError(`Cannot compute ${typeName(a)} modulo ${typeName(b)}`, "type", span);
}

function checkFinite(n: number, span: Span): number {
  if (!Number.isFinite(n)) throw new WflRuntimeError("The result of this arithmetic is too large to represent", "general", span);
  return n;
}

function temporalKey(v: Value): number | null {
  if (v instanceof WflDate) return (v.year * 100 + v.month) * 100 + v.day;
  if (v instanceof WflTime) return (v.hour * 100 + v.minute) * 100 + v.second;
  if (v instanceof WflDateTime)
    return ((((v.year * 100 + v.month) * 100 + v.day) * 100 + v.hour) * 100 + v.minute) * 100 + v.second;
  return null;
}

/** Ordering for `>`, `<`, `>=`, `<=`: numbers, text, and dates/times of the same kind. */
export function compare(a: Value, b: Value, op: string, span: Span): number {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  const ka = temporalKey(a);
  const kb = temporalKey(b);
  if (ka !== null && kb !== null && typeName(a) === typeName(b)) return ka < kb ? -1 : ka > kb ? 1 : 0;
  throw new WflRuntimeError(`Cannot compare ${typeName(a)} and ${typeName(b)} with ${op}`, "type", span);
}

export function equals(a: Value, b: Value): boolean {
  return valuesEqual(a, b);
}

/** `haystack contains needle` for text, lists and objects (keys). */
export function contains(haystack: Value, needle: Value, span: Span): boolean {
  if (typeof haystack === "string") {
    // As `contains of T and X`: what a text contains is text (`"a42" contains 42` is an error too).
    if (typeof needle !== "string") throw new WflRuntimeError(`contains expects text, got ${typeName(needle)}`, "type", span);
    return haystack.includes(needle);
  }
  if (isList(haystack)) {
    for (const item of haystack) if (valuesEqual(item, needle)) return true;
    return false;
  }
  if (isObject(haystack)) return typeof needle === "string" && haystack.has(needle);
  if (haystack === null) return false;
  throw new WflRuntimeError(`Cannot check whether a ${typeName(haystack)} contains something; use text or a list`, "type", span);
}

export function startsWith(a: Value, b: Value, span: Span): boolean {
  if (typeof a === "string") return a.startsWith(formatValue(b));
  if (a === null) return false;
  throw new WflRuntimeError(`'starts with' needs text, got ${typeName(a)}`, "type", span);
}

export function endsWith(a: Value, b: Value, span: Span): boolean {
  if (typeof a === "string") return a.endsWith(formatValue(b));
  if (a === null) return false;
  throw new WflRuntimeError(`'ends with' needs text, got ${typeName(a)}`, "type", span);
}
