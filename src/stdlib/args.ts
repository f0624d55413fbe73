// Argument checks shared by every standard-library module, so all natives word type errors alike.
import { type Value, typeName, isList, isObject, isBinary } from "../runtime/values.js";
import { fail } from "../runtime/errors.js";

function wrong(fn: string, expected: string, v: Value): never {
  throw fail(`${fn} expects ${expected}, got ${typeName(v)}`, "type");
}

export function num(fn: string, v: Value): number {
  return typeof v === "number" ? v : wrong(fn, "a number", v);
}
export function int(fn: string, v: Value): number {
  if (typeof v !== "number") wrong(fn, "a number", v);
  return Math.trunc(v);
}
export function text(fn: string, v: Value): string {
  return typeof v === "string" ? v : wrong(fn, "text", v);
}
export function list(fn: string, v: Value): Value[] {
  return isList(v) ? v : wrong(fn, "a list", v);
}
export function obj(fn: string, v: Value): Map<string, Value> {
  return isObject(v) ? v : wrong(fn, "an object", v);
}
export function bin(fn: string, v: Value): Uint8Array {
  return isBinary(v) ? v : wrong(fn, "binary data", v);
}
export function bool(fn: string, v: Value): boolean {
  return typeof v === "boolean" ? v : wrong(fn, "a boolean (yes or no)", v);
}

/** Throw the standard type error for an argument accepted in several shapes: `wrongType("length", "a list, text or binary data", v)`. */
export function wrongType(fn: string, expected: string, v: Value): never {
  return wrong(fn, expected, v);
}
