// What makes code wait. Which actions can wait (and so must compile to async functions) is found
// before compiling by the resolver (src/analysis/resolve.ts), a fixpoint over the call graph across
// included files, so every call site knows whether it needs `await`.
import { FEATURE_WAITS, FEATURE_EXPR_WAITS } from "../features/waits.js";

/** Statement kinds that always compile to asynchronous code: the core's, and each room's. */
export const WAITING_STMTS: ReadonlySet<string> = new Set<string>(["WaitDuration", "WaitFor", ...FEATURE_WAITS]);

/** Expression kinds that always compile to asynchronous code (each room lists its own). */
export const WAITING_EXPRS: ReadonlySet<string> = new Set<string>(FEATURE_EXPR_WAITS);
