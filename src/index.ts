// Embedding API: run WFL from any Node.js program.
export { standardLibrary } from "./stdlib/index.js";
export { Registry } from "./stdlib/registry.js";
export type { NativeContext, NativeFunction } from "./stdlib/registry.js";
export * from "./runtime/values.js";
export { formatValue, formatNumber } from "./runtime/display.js";
export { WflRuntimeError } from "./runtime/errors.js";
