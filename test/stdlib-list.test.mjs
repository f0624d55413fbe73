// List module: lists are plain arrays and the mutating functions change them in place.
import { test } from "node:test";
import assert from "node:assert/strict";
import { WflDate, makeObject } from "../dist/internal.js";
import { call, throwsWfl } from "./support/natives.mjs";


test("length / size on lists, text and binary", () => {
  assert.equal(call("length", [1, 2, 3, 4, 5]), 5);
  assert.equal(call("length", []), 0);
  assert.equal(call("size", [1, 2, 3, 4]), 4);
  assert.equal(call("length", new Uint8Array(7)), 7);
  throwsWfl(() => call("length", 5), /^length expects a list, text, binary data or a file opened with open file, got Number$/);
  throwsWfl(() => call("length", makeObject({ a: 1 })), /got Object$/);
});

test("push / pop / shift / unshift mutate in place", () => {
  const xs = [1, 2, 3, 4, 5];
  assert.equal(call("push", xs, 6), null);
  assert.deepEqual(xs, [1, 2, 3, 4, 5, 6]);
  assert.equal(call("pop", xs), 6);
  assert.deepEqual(xs, [1, 2, 3, 4, 5]);
  const ys = [10, 20, 30];
  assert.equal(call("shift", ys), 10);
  assert.equal(call("unshift", ys, 5), null);
  assert.deepEqual(ys, [5, 20, 30]);
  throwsWfl(() => call("pop", []), /^Cannot pop from an empty list$/);
  throwsWfl(() => call("shift", []), /^Cannot shift from an empty list$/);
  throwsWfl(() => call("push", "abc", 1), /^push expects a list, got Text$/);
});

test("contains / includes / indexof / find_index use WFL equality", () => {
  const xs = [1, 2, 3, 4, 5];
  assert.equal(call("contains", xs, 3), true);
  assert.equal(call("contains", xs, 10), false);
  assert.equal(call("includes", [1, 2, 3], 2), true);
  assert.equal(call("contains", ["apple", "banana"], "apple"), true);
  assert.equal(call("contains", [0.1 + 0.2], 0.3), true); // |a−b| < EPSILON
  assert.equal(call("contains", [[1, 2], [3]], [3]), true);
  assert.equal(call("contains", [null], null), true);
  assert.equal(call("contains", ["1"], 1), false);
  assert.equal(call("indexof", xs, 4), 3);
  assert.equal(call("index_of", xs, 10), -1);
  assert.equal(call("find_index", [10, 20, 30, 40], 30), 2);
  assert.equal(call("find_index", [10, 20, 30, 40], 99), -1);
});

test("sort and reverse_list mutate in place and return nothing", () => {
  const a = [5, 2, 8, 1, 9];
  assert.equal(call("sort", a), null);
  assert.deepEqual(a, [1, 2, 5, 8, 9]);
  const b = [1, 2, 3, 4, 5];
  assert.equal(call("reverse_list", b), null);
  assert.deepEqual(b, [5, 4, 3, 2, 1]);
  const t = ["pear", "Apple", "apple", "\uFFFF", "🦀", "banana"];
  call("sort", t);
  assert.deepEqual(t, ["Apple", "apple", "banana", "pear", "\uFFFF", "🦀"]); // code point order
  const m = ["b", 2, null, "a", 1, true];
  call("sort", m);
  assert.deepEqual(m, [null, true, 1, 2, "a", "b"]);
  const d = [new WflDate(2025, 3, 1), new WflDate(2024, 12, 31)];
  call("sort", d);
  assert.equal(d[0].year, 2024);
  const n = [10, -1, 2.5, 100, 0];
  call("sort", n);
  assert.deepEqual(n, [-1, 0, 2.5, 10, 100]); // numeric, not lexicographic
});

test("unique keeps first occurrences and returns a new list", () => {
  const dupes = [1, 2, 3, 2, 1, 4, 3];
  assert.deepEqual(call("unique", dupes), [1, 2, 3, 4]);
  assert.deepEqual(dupes, [1, 2, 3, 2, 1, 4, 3]);
  assert.deepEqual(call("unique", ["a", "b", "a", null, null, [1], [1]]), ["a", "b", null, [1]]);
  assert.deepEqual(call("unique", [0.3, 0.1 + 0.2, 5, 5.0]), [0.3, 5]);
});

test("clear empties a list in place", () => {
  const xs = [1, 2, 3];
  assert.equal(call("clear", xs), null);
  assert.deepEqual(xs, []);
  const o = makeObject({ a: 1 });
  call("clear", o);
  assert.equal(o.size, 0);
});

test("remove_at / insert_at", () => {
  const xs = ["a", "b", "c", "d"];
  assert.equal(call("remove_at", xs, 1), "b");
  assert.deepEqual(xs, ["a", "c", "d"]);
  assert.equal(call("insert_at", xs, 1, "B"), null);
  assert.deepEqual(xs, ["a", "B", "c", "d"]);
  call("insertat", xs, 4, "end");
  assert.deepEqual(xs, ["a", "B", "c", "d", "end"]);
  assert.equal(call("removeat", xs, 0), "a");
  throwsWfl(() => call("remove_at", xs, 10), /^Index 10 out of bounds for list of length 4$/);
  throwsWfl(() => call("remove_at", xs, -1), /^Index -1 out of bounds/);
  throwsWfl(() => call("insert_at", xs, 6, 1), /^Index 6 out of bounds for list of length 4$/);
});

test("slice is end-exclusive and clips", () => {
  assert.deepEqual(call("slice", [10, 20, 30, 40, 50], 1, 4), [20, 30, 40]);
  assert.deepEqual(call("slice", [1, 2, 3], 1, 3), [2, 3]);
  assert.deepEqual(call("slice", [1, 2, 3], -5, 100), [1, 2, 3]);
  assert.deepEqual(call("slice", [1, 2, 3], 2, 1), []);
  const src = [1, 2];
  assert.notEqual(call("slice", src, 0, 2), src);
});

test("concat and join", () => {
  const a = [1, 2];
  const b = [3, 4];
  assert.deepEqual(call("concat", a, b), [1, 2, 3, 4]);
  assert.deepEqual(a, [1, 2]);
  assert.equal(call("join", ["hello", "world", "test"], "-"), "hello-world-test");
  assert.equal(call("join", [1, 2.5, true, null, [1, 2]], ", "), "1, 2.5, yes, nothing, [1, 2]");
  assert.equal(call("join", [], ","), "");
});

test("find, count, every, some, fill take values", () => {
  assert.equal(call("find", [10, 20, 30], 20), 20);
  assert.equal(call("find", [10, 20, 30], 99), null);
  assert.equal(call("count", [1, 2, 1, 1], 1), 3);
  assert.equal(call("every", [5, 5, 5], 5), true);
  assert.equal(call("every", [5, 3, 5], 5), false);
  assert.equal(call("every", [], 5), true);
  assert.equal(call("some", [5, 3, 5], 3), true);
  assert.equal(call("some", [5, 3, 5], 9), false);
  const f = [0, 0, 0, 0];
  assert.equal(call("fill", f, 7), null);
  assert.deepEqual(f, [7, 7, 7, 7]);
});
