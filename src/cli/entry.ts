// Entry point of dist/cli.js (used when no start-up snapshot matches this Node).
import { runCli } from "./main.js";

runCli(process.argv.slice(2));
