// Running out of memory is a fatal host error in V8 (it cannot be caught), so loops check the heap
// every so often and stop the program with a WFL error before V8 would abort.
import v8 from "node:v8";
import { WflRuntimeError } from "./errors.js";

const EVERY = 1 << 12;
let budget = EVERY;

/** Called once per loop iteration; does real work only every 4,096 calls. */
export function heapTick(): void {
  if (--budget > 0) return;
  budget = EVERY;
  const s = v8.getHeapStatistics();
  if (s.used_heap_size > 0.7 * s.heap_size_limit) {
    throw new WflRuntimeError(
      `Out of memory: the program is using ${Math.round(s.used_heap_size / 1048576)} MB of the ${Math.round(s.heap_size_limit / 1048576)} MB available`,
      "general",
    );
  }
}
