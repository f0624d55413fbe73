// Streaming responses and files as responses: `start streaming response`, `write line|chunk … to`,
// `flush`, `serve static files`, `respond to … with file at`.
import type { Stmt } from "../../ast/nodes.js";
import type { Value } from "../../runtime/values.js";
import { formatValue } from "../../runtime/display.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { BlockScope } from "../../compiler/scope.js";
import { type CStmt, evalAll, combine } from "../../compiler/closures.js";
import type { Compiler } from "../../compiler/compile.js";
import type { StmtCompilers } from "../../compiler/tables.js";
import * as fs from "../../stdlib/filesystem/index.js";
import { responseStreamOf, startStreaming } from "../../stdlib/web/streaming.js";
import { respondWithFile, serveStatic } from "../../stdlib/web/static.js";
import type { ResponsesStmt } from "./nodes.js";

/** `web_server_response_timeout_seconds` in milliseconds (default 300 s; 0: no limit). */
export function writeTimeoutMs(config: ReadonlyMap<string, string>): number {
  const raw = config.get("web_server_response_timeout_seconds");
  const v = raw === undefined ? 300 : Number(raw);
  return Number.isFinite(v) && v >= 0 ? v * 1000 : 300_000;
}

export function startStreamingStmt(c: Compiler, s: Stmt & { kind: "StartStreaming" }, scope: BlockScope): CStmt {
  const parts = [
    c.expr(s.request, scope),
    c.optionalExpr(s.status, scope),
    c.optionalExpr(s.contentType, scope),
    c.optionalExpr(s.headers, scope),
  ];
  const rt = c.rt;
  const span = s.span;
  const value = combine(parts, (vals) => rt.located(span, () => startStreaming(vals[0]!, { status: vals[1]!, contentType: vals[2]!, headers: vals[3]! })));
  return c.declareCompiled(s.name, s.nameSpan, value, scope);
}

/** Whether a value's leading name means something here (a variable, an action, a builtin). */
function known(c: Compiler, name: string, scope: BlockScope): boolean {
  return scope.lookup(name) !== undefined || c.registry.functions.has(name) || c.registry.constants.has(name);
}

export function streamWrite(c: Compiler, s: Stmt & { kind: "StreamWrite" }, scope: BlockScope): CStmt {
  const target = c.expr(s.target, scope);
  // The same choice as the resolver's (src/analysis/resolve.ts, case "StreamWrite").
  const fileOk = s.fileName !== null && s.fileValue !== null && scope.lookup(s.fileName) !== undefined;
  const streamOk = s.leadName === null || known(c, s.leadName, scope) || !fileOk;
  const streamValue = streamOk ? c.expr(s.value, scope) : null;
  const fileValue = fileOk ? c.expr(s.fileValue!, scope) : null;
  const rt = c.rt;
  const span = s.span;
  const line = s.what === "line";
  const timeout = writeTimeoutMs(rt.config);
  return {
    fn: async (f) => {
      const t = await target.fn(f);
      const stream = responseStreamOf(t);
      if (stream && streamValue) {
        const v = await streamValue.fn(f);
        const data: Uint8Array | string = line ? formatValue(v) + "\n" : v instanceof Uint8Array ? v : formatValue(v);
        await rt.locatedAsync(span, () => stream.write(data, timeout));
        return undefined;
      }
      if (!stream && fileValue) {
        // The classic file write of the variable `line …` (see the node's comment).
        const v = await fileValue.fn(f);
        rt.located(span, () => {
          if (typeof t === "string") fs.writeTextFile(t, formatValue(v));
          else fs.writeContent(t, formatValue(v));
        });
        return undefined;
      }
      throw new WflRuntimeError(
        `write ${line ? "line" : "chunk"} … to needs a streaming response from 'start streaming response … as name', got ${formatValue(t)}`,
        "type", span,
      );
    },
    async: true,
  };
}

export function streamFlush(c: Compiler, s: Stmt & { kind: "StreamFlush" }, scope: BlockScope): CStmt {
  const target = c.expr(s.target, scope);
  const rt = c.rt;
  const span = s.span;
  const timeout = writeTimeoutMs(rt.config);
  return {
    fn: async (f) => {
      const t = await target.fn(f);
      const stream = responseStreamOf(t);
      if (!stream) throw new WflRuntimeError(`flush needs a streaming response from 'start streaming response … as name', got ${formatValue(t)}`, "type", span);
      await rt.locatedAsync(span, () => stream.flush(timeout));
      return undefined;
    },
    async: true,
  };
}

export function serveStaticStmt(c: Compiler, s: Stmt & { kind: "ServeStatic" }, scope: BlockScope): CStmt {
  const parts = [c.expr(s.dir, scope), c.expr(s.request, scope), c.optionalExpr(s.prefix, scope)];
  const rt = c.rt;
  const span = s.span;
  return {
    fn: async (f) => {
      const [dir, req, prefix] = await evalAll(parts, f) as [Value, Value, Value];
      await rt.locatedAsync(span, () => serveStatic(req, dir, prefix));
      return undefined;
    },
    async: true,
  };
}

export function respondFile(c: Compiler, s: Stmt & { kind: "RespondFile" }, scope: BlockScope): CStmt {
  const parts = [
    c.expr(s.request, scope), c.expr(s.path, scope),
    c.optionalExpr(s.contentType, scope),
    c.optionalExpr(s.headers, scope),
  ];
  const rt = c.rt;
  const span = s.span;
  return {
    fn: async (f) => {
      const [req, path, contentType, headers] = await evalAll(parts, f) as [Value, Value, Value, Value];
      await rt.locatedAsync(span, () => respondWithFile(req, path, { contentType, headers }));
      return undefined;
    },
    async: true,
  };
}

export const responsesCompilers: StmtCompilers<ResponsesStmt> = {
  StartStreaming: startStreamingStmt,
  StreamWrite: streamWrite,
  StreamFlush: streamFlush,
  ServeStatic: serveStaticStmt,
  RespondFile: respondFile,
};
