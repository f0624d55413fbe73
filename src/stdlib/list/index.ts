// List module. Lists are plain JS arrays, mutated in place. Search functions compare with
// WFL equality (`valuesEqual`) and take a value, not a callback. `length`, `contains` and
// `indexof` also work on Text (code points) and `length` on Binary, so they are registered here once.
import type { Registry } from "../registry.js";
import {
  type Value, WflObject, WflDate, WflTime, WflDateTime, valuesEqual,
} from "../../runtime/values.js";
import { formatValue, formatNumber } from "../../runtime/display.js";
import { fail } from "../../runtime/errors.js";
import { checkAllocation, checkListGrowth } from "../../runtime/memory.js";
import { MAX_TEXT_LENGTH } from "../../runtime/access.js";
import { list, int, text, wrongType } from "../args.js";
import { compareText, cpLength, cpRange, unitToCp } from "../text/unicode.js";
import { fileSize, isFileHandle } from "../filesystem/files.js";

const EPS = Number.EPSILON;

/** Index of the first element equal to `v`, or -1. Primitive needles skip the general comparison. */
export function indexOfValue(xs: Value[], v: Value): number {
  if (typeof v === "number") {
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      if (typeof x === "number" && (x === v || Math.abs(x - v) < EPS)) return i;
    }
    return -1;
  }
  if (v === null || typeof v === "string" || typeof v === "boolean") return xs.indexOf(v);
  for (let i = 0; i < xs.length; i++) if (valuesEqual(xs[i]!, v)) return i;
  return -1;
}

function outOfBounds(i: number, len: number): never {
  throw fail(`Index ${formatNumber(i)} out of bounds for list of length ${len}`);
}

// sort orders values of one type naturally; mixed lists group by type in this order.
function rank(v: Value): number {
  switch (typeof v) {
    case "boolean":
      return 1;
    case "number":
      return 2;
    case "string":
      return 3;
  }
  if (v === null) return 0;
  if (v instanceof WflDate) return 4;
  if (v instanceof WflTime) return 5;
  if (v instanceof WflDateTime) return 6;
  return 7;
}

export function compareValues(a: Value, b: Value): number {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return compareText(a, b);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === "boolean") return (a ? 1 : 0) - (b ? 1 : 0);
  if (a instanceof WflDate && b instanceof WflDate)
    return a.year - b.year || a.month - b.month || a.day - b.day;
  if (a instanceof WflTime && b instanceof WflTime)
    return a.hour - b.hour || a.minute - b.minute || a.second - b.second;
  if (a instanceof WflDateTime && b instanceof WflDateTime)
    return (
      a.year - b.year || a.month - b.month || a.day - b.day ||
      a.hour - b.hour || a.minute - b.minute || a.second - b.second
    );
  return 0; // Lists, objects and the like keep their relative order (the sort is stable).
}

/** New list without repeats (first occurrence kept), using WFL equality. */
export function uniqueValues(xs: Value[]): Value[] {
  const out: Value[] = [];
  const seen = new Set<Value>(); // text, booleans, nothing and numbers compared exactly
  const nearZero: number[] = []; // numbers below 2 can be within EPSILON of a different number
  const others: Value[] = [];
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (typeof x === "number") {
      if (x !== x) { out.push(x); continue; } // NaN equals nothing, not even itself
      if (seen.has(x)) continue;
      if (Math.abs(x) < 2) {
        let dup = false;
        for (const y of nearZero) if (Math.abs(x - y) < EPS) { dup = true; break; }
        if (dup) continue;
        nearZero.push(x);
      }
      seen.add(x);
    } else if (x === null || typeof x === "string" || typeof x === "boolean") {
      if (seen.has(x)) continue;
      seen.add(x);
    } else {
      let dup = false;
      for (const y of others) if (valuesEqual(x, y)) { dup = true; break; }
      if (dup) continue;
      others.push(x);
    }
    out.push(x);
  }
  return out;
}

function clampIndex(i: number, len: number): number {
  return i < 0 ? 0 : i > len ? len : i;
}

