// The one registry through which standard-library modules plug into the runtime.
// A module exports `register(r: Registry)` and calls `r.fn(...)` / `r.constant(...)`.
import type { Value, WflCallable } from "../runtime/values.js";

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

export interface FnOptions {
  /** Arity: a number, or [min, max] (max may be Infinity). */
  arity: number | [number, number];
  /** Set when impl may return a Promise. */
  async?: boolean;
  /** Other names the same function answers to (e.g. `to_uppercase` for `touppercase`). */
  aliases?: string[];
}

export class Registry {
  readonly functions = new Map<string, NativeFunction>();
  readonly constants = new Map<string, Value>();

  fn(name: string, opts: FnOptions, impl: NativeImpl): void {
    const [minArity, maxArity] = typeof opts.arity === "number" ? [opts.arity, opts.arity] : opts.arity;
    for (const n of [name, ...(opts.aliases ?? [])]) {
      this.functions.set(n, { kind: "native", name: n, minArity, maxArity, isAsync: opts.async ?? false, impl });
    }
  }

  constant(name: string, value: Value): void {
    this.constants.set(name, value);
  }
}
