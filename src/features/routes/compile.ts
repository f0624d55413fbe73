// Structured route registration (seed 003, section 3.10): compiling `register route`, `start server`
// and the request parameters. The runtime is src/stdlib/web/routes.ts.
import type { Frame } from "../../runtime/frame.js";
import { type Value, WflObject } from "../../runtime/values.js";
import { WflAction } from "../../runtime/action.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { combine, readBinding } from "../../compiler/closures.js";
import type { StmtCompilers, ExprCompilers } from "../../compiler/tables.js";
import type { Compiler } from "../../compiler/compile.js";
import type { BlockScope } from "../../compiler/scope.js";
import type { Span } from "../../ast/span.js";
import { answeredNote, serverOf } from "../../stdlib/web/server.js";
import { requestParameter, routeParameter, routeTableOf, serve } from "../../stdlib/web/routes.js";
import type { RoutesExpr, RoutesStmt } from "./nodes.js";

/** The handler action a `register … as NAME` names, read when the statement runs. */
function handlerReader(c: Compiler, name: string, nameSpan: Span, span: Span, scope: BlockScope): (f: Frame) => WflAction {
  const b = scope.lookup(name);
  if (!b) c.error(`'${name}' is not defined: a route's handler is an action (define action called ${name} with parameters request: …)`, nameSpan);
  const read = b ? (readBinding(b, scope, span).fn as (f: Frame) => Value) : () => null;
  return (f) => {
    const h = read(f);
    if (!(h instanceof WflAction)) throw new WflRuntimeError(`'${name}' is not an action, so it cannot handle a route`, "type");
    if (!h.overloads.some((ov) => ov.params.length >= 1 && ov.params.filter((p) => !p.defaultValue).length <= 1)) {
      throw new WflRuntimeError(`The route handler '${name}' must take one parameter, the request (define action called ${name} with parameters request: …)`, "general");
    }
    return h;
  };
}

export const routesCompilers: StmtCompilers<RoutesStmt> = {
  RegisterRoute: (c, s, scope) => {
    const handler = handlerReader(c, s.handler, s.handlerSpan, s.span, scope);
    const rt = c.rt;
    const span = s.span;
    return c.withValue(combine([c.expr(s.method, scope), c.expr(s.path, scope), c.expr(s.server, scope)], (vals) => {
      const [method, path, server] = vals as Value[];
      return new WflObject([["method", method!], ["path", path!], ["server", server!]]);
    }), (f, v) => rt.located(span, () => {
      const o = v as WflObject;
      const h = handler(f);
      routeTableOf(serverOf(o.get("server")!)).add(o.get("method")!, o.get("path")!, h);
    }), false);
  },
  RegisterFallback: (c, s, scope) => {
    const handler = handlerReader(c, s.handler, s.handlerSpan, s.span, scope);
    const rt = c.rt;
    const span = s.span;
    return c.withValue(c.expr(s.server, scope), (f, v) => rt.located(span, () => {
      routeTableOf(serverOf(v)).setFallback(handler(f));
    }), false);
  },
  StartServer: (c, s, scope) => {
    const server = c.expr(s.server, scope);
    const rt = c.rt;
    const span = s.span;
    return {
      fn: async (f) => {
        const v = await server.fn(f);
        const srv = rt.located(span, () => serverOf(v));
        rt.flush();
        // Concurrent handlers share the run's call depth; a WFL `try` that catches puts back the
        // depth it saw, which another handler may have changed meanwhile. Whenever no handler runs,
        // the depth is what it was here, so no drift outlives a burst of requests.
        const baseDepth = rt.depth;
        let active = 0;
        await serve(srv, {
          call: async (handler, request) => {
            active++;
            try {
              // Each request is its own call of the action: its own frame, so its own variables.
              await rt.callAction(handler as WflAction, [request], span);
            } finally {
              if (--active === 0) rt.depth = baseDepth;
              rt.flush();
            }
          },
          report: (e, answered) => {
            const err = rt.asCatchable(e);
            if (!err) return false;
            rt.reportError(err, answeredNote(answered));
            return true;
          },
        });
        return undefined;
      },
      async: true,
    };
  },
};

export const routesExpressions: ExprCompilers<RoutesExpr> = {
  RequestParameter: (c, e, scope) => {
    const rt = c.rt;
    const route = e.route;
    return combine([c.expr(e.name, scope), c.expr(e.request, scope)], ([n, r]) =>
      rt.located(e.span, () => (route ? routeParameter(n!, r!) : requestParameter(n!, r!))));
  },
};
