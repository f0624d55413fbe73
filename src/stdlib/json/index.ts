// JSON module. Objects come back as WflObject in document order; JSON null becomes nothing.
// stringify writes object keys sorted (by code point), and whole numbers without a fractional
// part (`25`, not `25.0`), the same as stringify_toml; pretty output indents by two spaces.
import type { Registry } from "../registry.js";
import {
  type Value, WflObject, WflDate, WflTime, WflDateTime, typeName, isObject,
} from "../../runtime/values.js";
import { formatValue } from "../../runtime/display.js";
import { fail } from "../../runtime/errors.js";
import { text } from "../args.js";
import { compareText } from "../text/unicode.js";

const MAX_DEPTH = 1000;

/** Turn JSON.parse output into WFL values (plain objects become WflObject). */
function fromJs(v: unknown): Value {
  if (v === null || typeof v !== "object") return v as Value;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = fromJs(v[i]);
    return v as Value[];
  }
  const o = new WflObject();
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    o.set(k, fromJs((v as Record<string, unknown>)[k]));
  }
  return o;
}

export function parseJson(src: string): Value {
  let raw: unknown;
  try {
    raw = JSON.parse(src);
  } catch (e) {
    throw fail(`parse_json could not parse the text: ${(e as Error).message}`);
  }
  try {
    return fromJs(raw);
  } catch {
    throw fail("parse_json could not parse the text: it is nested too deeply");
  }
}

function jsonNumber(n: number): string {
  // serde_json cannot hold NaN or infinities and writes them as null.
  return Number.isFinite(n) ? (Object.is(n, -0) ? "0" : String(n)) : "null";
}

/** The keys in code-point order; most maps (parse_json of sorted output, literals) already are. */
function sortedKeys(entries: Map<string, Value>): string[] {
  const keys: string[] = [];
  let sorted = true;
  let prev: string | undefined;
  for (const k of entries.keys()) {
    if (prev !== undefined && sorted && compareText(prev, k) > 0) sorted = false;
    keys.push(k);
    prev = k;
  }
  if (sorted) return keys;
  // A handful of keys (a typical JSON object): insertion sort, no comparator calls from the
  // built-in sort.
  if (keys.length <= 16) {
    for (let i = 1; i < keys.length; i++) {
      const k = keys[i]!;
      let j = i - 1;
      while (j >= 0 && compareText(keys[j]!, k) > 0) {
        keys[j + 1] = keys[j]!;
        j--;
      }
      keys[j + 1] = k;
    }
    return keys;
  }
  return keys.sort(compareText);
}

/**
 * A string as JSON text. Most strings (keys, plain words) need no escapes: they are quoted
 * directly; the rest go through JSON.stringify. Lone surrogates are escaped by JSON.stringify,
 * so any surrogate takes that path.
 */
function quote(s: string): string {
  if (s.length > 64) return JSON.stringify(s);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return '"' + s + '"';
}

/** Serialise a value; `indent` is "" for compact output, else the current indentation. */
function write(v: Value, pretty: boolean, indent: string, depth: number): string {
  switch (typeof v) {
    case "string":
      return quote(v);
    case "number":
      return jsonNumber(v);
    case "boolean":
      return v ? "true" : "false";
  }
  if (v === null) return "null";
  if (depth > MAX_DEPTH) throw fail("stringify_json cannot write a value nested this deeply (does it contain itself?)");
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    const inner = pretty ? indent + "  " : "";
    let out = "[";
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out += ",";
      if (pretty) out += "\n" + inner;
      out += write(v[i]!, pretty, inner, depth + 1);
    }
    return out + (pretty ? "\n" + indent + "]" : "]");
  }
  let entries: Map<string, Value> | undefined;
  if (isObject(v)) entries = v;
  else if ((v as { kind?: string }).kind === "instance") entries = (v as { props: Map<string, Value> }).props;
  if (entries) {
    if (entries.size === 0) return "{}";
    const keys = sortedKeys(entries);
    const inner = pretty ? indent + "  " : "";
    let out = "{";
    for (let i = 0; i < keys.length; i++) {
      if (i > 0) out += ",";
      if (pretty) out += "\n" + inner;
      const k = keys[i]!;
      out += quote(k) + (pretty ? ": " : ":");
      out += write(entries.get(k)!, pretty, inner, depth + 1);
    }
    return out + (pretty ? "\n" + indent + "}" : "}");
  }
  // Dates and times have no JSON type: write them as the text `display` shows.
  if (v instanceof WflDate || v instanceof WflTime || v instanceof WflDateTime) return JSON.stringify(formatValue(v));
  throw fail(`stringify_json cannot represent a ${typeName(v)} value in JSON`);
}

export function stringifyJson(v: Value, pretty: boolean): string {
  return write(v, pretty, "", 0);
}

export function register(r: Registry): void {
  r.fn("parse_json", { params: ["text"] }, (a) => parseJson(text("parse_json", a[0]!)));
  r.fn("stringify_json", { params: ["any"] }, (a) => stringifyJson(a[0]!, false));
  r.fn("stringify_json_pretty", { params: ["any"] }, (a) => stringifyJson(a[0]!, true));
}
