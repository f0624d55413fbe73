// Writes Docs/builtins.md from the one table of builtin documentation (src/stdlib/docs.ts) and the
// declared signatures (run `npm run build` first). test/lsp-docs.test.mjs checks the page is current.
//   node scripts/builtins-doc.mjs          rewrite the page
//   node scripts/builtins-doc.mjs --check  exit 1 when the page is out of date
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { builtinsPage, standardLibrary } from "../dist/internal.js";

const page = fileURLToPath(new URL("../Docs/builtins.md", import.meta.url));
const text = builtinsPage(standardLibrary());
if (process.argv.includes("--check")) {
  let current = "";
  try { current = readFileSync(page, "utf8"); } catch {}
  if (current !== text) {
    console.error("Docs/builtins.md is out of date: run node scripts/builtins-doc.mjs");
    process.exit(1);
  }
} else {
  writeFileSync(page, text);
  console.log("wrote Docs/builtins.md");
}
