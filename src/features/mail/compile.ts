// E-mail: each form calls the runtime in src/stdlib/mail/. Connecting, sending and closing wait
// for the server; composing does not.
import type { CExpr } from "../../compiler/closures.js";
import type { ExprCompilers, StmtCompilers } from "../../compiler/tables.js";
import type { Value } from "../../runtime/values.js";
import * as mail from "../../stdlib/mail/index.js";
import type { MailExpr, MailStmt } from "./nodes.js";

export const mailExpressions: ExprCompilers<MailExpr> = {
  ConnectEmail: (c, e, scope) => {
    const parts = [e.host, e.port, e.username, e.password].map((x) => (x ? c.expr(x, scope) : null));
    const rt = c.rt;
    const tls = e.tls;
    return {
      fn: async (f) => {
        const v: (Value | undefined)[] = [];
        for (const p of parts) v.push(p ? await p.fn(f) : undefined);
        return rt.locatedAsync(e.span, async () => await mail.connect(v[0]!, v[1], v[2], v[3], tls, rt.resources));
      },
      async: true,
    };
  },
  CreateEmail: (c, e, scope) => {
    const parts = e.fields.map((x) => ({ name: x.name, value: c.expr(x.value, scope) }));
    const rt = c.rt;
    const isAsync = parts.some((p) => p.value.async);
    const build = (vals: Value[]): Value => rt.located(e.span, () => mail.createEmail(parts.map((p, i) => [p.name, vals[i]!])));
    if (!isAsync) {
      const fns = parts.map((p) => p.value.fn as (f: unknown) => Value);
      return { fn: (f) => build(fns.map((fn) => fn(f))), async: false } as CExpr;
    }
    return {
      fn: async (f) => {
        const vals: Value[] = [];
        for (const p of parts) vals.push(await p.value.fn(f));
        return build(vals);
      },
      async: true,
    };
  },
};

export const mailCompilers: StmtCompilers<MailStmt> = {
  SendEmail: (c, s, scope) => {
    const email = c.expr(s.email, scope);
    const mailer = c.expr(s.mailer, scope);
    const rt = c.rt;
    return {
      fn: async (f) => {
        const ev = await email.fn(f);
        const mv = await mailer.fn(f);
        await rt.locatedAsync(s.span, async () => { await mail.send(ev, mv); });
        return undefined;
      },
      async: true,
    };
  },
  CloseMailer: (c, s, scope) => c.withValue(c.expr(s.mailer, scope), (_f, v) => c.rt.locatedAsync(s.span, async () => { mail.close(v); }), true),
};
