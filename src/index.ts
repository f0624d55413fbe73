// wfl-ts embedding API: run WFL programs from a Node.js program. Documented in Docs/embedding.md.
//
//   import { run } from "wfl-ts";
//   const { exitCode, output } = await run('display "hi"', { timeoutMs: 2000 });
//
// Each `run` is independent: its servers, processes, signal handlers and limits are its own.
export { run } from "./host/api.js";
export type { RunOptions, RunResult, HostAction, JsValue } from "./host/api.js";
