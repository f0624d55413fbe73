// The WFL value model. Plain JS values carry the common types so pure code runs
// without boxing: number → Number, string → Text, boolean → Boolean, null → nothing,
// Array → List, WflObject (a Map) → Object, Uint8Array → Binary.
// Everything else is a class below.

export type Value =
  | number
  | string
  | boolean
  | null
  | Value[]
  | WflObject
  | Uint8Array
  | WflCallable
  | WflDate
  | WflTime
  | WflDateTime
  | WflPattern
  | WflContainer
  | WflInstance
  | WflInterface
  | WflOpaque;

/** An object / map: string keys in insertion order. */
export class WflObject extends Map<string, Value> {}

/** Anything that can be called: user actions and native functions. */
export interface WflCallable {
  readonly kind: "action" | "native";
  readonly name: string;
}

export class WflDate {
  // Calendar date, no time zone.
  constructor(readonly year: number, readonly month: number, readonly day: number) {}
}
export class WflTime {
  constructor(readonly hour: number, readonly minute: number, readonly second: number) {}
}
export class WflDateTime {
  constructor(
    readonly year: number,
    readonly month: number,
    readonly day: number,
    readonly hour: number,
    readonly minute: number,
    readonly second: number,
  ) {}
}

/** A compiled `create pattern` or pattern value. */
export class WflPattern {
  constructor(readonly regex: RegExp, readonly source: string) {}
}

export interface WflContainer {
  readonly kind: "container";
  readonly name: string;
}
export interface WflInstance {
  readonly kind: "instance";
  readonly container: WflContainer;
  readonly props: Map<string, Value>;
}
export interface WflInterface {
  readonly kind: "interface";
  readonly name: string;
}

/** Host resources held by programs: file handles, servers, databases, processes. */
export class WflOpaque {
  constructor(readonly typeName: string, readonly label: string, readonly handle: unknown) {}
}

export function isList(v: Value): v is Value[] {
  return Array.isArray(v);
}
export function isObject(v: Value): v is WflObject {
  return v instanceof WflObject;
}
export function isBinary(v: Value): v is Uint8Array {
  return v instanceof Uint8Array;
}
export function isCallable(v: Value): v is WflCallable {
  return (
    typeof v === "object" && v !== null && "kind" in v &&
    ((v as WflCallable).kind === "action" || (v as WflCallable).kind === "native")
  );
}

/** The name `typeof` reports. */
export function typeName(v: Value): string {
  switch (typeof v) {
    case "number":
      return "Number";
    case "string":
      return "Text";
    case "boolean":
      return "Boolean";
  }
  if (v === null) return "Null";
  if (Array.isArray(v)) return "List";
  if (v instanceof WflObject) return "Object";
  if (v instanceof Uint8Array) return "Binary";
  if (v instanceof WflDate) return "Date";
  if (v instanceof WflTime) return "Time";
  if (v instanceof WflDateTime) return "DateTime";
  if (v instanceof WflPattern) return "Pattern";
  if (v instanceof WflOpaque) return v.typeName;
  switch ((v as { kind: string }).kind) {
    case "action":
      return "Function";
    case "native":
      return "NativeFunction";
    case "container":
      return "Container";
    case "instance":
      return "ContainerInstance";
    case "interface":
      return "Interface";
  }
  return "Unknown";
}

/** Truthiness: false for no, 0, "", empty list/object/binary and nothing. */
export function isTruthy(v: Value): boolean {
  switch (typeof v) {
    case "boolean":
      return v;
    case "number":
      return v !== 0 && !Number.isNaN(v);
    case "string":
      return v.length > 0;
  }
  if (v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof WflObject) return v.size > 0;
  if (v instanceof Uint8Array) return v.length > 0;
  return true;
}

/** WFL equality (`is`, `=`): numbers within EPSILON, deep for lists and objects. */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) < Number.EPSILON;
  if (a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i]!, b[i]!)) return false;
    return true;
  }
  if (a instanceof WflObject) {
    if (!(b instanceof WflObject) || a.size !== b.size) return false;
    for (const [k, v] of a) {
      if (!b.has(k) || !valuesEqual(v, b.get(k)!)) return false;
    }
    return true;
  }
  if (a instanceof Uint8Array) {
    if (!(b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (a instanceof WflDate && b instanceof WflDate)
    return a.year === b.year && a.month === b.month && a.day === b.day;
  if (a instanceof WflTime && b instanceof WflTime)
    return a.hour === b.hour && a.minute === b.minute && a.second === b.second;
  if (a instanceof WflDateTime && b instanceof WflDateTime)
    return (
      a.year === b.year && a.month === b.month && a.day === b.day &&
      a.hour === b.hour && a.minute === b.minute && a.second === b.second
    );
  return false;
}

/** Build an object from plain entries (convenience for the standard library). */
export function makeObject(entries: Record<string, Value> | Iterable<[string, Value]>): WflObject {
  const o = new WflObject();
  const it = Symbol.iterator in entries ? (entries as Iterable<[string, Value]>) : Object.entries(entries);
  for (const [k, v] of it) o.set(k, v);
  return o;
}
