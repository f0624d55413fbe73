// The one registry through which standard-library modules plug into the runtime.
// A module exports `register(r: Registry)` and calls `r.fn(...)` / `r.constant(...)`.
import {
  type Value, type WflCallable, WflDate, WflDateTime, WflObject, WflOpaque, WflPattern, WflTime, typeName,
} from "../runtime/values.js";
import { WflRuntimeError } from "../runtime/errors.js";
import { formatNumber } from "../runtime/display.js";
import { UNDECLARED_SIGNATURES } from "./signatures.js";

/** What a native function may know about the running program. */
export interface NativeContext {
  /** Directory of the running script (relative paths in file builtins resolve against the CWD, like upstream). */
  readonly scriptDir: string;
  /** Write a line of program output (display/print). */
  writeLine(text: string): void;
  /** Configuration from `.wflcfg` (string values as written). */
  readonly config: ReadonlyMap<string, string>;
}

export type NativeImpl = (args: Value[], ctx: NativeContext) => Value | Promise<Value>;

export interface NativeFunction extends WflCallable {
  readonly kind: "native";
  readonly name: string;
  readonly minArity: number;
  readonly maxArity: number; // Infinity for variadic
  /** True when the implementation can return a Promise: callers then compile to async code. */
  readonly isAsync: boolean;
  readonly impl: NativeImpl;
}

/**
 * What a declared parameter accepts. Every call is checked against the declaration before the
 * implementation runs (`checkCall`), so an implementation may rely on it.
 * - `any`: any value, nothing included (the implementation checks it).
 * - `number`: any number, NaN and ±inf included (IEEE arithmetic such as `abs`, `min`).
 * - `real`: a number that is not NaN (±inf allowed: `clamp of x and 0 and inf`).
 * - `finite`: a number that is neither NaN nor ±inf.
 * - `integer`: a finite number no larger in size than 2^53 − 1 (implementations truncate it).
 * - `text`, `list`, `map` (an object), `binary`, `boolean`, `nothing`, `date`, `time`,
 *   `datetime`, `pattern`, `file` (a file opened with `open file`).
 */
export type ParamKind =
  | "any" | "number" | "real" | "finite" | "integer" | "text" | "list" | "map" | "binary" | "boolean" | "nothing"
  | "date" | "time" | "datetime" | "pattern" | "file";

/**
 * One parameter: kinds joined by `|` (`"list|text"`); `?` at the end when it may be left out
 * (only after the required ones); `...` at the start of the last parameter when it takes any
 * number of values (`"...text"`).
 */
export type ParamSpec = string;

export interface FnOptions {
  /**
   * Arity: a number, or [min, max] (max may be Infinity). Implied by `params`; when both are
   * given they must agree.
   */
  arity?: number | [number, number];
  /** The parameters, one spec each (see ParamSpec). Every builtin declares them, here or in signatures.ts. */
  params?: readonly ParamSpec[];
  /** Set when impl may return a Promise. */
  async?: boolean;
  /** Other names the same function answers to (e.g. `to_uppercase` for `touppercase`). */
  aliases?: string[];
}

export class Registry {
  readonly functions = new Map<string, NativeFunction>();
  readonly constants = new Map<string, Value>();

  /** The declared parameters of each builtin (aliases included), for tools and tests. */
  readonly signatures = new Map<string, Signature>();

  /** Each alias with the name it stands for (`to_uppercase` → `touppercase`), for documentation. */
  readonly aliasOf = new Map<string, string>();

  fn(name: string, opts: FnOptions, impl: NativeImpl): void {
    const declared = opts.params ?? UNDECLARED_SIGNATURES[name];
    if (opts.params && UNDECLARED_SIGNATURES[name]) throw new Error(`builtin ${name} is declared twice (inline and in signatures.ts)`);
    if (!declared) throw new Error(`builtin ${name} declares no parameters`);
    const sig = parseSignature(name, declared);
    if (opts.arity !== undefined) {
      const [min, max] = typeof opts.arity === "number" ? [opts.arity, opts.arity] : opts.arity;
      if (min !== sig.minArity || max !== sig.maxArity) throw new Error(`builtin ${name}: arity ${min}..${max} disagrees with its parameters (${sig.minArity}..${sig.maxArity})`);
    }
    const { minArity, maxArity } = sig;
    for (const n of [name, ...(opts.aliases ?? [])]) {
      // Messages name the function as the program called it.
      const own = n === name ? sig : { ...sig, name: n };
      const checked = withChecks(own, impl);
      this.signatures.set(n, own);
      if (n !== name) this.aliasOf.set(n, name);
      this.functions.set(n, { kind: "native", name: n, minArity, maxArity, isAsync: opts.async ?? false, impl: checked });
    }
  }

