// The HTTP client: `open url …` and `wait for next line|chunk from s as name`.
import type { Stmt } from "../../ast/nodes.js";
import type { Value } from "../../runtime/values.js";
import { BlockScope } from "../../compiler/scope.js";
import { type CExpr, type CStmt, evalAll } from "../../compiler/closures.js";
import type { Compiler } from "../../compiler/compile.js";
import type { StmtCompilers } from "../../compiler/tables.js";
import { clientLimits, fetchWhole, openStream, outboundStreamOf } from "../../stdlib/web/client.js";
import type { HttpClientStmt } from "./nodes.js";

export function openUrl(c: Compiler, s: Stmt & { kind: "OpenUrl" }, scope: BlockScope): CStmt {
  const parts = [
    c.expr(s.url, scope),
    c.optionalExpr(s.method, scope),
    c.optionalExpr(s.headers, scope),
    c.optionalExpr(s.body, scope),
  ];
  const rt = c.rt;
  const span = s.span;
  const mode = s.mode;
  const limits = clientLimits(rt.config);
  const value: CExpr = {
    fn: async (f) => {
      const [url, method, headers, body] = await evalAll(parts, f) as [Value, Value, Value, Value];
      rt.flush();
      const req = { url, method, headers, body, limits, runSignal: rt.engine.childLimits().signal };
      return rt.locatedAsync(span, async (): Promise<Value> => {
        try {
          return mode === "stream" ? await openStream(req, rt.resources) : await fetchWhole(req, mode === "response");
        } finally {
          rt.engine.check(); // the program was stopped while it waited: stop here
        }
      });
    },
    async: true,
  };
  return c.declareCompiled(s.name, s.nameSpan, value, scope);
}

export function streamRead(c: Compiler, s: Stmt & { kind: "StreamRead" }, scope: BlockScope): CStmt {
  const source = c.expr(s.source, scope);
  const rt = c.rt;
  const span = s.span;
  const what = s.what;
  const value: CExpr = {
    fn: async (f) => {
      const h = await source.fn(f);
      rt.flush();
      return rt.locatedAsync(span, async (): Promise<Value> => {
        const stream = outboundStreamOf(h, `wait for next ${what} from …`);
        try {
          return what === "line" ? await stream.nextLine() : await stream.nextChunk();
        } finally {
          rt.engine.check();
        }
      });
    },
    async: true,
  };
  return c.declareCompiled(s.name, s.nameSpan, value, scope);
}

export const httpClientCompilers: StmtCompilers<HttpClientStmt> = {
  OpenUrl: openUrl,
  StreamRead: streamRead,
};
