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
import { templatesSyntax } from "./templates/syntax.js";
import { rateLimitSyntax } from "./ratelimit/syntax.js";
import { mailSyntax } from "./mail/syntax.js";

import { httpClientSyntax } from "./httpclient/syntax.js";
import { responsesSyntax } from "./responses/syntax.js";
import { sessionsSyntax } from "./sessions/syntax.js";
import { routesSyntax } from "./routes/syntax.js";

// A room nearer CoreParser is tried first. Sessions and routes come first: their gated forms
// (`listen … with sessions enabled`, `respond … and set session`, `register route`, `delete session
// data`, `find expired sessions`) are tried before the web room's `listen`, `respond`, `register
// signal` and the files room's `delete`. The responses room sits inside files and web: its
// `write line … to` and `respond … with file at` are tried before their `write … to` and `respond … with`.
const Rooms = mailSyntax(rateLimitSyntax(templatesSyntax(cryptoSyntax(objectsSyntax(processSyntax(databaseSyntax(webSyntax(filesSyntax(
  responsesSyntax(httpClientSyntax(modulesSyntax(timeSyntax(patternsSyntax(containersSyntax(testsSyntax(routesSyntax(sessionsSyntax(
    CoreParser))))))))))))))))));

export class WflParser extends Rooms {
  constructor(builtinNames: ReadonlySet<string> = new Set()) {
    super(builtinNames);
    this.finish();
  }
}