  constant(name: string, value: Value): void {
    this.constants.set(name, value);
  }
}

// ---- declared signatures and the one validator -------------------------------------------------

interface Param {
  readonly kinds: readonly ParamKind[];
  readonly optional: boolean;
  readonly rest: boolean;
  /** What the parameter accepts, for messages: "a list or text". */
  readonly noun: string;
  }

export interface Signature {
  readonly name: string;
  readonly params: readonly Param[];
  readonly minArity: number;
  readonly maxArity: number;
}

const NOUNS: Record<ParamKind, string> = {
  any: "any value", number: "a number", real: "a number", finite: "a number", integer: "a number", text: "text", list: "a list",
  map: "an object", binary: "binary data", boolean: "a boolean (yes or no)", nothing: "nothing", date: "a Date",
  time: "a Time", datetime: "a DateTime", pattern: "a pattern", file: "a file opened with open file",
};

function nounFor(kinds: readonly ParamKind[]): string {
  // "a Date or DateTime": a type name after another drops its article.
  const nouns = [...new Set(kinds.map((k) => NOUNS[k]))].map((n, i, all) =>
    i > 0 && /^a [A-Z]/.test(n) && /^a [A-Z]/.test(all[i - 1]!) ? n.slice(2) : n);
  return nouns.length === 1 ? nouns[0]! : `${nouns.slice(0, -1).join(", ")} or ${nouns.at(-1)}`;
}

/** Parses a declaration once, when the builtin is registered; a malformed one stops start-up. */
export function parseSignature(name: string, specs: readonly ParamSpec[]): Signature {
  const params: Param[] = specs.map((raw, i) => {
    let spec = raw.trim();
    const rest = spec.startsWith("...");
    if (rest) spec = spec.slice(3);
    const optional = spec.endsWith("?");
    if (optional) spec = spec.slice(0, -1);
    const kinds = spec.split("|").map((k) => k.trim()) as ParamKind[];
    for (const k of kinds) if (!(k in NOUNS)) throw new Error(`builtin ${name}: unknown parameter kind '${k}' in '${raw}'`);
    if (rest && i !== specs.length - 1) throw new Error(`builtin ${name}: only the last parameter may take '...'`);
    return { kinds, optional, rest, noun: nounFor(kinds) };
  });
  let minArity = 0;
  for (const p of params) {
    if (p.optional || p.rest) break;
    minArity++;
  }
  if (params.slice(minArity).some((p) => !p.optional && !p.rest)) throw new Error(`builtin ${name}: a required parameter follows an optional one`);
  const last = params.at(-1);
  const maxArity = last?.rest ? Infinity : params.length;
  // `...text` takes one or more values; `...text?` none or more.
  const min = last?.rest && !last.optional && minArity === params.length - 1 ? params.length : minArity;
  return { name, params, minArity: min, maxArity };
}

/** "expects 3 to 6 arguments, got 7": the arity message, giving the real range. */
export function arityMessage(name: string, minArity: number, maxArity: number, got: number): string {
  const want =
    minArity === maxArity ? `${minArity} argument${minArity === 1 ? "" : "s"}`
    : maxArity === Infinity ? `at least ${minArity} argument${minArity === 1 ? "" : "s"}`
    : `${minArity} to ${maxArity} arguments`;
  return `${name} expects ${want}, got ${got}`;
}

function matches(kind: ParamKind, v: Value): boolean {
  switch (kind) {
    case "any": return true;
    case "number": case "real": case "finite": case "integer": return typeof v === "number";
    case "text": return typeof v === "string";
    case "list": return Array.isArray(v);
    case "map": return v instanceof WflObject;
    case "binary": return v instanceof Uint8Array;
    case "boolean": return typeof v === "boolean";
    case "nothing": return v === null;
    case "date": return v instanceof WflDate;
    case "time": return v instanceof WflTime;
    case "datetime": return v instanceof WflDateTime;
    case "pattern": return v instanceof WflPattern;
    case "file": return v instanceof WflOpaque && v.typeName === "File";
  }
}

const MAX_WHOLE = Number.MAX_SAFE_INTEGER;

/** Which numbers a parameter takes: the most permissive of its numeric kinds (null: none). */
function numberMode(kinds: readonly ParamKind[]): "number" | "real" | "finite" | "integer" | null {
  if (kinds.includes("any") || kinds.includes("number")) return "number";
  if (kinds.includes("real")) return "real";
  if (kinds.includes("finite")) return "finite";
  if (kinds.includes("integer")) return "integer";
  return null;
}

