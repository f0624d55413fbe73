import { readFileSync } from "node:fs";
import { parse } from "../parser/parse.js";
const file = process.argv[2]!;
const r = parse(readFileSync(file, "utf8"), file);
console.log(JSON.stringify(r, null, 1).slice(0, 3000));
