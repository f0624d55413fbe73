// What makes code wait: statement and expression kinds that always compile to asynchronous code.
// Each feature room lists its own in its nodes.ts; the core's are `wait for …`. Which actions can
// wait (a fixpoint over the call graph, across included files) is worked out by the resolver
// (src/analysis/resolve.ts), so every call site knows whether it needs `await`.
import { testsWaits } from "./tests/nodes.js";
import { modulesWaits } from "./modules/nodes.js";
import { webWaits } from "./web/nodes.js";
import { processWaits } from "./process/nodes.js";
import { databaseWaits } from "./database/nodes.js";
import { cryptoExprWaits } from "./crypto/nodes.js";
import { rateLimitWaits, rateLimitExprWaits } from "./ratelimit/nodes.js";
import { mailWaits, mailExprWaits } from "./mail/nodes.js";
import { httpClientWaits } from "./httpclient/nodes.js";
import { responsesWaits } from "./responses/nodes.js";
import { sessionsWaits, sessionsExprWaits } from "./sessions/nodes.js";
import { routesWaits } from "./routes/nodes.js";

/** Statement kinds that always wait: the core's, and each room's. */
export const WAITING_STMTS: ReadonlySet<string> = new Set<string>([
  "WaitDuration", "WaitFor", ...testsWaits, ...modulesWaits, ...webWaits, ...processWaits, ...databaseWaits,
  ...rateLimitWaits, ...mailWaits,
  ...httpClientWaits, ...responsesWaits,
  ...sessionsWaits, ...routesWaits,
]);

/** Expression kinds that always wait (each room lists its own). */
export const WAITING_EXPRS: ReadonlySet<string> = new Set<string>([...cryptoExprWaits, ...rateLimitExprWaits, ...mailExprWaits, ...sessionsExprWaits]);
