// WFL values → TOML text. Keys are sorted; within a table the plain values come first, then
// sub-tables (`[a.b]`) and arrays of tables (`[[a.b]]`). A table holding only sub-tables gets
// no header of its own. `nothing` in an object is left out (TOML has no null); in a list it is
// an error. Whole numbers are written as integers. Date/Time/DateTime become TOML local
// date/time values.
import { type Value, WflObject, WflDate, WflTime, WflDateTime, typeName } from "../../runtime/values.js";
import { fail } from "../../runtime/errors.js";
import { formatNumber } from "../../runtime/display.js";

const BARE = /^[A-Za-z0-9_-]+$/;
const pad2 = (n: number): string => String(n).padStart(2, "0");

export function stringifyToml(v: Value, pretty: boolean, fn: string): string {
  if (!(v instanceof WflObject))
    throw fail(`${fn}: a TOML document is always a table, so it needs an object, got ${typeName(v)}`);
  const w = new TomlWriter(pretty, fn);
  w.table(v, [], "root", new Set());
  return w.lines.length === 0 ? "" : w.lines.join("\n") + "\n";
}

function isTableArray(v: Value): v is WflObject[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => x instanceof WflObject);
}

export function tomlKey(k: string): string {
  return BARE.test(k) ? k : tomlString(k);
}

export function tomlString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"': out += '\\"'; continue;
      case "\\": out += "\\\\"; continue;
      case "\n": out += "\\n"; continue;
      case "\t": out += "\\t"; continue;
      case "\r": out += "\\r"; continue;
      case "\b": out += "\\b"; continue;
      case "\f": out += "\\f"; continue;
    }
    out += c < 0x20 || c === 0x7f ? "\\u" + c.toString(16).toUpperCase().padStart(4, "0") : ch;
  }
  return out + '"';
}

function tomlNumber(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  const s = formatNumber(n);
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return s;
  return s.includes(".") ? s : s + ".0";
}

class TomlWriter {
  readonly lines: string[] = [];
  constructor(private readonly pretty: boolean, private readonly fn: string) {}

  private fail(msg: string): never {
    throw fail(`${this.fn}: ${msg}`);
  }

  table(t: WflObject, path: string[], kind: "root" | "table" | "array", seen: Set<unknown>): void {
    if (seen.has(t)) this.fail("the value contains itself, so it cannot be written");
    seen.add(t);
    const keys = [...t.keys()].filter((k) => t.get(k) !== null).sort();
    const plain = keys.filter((k) => {
      const v = t.get(k)!;
      return !(v instanceof WflObject) && !isTableArray(v);
    });
    const nested = keys.filter((k) => !plain.includes(k));
    const header = path.map(tomlKey).join(".");
    if (kind === "array" || (kind === "table" && (plain.length > 0 || nested.length === 0))) {
      if (this.lines.length > 0) this.lines.push("");
      this.lines.push(kind === "array" ? `[[${header}]]` : `[${header}]`);
    }
    for (const k of plain) this.lines.push(`${tomlKey(k)} = ${this.value(t.get(k)!, true, seen)}`);
    for (const k of nested) {
      const v = t.get(k)!;
      if (v instanceof WflObject) this.table(v, [...path, k], "table", seen);
      else for (const item of v as WflObject[]) this.table(item, [...path, k], "array", seen);
    }
    seen.delete(t);
  }

  /** An inline value; `top` is a key's own value (pretty mode spreads those arrays over lines). */
  value(v: Value, top: boolean, seen: Set<unknown>): string {
    switch (typeof v) {
      case "string":
        return tomlString(v);
      case "number":
        return tomlNumber(v);
      case "boolean":
        return v ? "true" : "false";
    }
    if (v === null) this.fail("TOML has no null, so nothing cannot be written inside a list");
    if (v instanceof WflDate) return `${String(v.year).padStart(4, "0")}-${pad2(v.month)}-${pad2(v.day)}`;
    if (v instanceof WflTime) return `${pad2(v.hour)}:${pad2(v.minute)}:${pad2(v.second)}`;
    if (v instanceof WflDateTime)
      return `${String(v.year).padStart(4, "0")}-${pad2(v.month)}-${pad2(v.day)}T${pad2(v.hour)}:${pad2(v.minute)}:${pad2(v.second)}`;
    if (seen.has(v)) this.fail("the value contains itself, so it cannot be written");
    if (Array.isArray(v)) {
      seen.add(v);
      const items = v.map((x) => this.value(x, false, seen));
      seen.delete(v);
      if (items.length === 0) return "[]";
      if (this.pretty && top) return "[\n" + items.map((s) => `    ${s},\n`).join("") + "]";
      return `[${items.join(", ")}]`;
    }
    if (v instanceof WflObject) {
      seen.add(v);
      const parts = [...v.keys()]
        .filter((k) => v.get(k) !== null)
        .sort()
        .map((k) => `${tomlKey(k)} = ${this.value(v.get(k)!, false, seen)}`);
      seen.delete(v);
      return parts.length === 0 ? "{}" : `{ ${parts.join(", ")} }`;
    }
    return this.fail(`TOML cannot hold a ${typeName(v)} value`);
  }
}
