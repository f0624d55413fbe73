// Small helpers the middleware share: case-insensitive access to a HeaderMap, and reading
// `.wflcfg` values (a value that does not parse keeps the default, as upstream WFL does).
import type { HeaderMap } from "../exchange.js";

/**
 * A header name in lower case. Responses use the same few spellings over and over
 * (`Content-Type`, `X-Request-Id`), so each spelling is lower-cased once and remembered.
 */
const lowered = new Map<string, string>();
export function lowerName(k: string): string {
  let l = lowered.get(k);
  if (l === undefined) {
    l = k.toLowerCase();
    if (lowered.size >= 1024) lowered.clear();
    lowered.set(k, l);
  }
  return l;
}

/** The key under which `name` is stored in `headers` (any case), or undefined. */
export function headerKey(headers: HeaderMap, name: string): string | undefined {
  if (name in headers) return name;
  const lower = lowerName(name);
  // This runs for every response: lengths are compared before any lower-casing.
  for (const k in headers) if (k.length === lower.length && lowerName(k) === lower) return k;
  return undefined;
}

/** The header's value (a repeated header joined with ", "), or undefined. */
export function getHeader(headers: HeaderMap, name: string): string | undefined {
  const k = headerKey(headers, name);
  if (k === undefined) return undefined;
  const v = headers[k]!;
  return Array.isArray(v) ? v.join(", ") : v;
}

/** Sets the header, replacing any value under any spelling of its name. */
export function setHeader(headers: HeaderMap, name: string, value: string): void {
  const k = headerKey(headers, name);
  if (k !== undefined && k !== name) delete headers[k];
  headers[name] = value;
}

/** Sets the header only when the response does not have it already (the program's value wins). */
export function defaultHeader(headers: HeaderMap, name: string, value: string): void {
  if (headerKey(headers, name) === undefined) headers[name] = value;
}

export function deleteHeader(headers: HeaderMap, name: string): void {
  const k = headerKey(headers, name);
  if (k !== undefined) delete headers[k];
}

/** Adds `field` to the response's `Vary` list (once). */
export function addVary(headers: HeaderMap, field: string): void {
  const current = getHeader(headers, "Vary");
  if (current === undefined || current.trim() === "") {
    setHeader(headers, "Vary", field);
    return;
  }
  const fields = current.split(",").map((s) => s.trim().toLowerCase());
  if (fields.includes("*") || fields.includes(field.toLowerCase())) return;
  setHeader(headers, "Vary", `${current}, ${field}`);
}

/** A request header (Node gives them lower-cased); a repeated one joined with ", ". */
export function requestHeader(raw: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = raw[name.toLowerCase()];
  return Array.isArray(v) ? v.join(", ") : v;
}

/**
 * One request header straight from Node's raw [name, value, …] list, the way the program sees it
 * in `headers` (repeated ones joined with ", ", cookies with "; "), without building the map.
 * `lower` is the name in lower case.
 */
export function rawHeader(raw: readonly string[], lower: string): string | undefined {
  let out: string | undefined;
  const n = lower.length;
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!;
    if (k.length !== n || k.toLowerCase() !== lower) continue;
    const v = raw[i + 1]!;
    out = out === undefined ? v : `${out}${lower === "cookie" ? "; " : ", "}${v}`;
  }
  return out;
}

/** The `.wflcfg` settings, as the runtime loaded them. */
export type Config = ReadonlyMap<string, string>;

export function cfgBool(config: Config, key: string, byDefault: boolean): boolean {
  const v = config.get(key)?.trim().toLowerCase();
  if (v === undefined || v === "") return byDefault;
  if (/^(true|yes|on|1)$/.test(v)) return true;
  if (/^(false|no|off|0)$/.test(v)) return false;
  return byDefault;
}

/** A whole number ≥ `min`, or the default. */
export function cfgInt(config: Config, key: string, byDefault: number, min = 0): number {
  const raw = config.get(key)?.trim();
  if (raw === undefined || raw === "") return byDefault;
  const v = Number(raw);
  return Number.isInteger(v) && v >= min ? v : byDefault;
}

/** Text; an empty value is the default. */
export function cfgText(config: Config, key: string, byDefault: string): string {
  const v = config.get(key)?.trim();
  return v === undefined || v === "" ? byDefault : v;
}

/** A comma-separated list (entries trimmed, empty ones dropped); unset is the default. */
export function cfgList(config: Config, key: string, byDefault: readonly string[]): string[] {
  const v = config.get(key);
  if (v === undefined) return [...byDefault];
  return v.split(",").map((s) => s.trim()).filter(Boolean);
}

/** Whether a setting turns a header off (`off`, `none`, `false`). */
export function isOff(value: string): boolean {
  return /^(off|none|false|no|0)$/i.test(value.trim());
}
