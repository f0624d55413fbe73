// Internal entry point (dist/internal.js) for tools and tests: the front end and the resolver.
// Not part of the public embedding API (src/index.ts).
export { parse } from "./parser/parse.js";
export { resolveProgram, splitAnd, RUNTIME_GLOBALS, REQUEST_FIELDS } from "./analysis/resolve.js";
export type { Resolution, ResolvedSymbol, ResolvedScope, Reference, CallDecision, ResolveOptions, IncludeLoader, SymbolKind } from "./analysis/resolve.js";
