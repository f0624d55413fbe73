// Internals for the project's own tests and scripts (bundled to dist/internal.js). Not the
// embedding API (that is src/index.ts) and not stable: anything here may change.
export { standardLibrary } from "./stdlib/index.js";
export { Registry } from "./stdlib/registry.js";
export type { NativeContext, NativeFunction } from "./stdlib/registry.js";
export * from "./runtime/values.js";
export { formatValue, formatNumber } from "./runtime/display.js";
export { WflRuntimeError } from "./runtime/errors.js";
export * as patterns from "./stdlib/pattern/index.js";
// Statement helpers from the time, filesystem, crypto, toml and web modules (used by compiled programs).
export { currentTimeMillis, formatCurrentTime } from "./stdlib/time/index.js";
export {
  readTextFile, readBinaryFile, writeTextFile, appendTextFile, writeBinaryFile, createFile, createDirectory,
  deleteFile, deleteDirectory, copyFile, moveFile, fileExists, directoryExists, pathExists, listFiles, fileSize,
  maxReadSize, openFile, isFileHandle, readContent, readBinary, readBytes, writeContent, appendContent, writeBinary,
  closeFile, fsError, toBytes,
} from "./stdlib/filesystem/index.js";
export type { OpenMode, ListOptions } from "./stdlib/filesystem/index.js";
export { parseToml, stringifyToml } from "./stdlib/toml/index.js";
export { WebServer, ServerExchange, addMiddleware, serverSetups, splitTarget, sendWhole, sendRuntime, markStreaming, markAnswered, checkHeader } from "./stdlib/web/server.js";
export { exchangeOf, finalHeaders } from "./stdlib/web/exchange.js";
export type { Exchange, Middleware, HeaderMap } from "./stdlib/web/exchange.js";
export { percentDecode, parseQueryString, parseCookies, matchRoute, mimeType } from "./stdlib/web/index.js";
// The web middleware's pure parts (src/stdlib/web/middleware/) and how a child's `.wflcfg` is narrowed.
export { middlewareFor } from "./stdlib/web/middleware/index.js";
export { chooseCoding, isCompressible } from "./stdlib/web/middleware/compression.js";
export { pathTemplate } from "./stdlib/web/middleware/metrics.js";
export { isSaneRequestId } from "./stdlib/web/middleware/request-id.js";
export { narrowConfig } from "./runtime/config.js";
export { staticSegments, parseRange, serveStatic } from "./stdlib/web/static.js";
export { startStreaming, closeStreamsOf, responseStreamOf } from "./stdlib/web/streaming.js";
export { exchanges } from "./stdlib/web/exchange.js";
export { SessionManager, MemorySessionStore } from "./stdlib/web/sessions.js";
export { RouteTable } from "./stdlib/web/routes.js";
// Front end and hosts.
export { parse } from "./parser/parse.js";
export { tokenize } from "./lexer/lexer.js";
export { runProgram } from "./host/run.js";
export type { RunOptions } from "./host/run.js";
export { run } from "./host/api.js";
import { sharedParser } from "./parser/parse.js";
/** The grammar's productions, serialized (for tools and diagrams). */
export function grammarProductions(): ReturnType<ReturnType<typeof sharedParser>["getSerializedGastProductions"]> {
  return sharedParser().getSerializedGastProductions();
}
// The resolver (scopes, symbols, references, may-wait, call decisions) for tools and tests.
export { resolveProgram, splitAnd, RUNTIME_GLOBALS, REQUEST_FIELDS } from "./analysis/resolve.js";
export type { Resolution, ResolvedSymbol, ResolvedScope, Reference, CallDecision, ResolveOptions, IncludeLoader, SymbolKind } from "./analysis/resolve.js";
// The REPL's session engine (src/host/session.ts): entries against one persistent state.
export { Session, isIncomplete } from "./host/session.js";
// Rate limiters (measurements of their memory in test/ratelimit.test.mjs).
export * as rateLimit from "./stdlib/ratelimit/index.js";
// The formatter and the builtin documentation (wfl --format, the language server, Docs/builtins.md).
export { formatSource } from "./format/format.js";
export { builtinsPage, builtinMarkdown, signatureText } from "./stdlib/docs-render.js";
export { BUILTIN_DOCS, CONSTANT_DOCS } from "./stdlib/docs.js";
// The language server's document analysis (for its tests: partial re-parse against a full one).
export { Workspace } from "./lsp/workspace.js";
