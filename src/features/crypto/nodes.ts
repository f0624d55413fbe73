// The syntax tree nodes of the crypto room: password hashing and JSON Web Tokens.
import type { Expr } from "../../ast/nodes.js";
import type { Span } from "../../ast/span.js";

export type CryptoExpr =
  /** `hash password X` (= `hash_password of X`). */
  | { kind: "HashPassword"; password: Expr; span: Span }
  /** `verify password X against H` (= `verify_password of X and H`). */
  | { kind: "VerifyPassword"; password: Expr; stored: Expr; span: Span }
  /** `sign jwt with claims C and secret S` (= `sign_jwt of C and S`). */
  | { kind: "SignJwt"; claims: Expr; secret: Expr; span: Span }
  /** `verify jwt T with secret S` (= `verify_jwt of T and S`). */
  | { kind: "VerifyJwt"; token: Expr; secret: Expr; span: Span };

/** Expressions that always wait (hashing runs off the main thread; jose is asynchronous). */
export const cryptoExprWaits: CryptoExpr["kind"][] = ["HashPassword", "VerifyPassword", "SignJwt", "VerifyJwt"];

/** The builtin each form is: both spellings give the same results. */
export const CRYPTO_BUILTINS: Record<CryptoExpr["kind"], string> = {
  HashPassword: "hash_password", VerifyPassword: "verify_password", SignJwt: "sign_jwt", VerifyJwt: "verify_jwt",
};
