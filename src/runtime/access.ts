// Reading and writing list items, object keys and properties, as compiled code does them.
import { type Value, isList, isObject, typeName } from "./values.js";
import { formatValue } from "./display.js";
import { WflRuntimeError } from "./errors.js";
import type { Span } from "../ast/span.js";
import { checkMapGrowth, mapLimits } from "./memory.js";
import { cpLength, cpSlice } from "../stdlib/text/unicode.js";

/** The longest text V8 can hold (2^29 - 24 UTF-16 units on 64-bit). */
export const MAX_TEXT_LENGTH = (1 << 29) - 24;

/** Joins two texts, or fails (at `span`) when the result would be longer than a text can be. */
export function joinText(a: string, b: string, span?: Span): string {
  if (a.length + b.length > MAX_TEXT_LENGTH) throw new WflRuntimeError("This text would be too long (over about 500 million characters)", "general", span);
  return a + b;
}

export function concatText(a: Value, b: Value, span?: Span): string {
  return joinText(typeof a === "string" ? a : formatValue(a), typeof b === "string" ? b : formatValue(b), span);
}

export function show(v: Value): string {
  return typeof v === "string" ? `"${v}"` : formatValue(v);
}

export function isEmpty(v: Value): boolean {
  if (v === null) return true;
  if (typeof v === "string" || isList(v)) return v.length === 0;
  if (isObject(v)) return v.size === 0;
  if (v instanceof Uint8Array) return v.length === 0;
  return false;
}

export function lengthOf(v: Value): number | null {
  if (typeof v === "string") return cpLength(v); // never a list of every character
  if (isList(v) || v instanceof Uint8Array) return v.length;
  if (isObject(v)) return v.size;
  return null;
}

export function toIndex(i: Value, span: Span): number {
  if (typeof i !== "number" || !Number.isInteger(i)) {
    throw new WflRuntimeError(`A list index must be a whole number, got ${formatValue(i)}`, "type", span);
  }
  return i;
}

export function getIndex(t: Value, i: Value, span: Span): Value {
  if (isList(t)) {
    const n = toIndex(i, span);
    if (n < 0 || n >= t.length) throw new WflRuntimeError(`Index ${n} out of bounds for list of length ${t.length}`, "general", span);
    return t[n]!;
  }
  if (isObject(t)) {
    const k = formatValue(i);
    const v = t.get(k);
    if (v === undefined) throw new WflRuntimeError(`Object has no key '${k}'`, "general", span);
    return v;
  }
  if (typeof t === "string") {
    // Code points, counted without a list of every character (a long text's would be too long).
    const length = cpLength(t);
    const n = toIndex(i, span);
    if (n < 0 || n >= length) throw new WflRuntimeError(`Index ${n} out of bounds for text of length ${length}`, "general", span);
    return cpSlice(t, n, 1);
  }
  if (t instanceof Uint8Array) {
    const n = toIndex(i, span);
    if (n < 0 || n >= t.length) throw new WflRuntimeError(`Index ${n} out of bounds for binary of length ${t.length}`, "general", span);
    return t[n]!;
  }
  throw new WflRuntimeError(`Cannot index into ${typeName(t)}`, "type", span);
}

export function setIndex(t: Value, i: Value, v: Value, span: Span): void {
  if (isList(t)) {
    const n = toIndex(i, span);
    if (n < 0 || n >= t.length) throw new WflRuntimeError(`Index ${n} out of bounds for list of length ${t.length}`, "general", span);
    t[n] = v;
    return;
  }
  if (isObject(t)) {
    const k = formatValue(i);
    if (t.size >= mapLimits.entries && !t.has(k)) checkMapGrowth(t.size, span);
    t.set(k, v);
    return;
  }
  throw new WflRuntimeError(`Cannot change an item of ${typeName(t)}`, "type", span);
}

export function getMember(t: Value, name: string, span: Span): Value {
  if (isObject(t)) {
    const v = t.get(name);
    if (v === undefined) throw new WflRuntimeError(`Object has no key '${name}'`, "general", span);
    return v;
  }
  if (t !== null && typeof t === "object" && "kind" in t && (t as { kind: string }).kind === "instance") {
    const props = (t as { props: Map<string, Value> }).props;
    if (props.has(name)) return props.get(name)!;
    throw new WflRuntimeError(`${(t as { container: { name: string } }).container.name} has no property '${name}'`, "general", span);
  }
  if (name === "length" && (typeof t === "string" || isList(t))) return lengthOf(t)!;
  throw new WflRuntimeError(`Cannot read property '${name}' of ${typeName(t)}`, "type", span);
}

export function setMember(t: Value, name: string, v: Value, span: Span): void {
  if (isObject(t)) {
    if (t.size >= mapLimits.entries && !t.has(name)) checkMapGrowth(t.size, span);
    t.set(name, v);
    return;
  }
  if (t !== null && typeof t === "object" && "kind" in t && (t as { kind: string }).kind === "instance") {
    (t as { props: Map<string, Value> }).props.set(name, v);
    return;
  }
  throw new WflRuntimeError(`Cannot set property '${name}' on ${typeName(t)}`, "type", span);
}

