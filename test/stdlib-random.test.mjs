// Random module: ranges, seeding reproducibility, uuid shape.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lib, call, throwsWfl } from "./support/natives.mjs";


test("random is in [0, 1) and varies", () => {
  const seen = new Set();
  for (let i = 0; i < 1000; i++) {
    const r = call("random");
    assert.ok(r >= 0 && r < 1);
    seen.add(r);
  }
  assert.ok(seen.size > 990);
});

test("random_between and random_int stay in range; random_int is inclusive", () => {
  const ints = new Set();
  for (let i = 0; i < 2000; i++) {
    const x = call("random_between", -10, -5);
    assert.ok(x >= -10 && x <= -5);
    const n = call("random_int", 1, 6);
    assert.ok(Number.isInteger(n) && n >= 1 && n <= 6);
    ints.add(n);
  }
  assert.equal(ints.size, 6);
  assert.equal(call("random_between", 5, 5), 5);
  assert.equal(call("random_int", 0, 0), 0);
  const big = call("random_int", 1000000, 9999999);
  assert.ok(big >= 1000000 && big <= 9999999 && Number.isInteger(big));
  throwsWfl(() => call("random_int", 10, 1), /^random_int expects the minimum \(10\) to be no greater than the maximum \(1\)$/);
  throwsWfl(() => call("random_between", 2, 1), /^random_between expects the minimum/);
});

test("random_boolean gives both values", () => {
  const seen = new Set();
  for (let i = 0; i < 200; i++) seen.add(call("random_boolean"));
  assert.deepEqual([...seen].sort(), [false, true]);
});

test("random_from picks members; empty list is an error", () => {
  const colors = ["red", "green", "blue"];
  const seen = new Set();
  for (let i = 0; i < 300; i++) seen.add(call("random_from", colors));
  assert.deepEqual([...seen].sort(), ["blue", "green", "red"]);
  throwsWfl(() => call("random_from", []), /^random_from expects a non-empty list$/);
  throwsWfl(() => call("random_from", "abc"), /^random_from expects a list, got Text$/);
});

test("random_seed makes later calls repeat exactly", () => {
  const run = () => [call("random"), call("random_int", 1, 100), call("random_between", 0, 10),
    call("random_boolean"), call("random_from", [1, 2, 3, 4, 5])];
  assert.equal(call("random_seed", 12345), null);
  const a = run();
  call("random_seed", 12345);
  const b = run();
  assert.deepEqual(a, b);
  call("random_seed", 100);
  const c = call("random");
  call("random_seed", 200);
  assert.notEqual(call("random"), c);
  const firsts = new Set();
  for (let s = 1; s <= 1000; s++) {
    call("random_seed", s);
    firsts.add(call("random"));
  }
  assert.equal(firsts.size, 1000);
  call("random_seed", 0.5); // fractional and negative seeds are fine too
  call("random_seed", -3);
  assert.ok(call("random") < 1);
});

test("generate_uuid gives distinct lowercase v4 UUIDs", () => {
  const u = call("generate_uuid");
  assert.match(u, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(u.length, 36);
  assert.notEqual(call("generate_uuid"), u);
  assert.equal(lib.functions.get("generate_uuid").maxArity, 0);
});
