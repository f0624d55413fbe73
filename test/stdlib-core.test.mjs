// Core and math modules: called straight through the registry, as the runtime would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { standardLibrary, WflRuntimeError, makeObject } from "../dist/internal.js";

const lib = standardLibrary();
function ctx() {
  const lines = [];
  return { scriptDir: process.cwd(), config: new Map(), writeLine(s) { lines.push(s); }, lines };
}
const call = (name, ...args) => {
  const f = lib.functions.get(name);
  assert.ok(f, `${name} is registered`);
  assert.ok(args.length >= f.minArity && args.length <= f.maxArity, `${name} accepts ${args.length} args`);
  return f.impl(args, ctx());
};
const throwsWfl = (fn, re) => assert.throws(fn, (e) => e instanceof WflRuntimeError && re.test(e.message));

test("typeof names every basic type, with the type_of alias", () => {
  assert.equal(call("typeof", 42), "Number");
  assert.equal(call("typeof", "x"), "Text");
  assert.equal(call("typeof", true), "Boolean");
  assert.equal(call("typeof", null), "Null");
  assert.equal(call("typeof", [1]), "List");
  assert.equal(call("type_of", makeObject({ a: 1 })), "Object");
  assert.equal(call("typeof", new Uint8Array(2)), "Binary");
});

test("isnothing / is_nothing", () => {
  assert.equal(call("isnothing", null), true);
  assert.equal(call("is_nothing", 0), false);
  assert.equal(call("isnothing", ""), false);
});

test("print joins arguments with single spaces using display formatting", () => {
  const c = ctx();
  const print = lib.functions.get("print");
  assert.equal(print.minArity, 0);
  assert.equal(print.maxArity, Infinity);
  assert.equal(print.impl(["a", 1.5, true, null, [1, "x"]], c), null);
  print.impl([], c);
  print.impl([3.0, -0], c);
  assert.deepEqual(c.lines, ["a 1.5 yes nothing [1, x]", "", "3 -0"]);
});

test("core constants", () => {
  assert.equal(lib.constants.get("newline"), "\n");
  assert.equal(lib.constants.get("tab"), "\t");
  assert.equal(lib.constants.get("wfl_version"), "26.8.8");
});

test("abs, floor, ceil", () => {
  assert.equal(call("abs", -3.14), 3.14);
  assert.equal(call("floor", -2.3), -3);
  assert.equal(call("ceil", -2.1), -2);
  assert.equal(call("ceil", 3.1), 4);
});

test("round rounds halves away from zero", () => {
  assert.equal(call("round", 2.5), 3);
  assert.equal(call("round", -2.5), -3);
  assert.equal(call("round", -1.5), -2);
  assert.equal(call("round", 3.2), 3);
  assert.equal(call("round", -2.7), -3);
  assert.equal(call("round", 0.49999999999999994), 0);
  assert.ok(Object.is(call("round", -0.4), -0));
});

test("sqrt, power, trig", () => {
  assert.equal(call("sqrt", 144), 12);
  throwsWfl(() => call("sqrt", -4), /^sqrt of negative number: -4$/);
  assert.equal(call("power", 2, 10), 1024);
  assert.equal(call("power", 1, NaN), 1);
  assert.equal(call("sin", 0), 0);
  assert.equal(call("cos", 0), 1);
  assert.equal(call("tan", 0), 0);
});

test("min, max (NaN ignored like Rust), clamp", () => {
  assert.equal(call("min", 10, 5), 5);
  assert.equal(call("max", 10, 5), 10);
  assert.equal(call("min", NaN, 5), 5);
  assert.equal(call("max", 5, NaN), 5);
  assert.equal(call("clamp", 15, 0, 10), 10);
  assert.equal(call("clamp", -5, 0, 10), 0);
  assert.equal(call("clamp", 7.5, 0, 10), 7.5);
  assert.equal(call("clamp", 15, 20, 30), 20);
  throwsWfl(() => call("clamp", 1, 10, 0), /^clamp expects the minimum/);
});

test("math type errors name the function", () => {
  throwsWfl(() => call("abs", "x"), /^abs expects a number, got Text$/);
  const e = (() => { try { call("power", 2, "3"); } catch (err) { return err; } })();
  assert.equal(e.errorKind, "type");
});
