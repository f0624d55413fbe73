// Every standard-library module, registered into one Registry. Add a module here.
import { Registry } from "./registry.js";
import * as core from "./core/index.js";
import * as math from "./math/index.js";
import * as text from "./text/index.js";
import * as list from "./list/index.js";
import * as random from "./random/index.js";
import * as json from "./json/index.js";
import * as time from "./time/index.js";
import * as filesystem from "./filesystem/index.js";
import * as crypto from "./crypto/index.js";
import * as toml from "./toml/index.js";
import * as web from "./web/index.js";
import * as pattern from "./pattern/index.js";
import * as environment from "./environment/index.js";
import * as archive from "./archive/index.js";
import * as encoding from "./encoding/index.js";
import * as markdown from "./markdown/index.js";
import * as manifest from "./manifest/index.js";

const modules = [core, math, text, list, random, json, time, filesystem, crypto, toml, web, pattern, environment, archive, encoding, markdown, manifest];

let shared: Registry | undefined;

/** The standard library, built once per process. */
export function standardLibrary(): Registry {
  if (!shared) {
    shared = new Registry();
    for (const m of modules) m.register(shared);
  }
  return shared;
}
