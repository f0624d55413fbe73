// The shapes of the compile tables feature rooms contribute (src/features/compile.ts joins them).
// Each table maps every node kind of a room to the function that compiles it; TypeScript checks
// that no kind is missing.
import type { Expr, Stmt } from "../ast/nodes.js";
import type { BlockScope } from "./scope.js";
import type { CExpr, CStmt } from "./closures.js";
import type { Compiler } from "./compile.js";

export type StmtCompiler<S extends Stmt> = (c: Compiler, s: S, scope: BlockScope) => CStmt | null;
export type ExprCompiler<E extends Expr> = (c: Compiler, e: E, scope: BlockScope) => CExpr;

export type StmtCompilers<S extends Stmt> = { [K in S["kind"]]: StmtCompiler<Extract<S, { kind: K }>> };
export type ExprCompilers<E extends Expr> = { [K in E["kind"]]: ExprCompiler<Extract<E, { kind: K }>> };
