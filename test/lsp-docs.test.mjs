// One table documents the builtins (src/stdlib/docs.ts): every builtin has an entry, the
// generated Docs/builtins.md is current, and the language server's hover text comes from it.
// Docs/format.md's example is what the formatter really does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { standardLibrary, builtinsPage, builtinMarkdown, BUILTIN_DOCS, CONSTANT_DOCS, formatSource } from "../dist/internal.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const registry = standardLibrary();

test("every builtin (aliases aside) and every constant has exactly one documentation entry", () => {
  const canonical = [...registry.functions.keys()].filter((n) => !registry.aliasOf.has(n)).sort();
  assert.deepEqual(Object.keys(BUILTIN_DOCS).sort(), canonical);
  assert.deepEqual(Object.keys(CONSTANT_DOCS).sort(), [...registry.constants.keys()].sort());
  for (const [name, doc] of Object.entries(BUILTIN_DOCS)) {
    assert.ok(doc.summary.length > 10 && /[.…]$/.test(doc.summary), `${name}: a sentence`);
    assert.ok(doc.module, name);
  }
});

test("Docs/builtins.md is generated from the table and is current", () => {
  const page = readFileSync(join(root, "Docs/builtins.md"), "utf8");
  assert.equal(page, builtinsPage(registry), "run node scripts/builtins-doc.mjs");
  assert.equal(spawnSync(process.execPath, [join(root, "scripts/builtins-doc.mjs"), "--check"]).status, 0);
  assert.match(page, /\| `substring of text and number and \[number\]` \| Part of the text/);
  assert.match(page, /`to_uppercase`/, "aliases are listed");
});

test("the hover text of a builtin is the table's entry with its signature; an alias points to its name", () => {
  const md = builtinMarkdown(registry, "length");
  assert.match(md, /length of list\|text\|binary\|file/);
  assert.ok(md.includes(BUILTIN_DOCS.length.summary));
  assert.match(builtinMarkdown(registry, "to_uppercase"), /Another name for `touppercase`/);
  assert.equal(builtinMarkdown(registry, "not_a_builtin"), null);
});

test("Docs/format.md: the example is the formatter's real output", () => {
  const md = readFileSync(join(root, "Docs/format.md"), "utf8");
  const blocks = [...md.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]);
  const before = blocks.find((b) => b.startsWith("define action called grade") && b.includes("        end check"));
  const after = blocks.find((b) => b.startsWith("define action called grade") && b !== before);
  assert.ok(before && after);
  assert.equal(formatSource(before, "example.wfl").text, after);
});
