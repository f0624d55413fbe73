// The grammar of e-mail, as the WFLHub requirements write it (seed 003, section 3.9):
// `connect to email server at HOST with port N and username U and password P` (a value; also a
// statement ending `as mailer`), `create email with from … and to … and subject … and body …`
// (`html_body …`; ours: `cc`, `bcc`, `reply_to`), `send EMAIL using MAILER`,
// `close email server MAILER`; ours: `… without tls` (local development only).
import type { IToken } from "chevrotain";
import { K } from "../../parser/keywords.js";
import type { ParserClass } from "../../parser/core.js";
import type { Expr, Stmt } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";

const STOPS: ReadonlySet<string> = new Set(["without", "using"]);
const EMAIL_WORDS = ["cc", "bcc", "reply_to", "subject", "body", "html_body"];

export function mailSyntax<B extends ParserClass>(Base: B) {
  abstract class MailSyntax extends Base {
    /** True when the word `w` comes later on this line. */
    /** The server (ends at `with`). */
    private mailHost(): Expr {
      return this.withIdentifierStops(STOPS, () => this.withArgsMode(true, () => this.SUBRULE(this.additive)));
    }

    /** A field's value: may be joined (`subject "Hi " with name`); a join stops before `and`. */
    private mailOperand(idx: 1 | 2): Expr {
      return this.withIdentifierStops(STOPS, () => this.withArgsMode(false, () =>
        idx === 1 ? this.SUBRULE1(this.pathExpr) : this.SUBRULE2(this.pathExpr)));
    }

    /** `connect to email server at HOST [with port N] [and username U and password P] [without tls]`. */
    connectEmailExpr = this.RULE("connectEmailExpr", (): Expr => {
      const start = this.word(1, "connect");
      this.CONSUME(K.to);
      this.word(2, "email");
      this.word(3, "server");
      this.CONSUME(K.at);
      const host = this.mailHost();
      let port: Expr | null = null;
      let username: Expr | null = null;
      let password: Expr | null = null;
      this.OPTION(() => {
        this.CONSUME(K.with);
        this.AT_LEAST_ONE_SEP({
          SEP: K.and,
          DEF: () => {
            const w = this.wordOf(4, ["port", "username", "password"]);
            const v = this.mailOperand(1);
            this.ACTION(() => {
              if (w.image === "port") port = v;
              else if (w.image === "username") username = v;
              else password = v;
            });
          },
        });
      });
      let tls = true;
      this.OPTION2({
        GATE: () => this.isWord(1, "without"),
        DEF: () => { this.word(5, "without"); this.word(6, "tls"); tls = false; },
      });
      return { kind: "ConnectEmail", host, port, username, password, tls, span: this.spanFrom(start) };
    });

    /** `connect to email server … as NAME` (the statement form: a binder). */
    connectEmailStmt = this.RULE("connectEmailStmt", (): Stmt => {
      const start = this.LA(1);
      const value = this.SUBRULE(this.connectEmailExpr);
      this.CONSUME(K.as);
      const name = this.SUBRULE(this.identifier);
      const nameSpan = this.lastNameSpan;
      this.eos();
      // The same as `store NAME as connect to email server …`.
      return { kind: "Store", name, nameSpan, value, constant: false, span: this.spanFrom(start) };
    });

    /** `create email with FIELD V and FIELD V …`. */
    createEmailExpr = this.RULE("createEmailExpr", (): Expr => {
      const start = this.CONSUME(K.create);
      this.word(1, "email");
      this.CONSUME(K.with);
      const fields: { name: string; value: Expr; span: Span }[] = [];
      this.AT_LEAST_ONE_SEP({
        SEP: K.and,
        DEF: () => {
          const t: IToken = this.OR([
            { ALT: () => this.CONSUME(K.from) },
            { ALT: () => this.CONSUME(K.to) },
            { ALT: () => this.wordOf(2, EMAIL_WORDS, ["from", "to", ...EMAIL_WORDS]) },
          ]);
          const value = this.mailOperand(2);
          this.ACTION(() => fields.push({ name: t.image, value, span: this.spanFrom(t) }));
        },
      });
      return { kind: "CreateEmail", fields, span: this.spanFrom(start) };
    });

    /** `send EMAIL using MAILER`. */
    sendEmailStmt = this.RULE("sendEmailStmt", (): Stmt => {
      const start = this.word(1, "send");
      const email = this.withIdentifierStops(STOPS, () => this.SUBRULE(this.postfix));
      this.word(2, "using");
      const mailer = this.SUBRULE2(this.postfix);
      this.eos();
      return { kind: "SendEmail", email, mailer, span: this.spanFrom(start) };
    });

    /** `close email server MAILER`. */
    closeMailerStmt = this.RULE("closeMailerStmt", (): Stmt => {
      const start = this.CONSUME(K.close);
      this.word(1, "email");
      this.word(2, "server");
      const mailer = this.SUBRULE(this.postfix);
      this.eos();
      return { kind: "CloseMailer", mailer, span: this.spanFrom(start) };
    });

    protected readonly mailTables = this.contribute({
      statements: [
        {
          GATE: () => this.isWord(1, "connect") && this.LA(2).tokenType === K.to && this.isWord(3, "email") && this.isWord(4, "server") && this.lineHas(K.as),
          ALT: () => this.SUBRULE(this.connectEmailStmt),
        },
        { GATE: () => this.isWord(1, "send") && !this.isWord(2, "websocket") && this.lineHasWord(2, "using"), ALT: () => this.SUBRULE(this.sendEmailStmt) },
        { GATE: () => this.LA(1).tokenType === K.close && this.isWord(2, "email") && this.isWord(3, "server"), ALT: () => this.SUBRULE(this.closeMailerStmt) },
      ],
      primaries: [
        { GATE: () => this.isWord(1, "connect") && this.LA(2).tokenType === K.to && this.isWord(3, "email") && this.isWord(4, "server"), ALT: () => this.SUBRULE(this.connectEmailExpr) },
        { GATE: () => this.LA(1).tokenType === K.create && this.isWord(2, "email") && this.LA(3).tokenType === K.with, ALT: () => this.SUBRULE(this.createEmailExpr) },
      ],
    });
  }
  return MailSyntax;
}
