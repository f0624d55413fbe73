// JSON module: WflObject mapping, sorted keys, number formatting, pretty output.
import { test } from "node:test";
import assert from "node:assert/strict";
import { standardLibrary, WflRuntimeError, WflObject, WflDate, makeObject } from "../dist/internal.js";

const lib = standardLibrary();
const ctx = { scriptDir: process.cwd(), config: new Map(), writeLine() {} };
const call = (name, ...args) => lib.functions.get(name).impl(args, ctx);
const throwsWfl = (fn, re) => assert.throws(fn, (e) => e instanceof WflRuntimeError && re.test(e.message));

test("parse_json maps objects to WflObject and null to nothing", () => {
  const v = call("parse_json", '{"name": "Alice", "age": 30, "active": true, "scores": [95, 87, 91], "x": null}');
  assert.ok(v instanceof WflObject);
  assert.deepEqual([...v.keys()], ["name", "age", "active", "scores", "x"]);
  assert.equal(v.get("age"), 30);
  assert.deepEqual(v.get("scores"), [95, 87, 91]);
  assert.equal(v.get("x"), null);
  assert.deepEqual(call("parse_json", '[1, 2, 3, "test", true, null]'), [1, 2, 3, "test", true, null]);
  const nested = call("parse_json", '{"level1": {"level2": {"level3": "deep value"}}}');
  assert.equal(nested.get("level1").get("level2").get("level3"), "deep value");
  assert.ok(call("parse_json", '{"__proto__": 1}').has("__proto__"));
  assert.equal(call("parse_json", "42"), 42);
});

test("parse_json errors are WFL errors", () => {
  throwsWfl(() => call("parse_json", "{bad"), /^parse_json could not parse the text: /);
  throwsWfl(() => call("parse_json", 5), /^parse_json expects text, got Number$/);
  throwsWfl(() => call("parse_json", "[".repeat(100000) + "]".repeat(100000)), /^parse_json could not parse/);
});

test("stringify_json: compact, keys sorted, whole numbers without .0", () => {
  const original = '{"user": {"name": "Bob", "id": 123}, "verified": true}';
  assert.equal(call("stringify_json", call("parse_json", original)), '{"user":{"id":123,"name":"Bob"},"verified":true}');
  assert.equal(call("stringify_json", [10, 20, 30, "hello"]), '[10,20,30,"hello"]');
  assert.equal(call("stringify_json", 42), "42");
  assert.equal(call("stringify_json", 2.5), "2.5");
  assert.equal(call("stringify_json", true), "true");
  assert.equal(call("stringify_json", null), "null");
  assert.equal(call("stringify_json", NaN), "null");
  assert.equal(call("stringify_json", "hello \"world\"\n"), '"hello \\"world\\"\\n"');
  assert.equal(call("stringify_json", new WflObject()), "{}");
  assert.equal(call("stringify_json", makeObject({ b: 1, a: [], "é": "ü" })), '{"a":[],"b":1,"é":"ü"}');
  assert.equal(call("stringify_json", new WflDate(2025, 8, 9)), '"2025-08-09"');
});

test("stringify_json_pretty indents by two spaces", () => {
  const v = call("parse_json", '{"name":"Charlie","scores":[95,87,91],"metadata":{"verified":true,"id":456},"e":[]}');
  assert.equal(call("stringify_json_pretty", v), [
    "{",
    '  "e": [],',
    '  "metadata": {',
    '    "id": 456,',
    '    "verified": true',
    "  },",
    '  "name": "Charlie",',
    '  "scores": [',
    "    95,",
    "    87,",
    "    91",
    "  ]",
    "}",
  ].join("\n"));
  assert.equal(call("stringify_json_pretty", [1]), "[\n  1\n]");
});

test("stringify_json rejects values JSON cannot hold", () => {
  const loop = [];
  loop.push(loop);
  throwsWfl(() => call("stringify_json", loop), /^stringify_json cannot write a value nested this deeply/);
  throwsWfl(() => call("stringify_json", new Uint8Array(1)), /^stringify_json cannot represent a Binary value in JSON$/);
});
