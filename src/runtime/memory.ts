// Running out of memory is a fatal host error in V8 (it cannot be caught), so loops check the heap
// every so often and stop the program with a WFL error before V8 would abort.
import v8 from "node:v8";
import { WflRuntimeError } from "./errors.js";
import type { Span } from "../ast/span.js";

/** How many loop iterations and action calls pass between two checks (see `Runtime.tick`). */
export const CHECK_EVERY = 1 << 12;

/**
 * The heap check, run every `CHECK_EVERY` loop iterations or action calls of a run. The heap is
 * the process's, shared by every run in it: `capBytes` (a run's memory cap) lowers the limit.
 */
export function checkHeap(capBytes?: number): void {
  const s = v8.getHeapStatistics();
  const limit = 0.7 * s.heap_size_limit;
  if (capBytes !== undefined && capBytes < limit && s.used_heap_size > capBytes) {
    throw new WflRuntimeError(
      `Out of memory: the program is using ${Math.round(s.used_heap_size / 1048576)} MB, over its ${Math.round(capBytes / 1048576)} MB limit`,
      "general",
    );
  }
  if (s.used_heap_size > limit) {
    throw new WflRuntimeError(
      `Out of memory: the program is using ${Math.round(s.used_heap_size / 1048576)} MB of the ${Math.round(s.heap_size_limit / 1048576)} MB available`,
      "general",
    );
  }
}

/**
 * The most items a list may hold. V8 aborts the whole process (a fatal error, not an exception)
 * when an array grows past about 134 million items or when one growth step does not fit in the
 * heap, and a growth step allocates half as much again at once, before any heap check could run.
 * So lists stop at 64 Mi items, or, when the heap is small, at as many items as the heap limit has
 * bytes divided by 40 (a list's items then take at most a fifth of the heap, a growth step another
 * tenth); `setListLimit` sets it for the heap of the running process.
 */
export const limits = { listItems: 64 * 1024 * 1024 };

export function setListLimit(): void {
  limits.listItems = Math.min(64 * 1024 * 1024, Math.floor(v8.getHeapStatistics().heap_size_limit / 40));
  setMapLimit();
}

/** Growing `list` by `more` items: an error instead of V8's fatal abort when it would be too long. */
export function checkListGrowth(list: readonly unknown[], more = 1, span?: Span): void {
  if (list.length + more > limits.listItems) {
    throw new WflRuntimeError(`The list is too long: a list can hold at most ${limits.listItems} items here`, "general", span);
  }
}

/**
 * The most entries an object (a map) may hold. V8 aborts the process when a Map's table, which
 * doubles at once when it grows, does not fit in the heap, and throws "Map maximum size exceeded"
 * at 2^24 entries. So maps stop at 16 Mi − 1 entries, or, when the heap is small, at as many as the
 * heap limit has bytes divided by 200 (an entry with its key and its share of a growth step).
 */
export const mapLimits = { entries: (1 << 24) - 1 };

export function setMapLimit(): void {
  mapLimits.entries = Math.min((1 << 24) - 1, Math.floor(v8.getHeapStatistics().heap_size_limit / 200));
}

/** Adding one more entry to a map that holds `size`: an error instead of V8's abort. */
export function checkMapGrowth(size: number, span?: Span): void {
  if (size >= mapLimits.entries) {
    throw new WflRuntimeError(`The map is too large: a map can hold at most ${mapLimits.entries} entries here`, "general", span);
  }
}

/** A new list of `items` items: an error instead of V8's fatal abort when it would be too long. */
export function checkNewList(items: number, span?: Span): void {
  if (items > limits.listItems) {
    throw new WflRuntimeError(`The list would be too long: a list can hold at most ${limits.listItems} items here`, "general", span);
  }
}

/** Below this many bytes an allocation is not worth asking the heap about. */
const SMALL_ALLOCATION = 1 << 20;

/**
 * About to allocate `bytes` at once (a builtin building a large list or text): an error when it
 * would take the heap past the point where loops stop the program (`checkHeap`), before V8 would
 * abort trying.
 */
export function checkAllocation(bytes: number, span?: Span): void {
  if (bytes < SMALL_ALLOCATION) return;
  const s = v8.getHeapStatistics();
  const limit = 0.7 * s.heap_size_limit;
  if (s.used_heap_size + bytes > limit) {
    throw new WflRuntimeError(
      `Out of memory: this needs about ${Math.round(bytes / 1048576)} MB more, and the program is already using ${Math.round(s.used_heap_size / 1048576)} MB of the ${Math.round(s.heap_size_limit / 1048576)} MB available`,
      "general",
      span,
    );
  }
}

/** Every how many items a builtin that builds a list item by item checks the heap and the list limit. */
export const GROWTH_CHECK_EVERY = 1 << 12;

/** Called by builtins that build a list item by item, every `GROWTH_CHECK_EVERY` items. */
export function checkGrowing(list: readonly unknown[], span?: Span): void {
  checkListGrowth(list, GROWTH_CHECK_EVERY, span);
  checkHeap();
}
