import { sharedParser } from "../src/parser/parse.js";
const t0 = performance.now();
sharedParser();
console.log("parser build ms", (performance.now() - t0).toFixed(1));
