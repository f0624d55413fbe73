// Shared helpers for self-describing password hashes (PHC strings) and password inputs.
import * as nodeCrypto from "node:crypto";
import { fail } from "../../runtime/errors.js";
import type { Value } from "../../runtime/values.js";
import { text } from "../args.js";

export const MAX_PASSWORD_BYTES = 4096;

/** Unpadded standard base64, as PHC strings use it. */
export function b64(buf: Uint8Array): string {
  return Buffer.from(buf).toString("base64").replace(/=+$/, "");
}
export function unb64(s: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*$/.test(s) || s.length % 4 === 1) return undefined;
  return Buffer.from(s, "base64");
}

/** The password argument of a `*_hash` function as UTF-8 bytes (at most 4096). */
export function passwordBytes(fn: string, v: Value): Buffer {
  const b = Buffer.from(text(fn, v), "utf8");
  if (b.length > MAX_PASSWORD_BYTES) throw fail(`${fn}: the password is longer than ${MAX_PASSWORD_BYTES} bytes`);
  return b;
}

export function safeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && nodeCrypto.timingSafeEqual(a, b);
}

/** Parse `k=v,k=v` parameters; undefined when malformed or a key repeats. */
export function parseParams(s: string): Map<string, string> | undefined {
  const params = new Map<string, string>();
  for (const kv of s.split(",")) {
    const eq = kv.indexOf("=");
    if (eq <= 0 || params.has(kv.slice(0, eq))) return undefined;
    params.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  return params;
}

/** Split a PHC string `$id$params$salt$hash` into its parts and parameter map. */
export function parsePhc(stored: string, id: string): { params: Map<string, string>; salt: Buffer; hash: Buffer } | undefined {
  const parts = stored.split("$");
  if (parts.length !== 5 || parts[0] !== "" || parts[1] !== id) return undefined;
  const params = parseParams(parts[2]!);
  const salt = unb64(parts[3]!);
  const hash = unb64(parts[4]!);
  if (!params || !salt || !hash || salt.length === 0 || hash.length === 0) return undefined;
  return { params, salt, hash };
}

export function intParam(params: Map<string, string>, key: string, min: number, max: number): number | undefined {
  const raw = params.get(key);
  if (raw === undefined || !/^\d{1,10}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= min && n <= max ? n : undefined;
}

const warned = new Set<string>();

/**
 * A well-formed stored hash whose cost parameters are above this runtime's limits: it verifies as
 * false (like a malformed hash, before any work is done) and the first such hash of each
 * algorithm is reported once on stderr, so an operator can tell a refused hash from a wrong
 * password.
 */
export function overCap(fn: string, algorithm: string, detail: string): false {
  if (!warned.has(algorithm)) {
    warned.add(algorithm);
    process.stderr.write(`warning: ${fn}: a stored ${algorithm} hash asks for more work than this runtime allows (${detail}), so it does not verify\n`);
  }
  return false;
}

const warnedUnreadable = new Set<string>();

/**
 * A stored hash that is not a password hash this runtime can read (not text, an unknown
 * algorithm, or damaged): it verifies as false, and the first one each function meets in a
 * process is reported once on stderr, so a damaged record can be told from a wrong password.
 */
export function unreadable(fn: string): false {
  if (!warnedUnreadable.has(fn)) {
    warnedUnreadable.add(fn);
    process.stderr.write(`warning: ${fn}: a stored password hash could not be read (it is not a hash this runtime knows, or it is damaged), so it does not verify\n`);
  }
  return false;
}
