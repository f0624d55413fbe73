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
}

/** Growing `list` by `more` items: an error instead of V8's fatal abort when it would be too long. */
export function checkListGrowth(list: readonly unknown[], more = 1, span?: Span): void {
  if (list.length + more > limits.listItems) {
    throw new WflRuntimeError(`The list is too long: a list can hold at most ${limits.listItems} items here`, "general", span);
  }
}
