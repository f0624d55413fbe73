// Every feature room's compile table, joined: the compiler looks statements and expressions of the
// rooms up here. Adding a room is one line in each table (TypeScript reports a kind left out).
import type { CoreExpr, CoreStmt, Expr, Stmt } from "../ast/nodes.js";
import type { ExprCompilers, StmtCompilers } from "../compiler/tables.js";
import { testsCompilers } from "./tests/compile.js";
import { containersCompilers } from "./containers/compile.js";
import { patternsCompilers, patternsExpressions } from "./patterns/compile.js";
import { timeExpressions } from "./time/compile.js";
import { modulesCompilers } from "./modules/compile.js";
import { filesCompilers, filesExpressions } from "./files/compile.js";
import { webCompilers, webExpressions } from "./web/compile.js";
import { databaseCompilers, databaseExpressions } from "./database/compile.js";
import { processCompilers, processExpressions } from "./process/compile.js";
import { objectsExpressions } from "./objects/compile.js";
import { cryptoExpressions } from "./crypto/compile.js";
import { templatesExpressions } from "./templates/compile.js";
import { rateLimitCompilers, rateLimitExpressions } from "./ratelimit/compile.js";
import { mailCompilers, mailExpressions } from "./mail/compile.js";
import { httpClientCompilers } from "./httpclient/compile.js";
import { responsesCompilers } from "./responses/compile.js";
import { sessionsCompilers, sessionsExpressions } from "./sessions/compile.js";
import { routesCompilers, routesExpressions } from "./routes/compile.js";

type FeatureStmt = Exclude<Stmt, CoreStmt>;
type FeatureExpr = Exclude<Expr, CoreExpr>;

export const FEATURE_STATEMENTS: StmtCompilers<FeatureStmt> = {
  ...testsCompilers,
  ...containersCompilers,
  ...patternsCompilers,
  ...modulesCompilers,
  ...filesCompilers,
  ...webCompilers,
  ...databaseCompilers,
  ...processCompilers,
  ...rateLimitCompilers,
  ...mailCompilers,
  ...httpClientCompilers,
  ...responsesCompilers,
  ...sessionsCompilers,
  ...routesCompilers,
};

export const FEATURE_EXPRESSIONS: ExprCompilers<FeatureExpr> = {
  ...patternsExpressions,
  ...timeExpressions,
  ...webExpressions,
  ...filesExpressions,
  ...databaseExpressions,
  ...processExpressions,
  ...objectsExpressions,
  ...cryptoExpressions,
  ...templatesExpressions,
  ...rateLimitExpressions,
  ...mailExpressions,
  ...sessionsExpressions,
  ...routesExpressions,
};
