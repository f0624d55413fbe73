import { tokenize } from "../src/lexer/lexer.js";
import { sharedParser } from "../src/parser/parse.js";
const p = sharedParser();
for (const src of ["display count\n", "display x with count\n", "display (count)\n", "store y as count\n", "display [count]\n"]) {
  p.input = tokenize(src).tokens;
  p.source = src;
  p.program();
  console.log(JSON.stringify(src), p.errors.map((e) => [e.name, e.message, (e as any).context?.ruleStack?.join(">")]));
}