export function register(r: Registry): void {
  // length / size: items in a list, characters in text, bytes in binary data, bytes in an open
  // file (`size of handle`).
  r.fn("length", { params: ["list|text|binary|file"], aliases: ["size"] }, (a) => {
    const v = a[0]!;
    if (isFileHandle(v)) return fileSize(v);
    if (Array.isArray(v)) return v.length;
    if (typeof v === "string") return cpLength(v);
    if (v instanceof Uint8Array) return v.length;
    return wrongType("length", "a list, text or binary data", v);
  });

  r.fn("contains", { params: ["list|text", "any"], aliases: ["includes"] }, (a) => {
    const hay = a[0]!;
    if (Array.isArray(hay)) return indexOfValue(hay, a[1]!) >= 0;
    if (typeof hay === "string") return hay.includes(text("contains", a[1]!));
    return wrongType("contains", "a list or text", hay);
  });

  // indexof / find_index: first position (0-based) or -1; text positions count characters.
  r.fn("indexof", { params: ["list|text", "any"], aliases: ["index_of", "find_index"] }, (a) => {
    const hay = a[0]!;
    if (Array.isArray(hay)) return indexOfValue(hay, a[1]!);
    if (typeof hay === "string") {
      const i = hay.indexOf(text("indexof", a[1]!));
      return i < 0 ? -1 : unitToCp(hay, i);
    }
    return wrongType("indexof", "a list or text", hay);
  });

  r.fn("push", { params: ["list", "any"] }, (a) => {
    const xs = list("push", a[0]!);
    checkListGrowth(xs);
    xs.push(a[1]!);
    return null;
  });

  r.fn("pop", { params: ["list"] }, (a) => {
    const xs = list("pop", a[0]!);
    if (xs.length === 0) throw fail("Cannot pop from an empty list");
    return xs.pop()!;
  });

  r.fn("shift", { params: ["list"] }, (a) => {
    const xs = list("shift", a[0]!);
    if (xs.length === 0) throw fail("Cannot shift from an empty list");
    return xs.shift()!;
  });

  r.fn("unshift", { params: ["list", "any"] }, (a) => {
    const xs = list("unshift", a[0]!);
    checkListGrowth(xs);
    xs.unshift(a[1]!);
    return null;
  });

  r.fn("sort", { params: ["list"] }, (a) => {
    list("sort", a[0]!).sort(compareValues);
    return null;
  });

  r.fn("reverse_list", { params: ["list"] }, (a) => {
    list("reverse_list", a[0]!).reverse();
    return null;
  });

  r.fn("unique", { params: ["list"] }, (a) => uniqueValues(list("unique", a[0]!)));

  // clear empties a list (or an object's keys) in place.
  r.fn("clear", { params: ["list|map"] }, (a) => {
    const v = a[0]!;
    if (Array.isArray(v)) v.length = 0;
    else if (v instanceof WflObject) v.clear();
    else wrongType("clear", "a list", v);
    return null;
  });

  r.fn("remove_at", { params: ["list", "integer"], aliases: ["removeat"] }, (a) => {
    const xs = list("remove_at", a[0]!);
    const i = int("remove_at", a[1]!);
    if (!(i >= 0 && i < xs.length)) outOfBounds(i, xs.length);
    return xs.splice(i, 1)[0]!;
  });

  r.fn("insert_at", { params: ["list", "integer", "any"], aliases: ["insertat"] }, (a) => {
    const xs = list("insert_at", a[0]!);
    const i = int("insert_at", a[1]!);
    if (!(i >= 0 && i <= xs.length)) outOfBounds(i, xs.length);
    checkListGrowth(xs);
    if (i === xs.length) xs.push(a[2]!);
    else xs.splice(i, 0, a[2]!);
    return null;
  });

  // find returns the first element equal to the value, or nothing.
  r.fn("find", { params: ["list", "any"] }, (a) => {
    const xs = list("find", a[0]!);
    const i = indexOfValue(xs, a[1]!);
    return i < 0 ? null : xs[i]!;
  });

  r.fn("count", { params: ["list", "any"] }, (a) => {
    const xs = list("count", a[0]!);
    const v = a[1]!;
    let n = 0;
    for (let i = 0; i < xs.length; i++) if (valuesEqual(xs[i]!, v)) n++;
    return n;
  });

  // every: all elements equal the value (yes for an empty list); some: at least one does.
  r.fn("every", { params: ["list", "any"] }, (a) => {
    const xs = list("every", a[0]!);
    const v = a[1]!;
    for (let i = 0; i < xs.length; i++) if (!valuesEqual(xs[i]!, v)) return false;
    return true;
  });
  r.fn("some", { params: ["list", "any"] }, (a) => indexOfValue(list("some", a[0]!), a[1]!) >= 0);

  r.fn("fill", { params: ["list", "any"] }, (a) => {
    list("fill", a[0]!).fill(a[1]!);
    return null;
  });

  r.fn("concat", { params: ["list", "list"] }, (a) => {
    const xs = list("concat", a[0]!), ys = list("concat", a[1]!);
    checkListGrowth(xs, ys.length);
    return xs.concat(ys);
  });

  r.fn("join", { params: ["list", "text"] }, (a) => {
    const xs = list("join", a[0]!);
    const sep = text("join", a[1]!);
    // The result is made at once, at its full size, after checking that size against the text
    // limit and the heap: added up piece by piece, a long text takes a piece's worth of heap per
    // item, and V8 aborts when the heap runs out before any check.
    let strs: string[];
    if (xs.every((x) => typeof x === "string")) strs = xs as string[];
    else {
      checkAllocation(xs.length * 40);
      strs = xs.map((x) => (typeof x === "string" ? x : formatValue(x)));
    }
    let total = xs.length > 0 ? sep.length * (xs.length - 1) : 0;
    for (let i = 0; i < strs.length; i++) total += strs[i]!.length;
    if (total > MAX_TEXT_LENGTH) throw fail("This text would be too long (over about 500 million characters)");
    if (total >= 1 << 20) {
      const wide = /[^\u0000-\u00ff]/;
      checkAllocation(wide.test(sep) || strs.some((x) => wide.test(x)) ? total * 2 : total);
    }
    return strs.join(sep);
  });

  // slice of list and start and end: elements start..end-1 (end exclusive), indices clipped to the list.
  // Positions clip, so any finite number will do (1e308 is past the end, not an error).
  // Text is sliced by characters the same way.
  r.fn("slice", { params: ["list|text", "finite", "finite"] }, (a) => {
    const v = a[0]!;
    const s = int("slice", a[1]!);
    const e = int("slice", a[2]!);
    if (Array.isArray(v)) {
      const start = clampIndex(s, v.length);
      const end = clampIndex(e, v.length);
      return end > start ? v.slice(start, end) : [];
    }
    if (typeof v === "string") return cpRange(v, s < 0 ? 0 : s, e < 0 ? 0 : e);
    return wrongType("slice", "a list or text", v);
  });
}
