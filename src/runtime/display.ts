// How values print: `display`, `with` concatenation and text conversion all use this.
import {
  type Value, WflObject, WflDate, WflTime, WflDateTime, WflPattern, WflOpaque, typeName,
} from "./values.js";

const pad2 = (n: number): string => (n < 10 ? "0" : "") + String(n);

/** Numbers print like Rust's f64 Display: shortest round-trip digits, never an exponent. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) {
    return Object.is(n, -0) ? "-0" : String(n);
  }
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  const s = String(n);
  const e = s.indexOf("e");
  if (e < 0) return s;
  // Expand the exponent form JS uses for very large and very small magnitudes.
  const neg = s.startsWith("-");
  const mantissa = s.slice(neg ? 1 : 0, e);
  const exp = Number(s.slice(e + 1));
  const dot = mantissa.indexOf(".");
  const digits = mantissa.replace(".", "");
  const pointPos = (dot < 0 ? mantissa.length : dot) + exp;
  let out: string;
  if (pointPos <= 0) out = "0." + "0".repeat(-pointPos) + digits;
  else if (pointPos >= digits.length) out = digits + "0".repeat(pointPos - digits.length);
  else out = digits.slice(0, pointPos) + "." + digits.slice(pointPos);
  return (neg ? "-" : "") + out;
}

/** The text `display` prints for a value. */
export function formatValue(v: Value, seen?: Set<unknown>): string {
  switch (typeof v) {
    case "string":
      return v;
    case "number":
      return formatNumber(v);
    case "boolean":
      return v ? "yes" : "no";
  }
  if (v === null) return "nothing";
  if (Array.isArray(v)) {
    if (seen?.has(v)) return "<cycle>";
    const s = seen ?? new Set<unknown>();
    s.add(v);
    const out = "[" + v.map((x) => formatValue(x, s)).join(", ") + "]";
    s.delete(v);
    return out;
  }
  if (v instanceof WflObject) {
    if (v.size === 0) return "[Object]";
    if (seen?.has(v)) return "<cycle>";
    const s = seen ?? new Set<unknown>();
    s.add(v);
    const parts: string[] = [];
    for (const [k, x] of v) parts.push(`${k}: ${formatValue(x, s)}`);
    s.delete(v);
    return "{" + parts.join(", ") + "}";
  }
  if (v instanceof Uint8Array) return `[Binary: ${v.length} bytes]`;
  if (v instanceof WflDate) return `${v.year}-${pad2(v.month)}-${pad2(v.day)}`;
  if (v instanceof WflTime) return `${pad2(v.hour)}:${pad2(v.minute)}:${pad2(v.second)}`;
  if (v instanceof WflDateTime)
    return `${v.year}-${pad2(v.month)}-${pad2(v.day)} ${pad2(v.hour)}:${pad2(v.minute)}:${pad2(v.second)}`;
  if (v instanceof WflPattern) return "[Pattern]";
  if (v instanceof WflOpaque) return v.label;
  switch ((v as { kind: string }).kind) {
    case "action":
      return `action ${(v as { name: string }).name}`;
    case "native":
      return `native ${(v as { name: string }).name}`;
    case "container":
      return `container ${(v as { name: string }).name}`;
    case "instance":
      return `${(v as { container: { name: string } }).container.name} instance`;
    case "interface":
      return `interface ${(v as { name: string }).name}`;
  }
  return `[${typeName(v)}]`;
}
