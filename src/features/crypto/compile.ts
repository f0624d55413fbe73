// Password hashing and JSON Web Tokens: each form compiles to a call of its builtin
// (`hash password X` is `hash_password of X`, …), so both spellings check, wait and fail alike.
import type { Expr } from "../../ast/nodes.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import type { BlockScope } from "../../compiler/scope.js";
import type { CExpr } from "../../compiler/closures.js";
import type { Compiler } from "../../compiler/compile.js";
import type { ExprCompilers } from "../../compiler/tables.js";
import { type CryptoExpr, CRYPTO_BUILTINS } from "./nodes.js";

function viaBuiltin(c: Compiler, e: CryptoExpr, operands: Expr[], scope: BlockScope): CExpr {
  const name = CRYPTO_BUILTINS[e.kind];
  const native = c.registry.functions.get(name);
  if (!native) throw new WflRuntimeError(`The builtin ${name} is not available in this run`, "general", e.span);
  return c.callNative(native, operands.map((o) => c.expr(o, scope)), e.span, e.span);
}

export const cryptoExpressions: ExprCompilers<CryptoExpr> = {
  HashPassword: (c, e, scope) => viaBuiltin(c, e, [e.password], scope),
  VerifyPassword: (c, e, scope) => viaBuiltin(c, e, [e.password, e.stored], scope),
  SignJwt: (c, e, scope) => viaBuiltin(c, e, [e.claims, e.secret], scope),
  VerifyJwt: (c, e, scope) => viaBuiltin(c, e, [e.token, e.secret], scope),
};
