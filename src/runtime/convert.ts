// Values crossing between WFL and the host (embedding API: host actions' arguments and results).
//
//   WFL                 JavaScript
//   number              number
//   text                string
//   yes / no            true / false
//   nothing             null (undefined from the host also becomes nothing)
//   list                array (converted item by item)
//   map (object)        plain object (converted value by value); a JS Map also becomes a WFL map
//   binary data         Uint8Array (a Buffer from the host too)
//   anything else       its display text (dates, times, patterns, actions, handles …)
//
// A host value WFL cannot hold (a function, a symbol, a class instance, a value that contains
// itself) is a WFL error at the call.
import { type Value, WflObject } from "./values.js";
import { formatValue } from "./display.js";
import { WflRuntimeError } from "./errors.js";

/** What a host action receives and may return (a Promise of it, too). */
export type JsValue = null | boolean | number | string | Uint8Array | JsValue[] | { [key: string]: JsValue };

export function toJs(v: Value, seen: Set<unknown> = new Set()): JsValue {
  if (v === null || typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  if (v instanceof Uint8Array) return v;
  if (Array.isArray(v) || v instanceof WflObject) {
    if (seen.has(v)) throw new WflRuntimeError("A value that contains itself cannot be passed to the host", "type");
    seen.add(v);
    try {
      if (Array.isArray(v)) return v.map((x) => toJs(x, seen));
      const o: { [key: string]: JsValue } = {};
      for (const [k, x] of v) o[k] = toJs(x, seen);
      return o;
    } finally {
      seen.delete(v);
    }
  }
  return formatValue(v);
}

/** A host value as a WFL value; `what` names it in errors (e.g. "the result of 'lookup'"). */
export function toWfl(x: unknown, what: string, seen: Set<unknown> = new Set()): Value {
  if (x === null || x === undefined) return null;
  switch (typeof x) {
    case "number": case "string": case "boolean": return x;
    case "bigint": return Number(x);
  }
  if (x instanceof Uint8Array) return new Uint8Array(x);
  if (typeof x === "object") {
    const proto = Object.getPrototypeOf(x) as unknown;
    const plain = proto === Object.prototype || proto === null;
    if (Array.isArray(x) || x instanceof Map || plain) {
      if (seen.has(x)) throw new WflRuntimeError(`${what} contains itself, which WFL cannot hold`, "type");
      seen.add(x);
      try {
        if (Array.isArray(x)) return x.map((i) => toWfl(i, what, seen));
        const entries = x instanceof Map ? [...(x as Map<unknown, unknown>)] : Object.entries(x);
        const o = new WflObject();
        for (const [k, v] of entries) o.set(String(k), toWfl(v, what, seen));
        return o;
      } finally {
        seen.delete(x);
      }
    }
  }
  const kind = typeof x === "object" ? `a ${(x as object).constructor?.name ?? "object"}` : `a ${typeof x}`;
  throw new WflRuntimeError(`${what} is ${kind}, which WFL cannot hold`, "type");
}
