// Writes the grammar as Chevrotain sees it: grammar/wfl.gast.json (serialized productions)
// and grammar/diagrams.html (railroad diagrams, viewable in any browser).
// Run after changing src/parser/: `node scripts/grammar.mjs` (needs `npm run build` first).
import { writeFileSync, mkdirSync } from "node:fs";
import { createSyntaxDiagramsCode } from "chevrotain";
import { grammarProductions } from "../dist/internal.js";

mkdirSync("grammar", { recursive: true });
const gast = grammarProductions();
writeFileSync("grammar/wfl.gast.json", JSON.stringify(gast, null, 1) + "\n");
writeFileSync("grammar/diagrams.html", createSyntaxDiagramsCode(gast));
console.log(`grammar: ${gast.length} rules written to grammar/`);