/** Why a number does not suit the parameter, or null when it does. */
function numberProblem(fn: string, kinds: readonly ParamKind[], x: number): string | null {
  const mode = numberMode(kinds);
  if (mode === "number") return null;
  if (x !== x) return `${fn} expects a number, got NaN`;
  if (mode === "real") return null;
  if (!Number.isFinite(x)) return `${fn} expects a finite number, got ${formatNumber(x)}`;
  if (mode === "integer" && (x > MAX_WHOLE || x < -MAX_WHOLE))
    return `${fn} expects a whole number between -${MAX_WHOLE} and ${MAX_WHOLE}, and this one is larger`;
  return null;
}

/** A JavaScript test of whether `x` suits a parameter (null: anything does). */
function acceptsSource(kinds: readonly ParamKind[], x: string): string | null {
  if (kinds.includes("any")) return null;
  const tests: string[] = [];
  switch (numberMode(kinds)) {
    case "number": tests.push(`typeof ${x} === "number"`); break;
    case "real": tests.push(`(typeof ${x} === "number" && ${x} === ${x})`); break;
    case "finite": tests.push(`(typeof ${x} === "number" && ${x} - ${x} === 0)`); break;
    case "integer": tests.push(`(typeof ${x} === "number" && ${x} >= -${MAX_WHOLE} && ${x} <= ${MAX_WHOLE})`); break;
  }
  for (const k of kinds) {
    switch (k) {
      case "number": case "real": case "finite": case "integer": break;
      case "text": tests.push(`typeof ${x} === "string"`); break;
      case "list": tests.push(`Array.isArray(${x})`); break;
      case "boolean": tests.push(`typeof ${x} === "boolean"`); break;
      case "nothing": tests.push(`${x} === null`); break;
      default: tests.push(`matches(${JSON.stringify(k)}, ${x})`);
    }
  }
  return tests.join(" || ");
}

/**
 * The implementation behind its checks, as Registry.fn registers it: a fast test of the arity and
 * of each argument, and checkCall (which words the error) only when one fails. The test is
 * generated as JavaScript for each builtin, so that each gets its own inline caches (one shared
 * closure would make every call site in it see every builtin, and run several times slower).
 */
export function withChecks(sig: Signature, impl: NativeImpl): NativeImpl {
  const { minArity, maxArity, params } = sig;
  const lines: string[] = [];
  lines.push(minArity === maxArity ? `if (args.length !== ${minArity}) return fail(args);` : `if (args.length < ${minArity}${maxArity === Infinity ? "" : ` || args.length > ${maxArity}`}) return fail(args);`);
  params.forEach((p, i) => {
    const test = acceptsSource(p.kinds, "x");
    if (test === null) return;
    if (p.rest) lines.push(`for (let i = ${i}; i < args.length; i++) { const x = args[i]; if (!(${test})) return fail(args); }`);
    else if (i < minArity) lines.push(`{ const x = args[${i}]; if (!(${test})) return fail(args); }`);
    else lines.push(`if (args.length > ${i}) { const x = args[${i}]; if (!(${test})) return fail(args); }`);
  });
  const id = sig.name.replace(/[^A-Za-z0-9_$]/g, "_");
  const source =
    `function check_${id}(args) {\n${lines.join("\n")}\n}\n` +
    `return function builtin_${id}(args, ctx) { check_${id}(args); return impl(args, ctx); };`;
  const fail = (args: readonly Value[]): void => checkCall(sig, args);
  return new Function("impl", "fail", "matches", source)(impl, fail, matches) as NativeImpl;
}

/**
 * The one validator: checks a call against the builtin's declaration before the implementation
 * runs, with the same messages however the builtin was called (`f of x`, the keyword forms that
 * call it, or a variable holding it).
 */
export function checkCall(sig: Signature, args: readonly Value[]): void {
  const n = args.length;
  if (n < sig.minArity || n > sig.maxArity) throw new WflRuntimeError(arityMessage(sig.name, sig.minArity, sig.maxArity, n), "general");
  const ps = sig.params;
  for (let i = 0; i < n; i++) {
    const p = ps[i < ps.length ? i : ps.length - 1]!;
    const v = args[i]!;
    const kinds = p.kinds;
    let ok = false;
    for (let k = 0; k < kinds.length; k++) {
      if (matches(kinds[k]!, v)) {
        ok = true;
        break;
      }
    }
    if (!ok) throw new WflRuntimeError(`${sig.name} expects ${p.noun}, got ${typeName(v)}`, "type");
    if (typeof v === "number") {
      const problem = numberProblem(sig.name, kinds, v);
      if (problem) throw new WflRuntimeError(problem, "general");
    }
  }
}
