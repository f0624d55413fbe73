// Entry point of the start-up snapshot (dist/wfl-<node version>.blob, built by scripts/build.mjs).
// Building the parser and the standard library happens once, at build time; a run starts from the
// resulting heap, which cuts start-up from ~250 ms to under 100 ms.
import v8 from "node:v8";
import { runCli } from "./main.js";
import { sharedParser } from "../parser/parse.js";
import { standardLibrary } from "../stdlib/index.js";

standardLibrary();
sharedParser();
v8.startupSnapshot.setDeserializeMainFunction(() => {
  // Started as `node --snapshot-blob … ARGS`: the arguments follow the executable directly.
  runCli(process.argv.slice(1));
});
