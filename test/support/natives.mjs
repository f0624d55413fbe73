// Calling standard-library natives directly, as the stdlib-*.test.mjs files do.
import assert from "node:assert/strict";
import { standardLibrary, WflRuntimeError } from "../../dist/internal.js";

export const lib = standardLibrary();
export const ctx = { scriptDir: process.cwd(), config: new Map(), writeLine() {} };

/** Call a native by its WFL name, checking that it exists and accepts this many arguments. */
export function call(name, ...args) {
  const f = lib.functions.get(name);
  assert.ok(f, `${name} is registered`);
  assert.ok(args.length >= f.minArity && args.length <= f.maxArity, `${name} accepts ${args.length} args`);
  return f.impl(args, ctx);
}

/** Assert that `fn` throws a WFL runtime error whose message matches `re`. */
export const throwsWfl = (fn, re) => assert.throws(fn, (e) => e instanceof WflRuntimeError && re.test(e.message));
