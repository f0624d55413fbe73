// The syntax tree nodes of the e-mail room (seed 003, section 3.9).
import type { Expr } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";

export type MailStmt =
  /** `send EMAIL using MAILER`. */
  | { kind: "SendEmail"; email: Expr; mailer: Expr; span: Span }
  /** `close email server MAILER`. */
  | { kind: "CloseMailer"; mailer: Expr; span: Span };

export type MailExpr =
  /** `connect to email server at HOST [with port N] [and username U and password P] [without tls]`. */
  | { kind: "ConnectEmail"; host: Expr; port: Expr | null; username: Expr | null; password: Expr | null; tls: boolean; span: Span }
  /** `create email with from A and to B and subject S and body T | html_body H …`. */
  | { kind: "CreateEmail"; fields: { name: string; value: Expr; span: Span }[]; span: Span };

/** Statements that always wait: sending and closing talk to the server. */
export const mailWaits: MailStmt["kind"][] = ["SendEmail", "CloseMailer"];
/** Expressions that always wait: connecting checks the server (STARTTLS and login) at once. */
export const mailExprWaits: MailExpr["kind"][] = ["ConnectEmail"];
