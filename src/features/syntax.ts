// The whole grammar: the core language (src/parser/core.ts) plus each feature room's syntax.
// Adding a room's grammar is one line here; its rules and its alternatives live in the room.
import { CoreParser } from "../parser/core.js";
import { testsSyntax } from "./tests/syntax.js";
import { containersSyntax } from "./containers/syntax.js";
import { patternsSyntax } from "./patterns/syntax.js";
import { timeSyntax } from "./time/syntax.js";
import { modulesSyntax } from "./modules/syntax.js";
import { filesSyntax } from "./files/syntax.js";
import { webSyntax } from "./web/syntax.js";
import { databaseSyntax } from "./database/syntax.js";
import { processSyntax } from "./process/syntax.js";
import { objectsSyntax } from "./objects/syntax.js";
import { cryptoSyntax } from "./crypto/syntax.js";
import { sessionsSyntax } from "./sessions/syntax.js";
import { routesSyntax } from "./routes/syntax.js";

const Rooms = cryptoSyntax(objectsSyntax(processSyntax(databaseSyntax(webSyntax(filesSyntax(modulesSyntax(timeSyntax(
  patternsSyntax(containersSyntax(testsSyntax(routesSyntax(sessionsSyntax(CoreParser)))))))))))));
// sessions and routes come first: their gated forms (`listen … with sessions enabled`, `respond … and
// set session`, `register route`, `delete session data`, `find expired sessions`) are tried before
// the web room's `listen`, `respond`, `register signal` and the files room's `delete`.

export class WflParser extends Rooms {
  constructor(builtinNames: ReadonlySet<string> = new Set()) {
    super(builtinNames);
    this.finish();
  }
}
