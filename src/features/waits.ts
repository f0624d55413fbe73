// Statement kinds of the feature rooms that always wait (so code around them compiles to
// asynchronous closures). Each room lists its own in its nodes.ts.
import { testsWaits } from "./tests/nodes.js";
import { modulesWaits } from "./modules/nodes.js";
import { webWaits } from "./web/nodes.js";
import { processWaits } from "./process/nodes.js";
import { databaseWaits } from "./database/nodes.js";

import { cryptoExprWaits } from "./crypto/nodes.js";

export const FEATURE_WAITS: readonly string[] = [...testsWaits, ...modulesWaits, ...webWaits, ...processWaits, ...databaseWaits];

/** Expression kinds of the feature rooms that always wait. */
export const FEATURE_EXPR_WAITS: readonly string[] = [...cryptoExprWaits];
