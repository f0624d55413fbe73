// Every documented form parses (issue 6, item 6): each ```wfl block of the upstream Docs/ is
// parsed as `wfl --parse` parses it (the library's parse for all of them, the CLI itself for every
// failure and a sample of the rest: see parseBlocks in conformance/doc-forms.mjs). Blocks that are not expected to parse are listed in
// test/doc-forms-allow.json, keyed `docfile#hash` (see conformance/doc-forms.mjs), each with a
// category and a reason:
//   placeholder   a syntax template (`<name>`, `...`, a header whose body is left out)
//   transcript    a REPL or shell session, or printed output: not a program
//   marked-wrong  the doc marks it wrong (or it is itself wrong, the reason says how)
//   web-runtime   web server / HTTP client forms, for the web issue
//   todo-parser   a real parser gap (conformance/doc-forms-triage.md); temporary
// A failing block that is not listed fails the test. A listed placeholder/transcript/marked-wrong
// block that now parses fails it too (the list must shrink); web-runtime and todo-parser blocks
// that now parse are only reported, as are the counts per category.
//
//   node conformance/doc-forms.mjs     lists every failing block with its error
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DOCS_DIR, docBlocks, extractWflBlocks, parseBlocks } from "../conformance/doc-forms.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const ALLOW_PATH = path.join(here, "doc-forms-allow.json");
const CATEGORIES = ["placeholder", "transcript", "marked-wrong", "web-runtime", "todo-parser"];
const REPORT_ONLY = new Set(["web-runtime", "todo-parser"]);

test("extractWflBlocks: wfl fences only, indented fences lose their indentation", () => {
  const md = [
    "Intro",
    "```wfl",
    'display "a"',
    "```",
    "```bash",
    "wfl x.wfl",
    "```",
    "1. A step:",
    "   ```wfl",
    "   check if x is 1:",
    '       display "one"',
    "   end check",
    "   ```",
    "```markdown",
    "```",
    "~~~wfl",
    "store y as 2",
    "~~~",
  ].join("\n");
  assert.deepEqual(extractWflBlocks(md), [
    { line: 2, source: 'display "a"\n' },
    { line: 9, source: 'check if x is 1:\n    display "one"\nend check\n' },
    { line: 16, source: "store y as 2\n" },
  ]);
});

test("the allow-list names only known categories, each with a reason", () => {
  const allow = JSON.parse(readFileSync(ALLOW_PATH, "utf8"));
  for (const [key, entry] of Object.entries(allow)) {
    assert.match(key, /^[^#]+\.md#[0-9a-f]{10}$/, `${key}: key is docfile#hash`);
    assert.ok(CATEGORIES.includes(entry.category), `${key}: unknown category ${entry.category}`);
    assert.ok(typeof entry.reason === "string" && entry.reason.length > 10, `${key}: needs a reason`);
  }
});

test("every documented form parses (or is allow-listed with a reason)", { skip: !existsSync(DOCS_DIR) && `no upstream Docs at ${DOCS_DIR}`, timeout: 180_000 }, async (t) => {
  const allow = JSON.parse(readFileSync(ALLOW_PATH, "utf8"));
  const blocks = docBlocks();
  assert.ok(blocks.length > 1000, `expected the upstream Docs to hold over 1000 wfl blocks, found ${blocks.length}`);
  const results = await parseBlocks(blocks);

  const mismatches = [];
  const unexpected = [];
  const nowParse = [];
  const nowParseReported = [];
  const counts = Object.fromEntries(CATEGORIES.map((c) => [c, 0]));
  const seen = new Set();
  for (const b of blocks) {
    if (seen.has(b.key)) continue;
    seen.add(b.key);
    const r = results.get(b.key);
    const entry = allow[b.key];
    if (r.mismatch) mismatches.push(`${b.file}:${b.line} (${b.key}): ${r.mismatch}`);
    if (!r.ok && !entry) unexpected.push(`${b.file}:${b.line} (${b.key}): ${r.error}`);
    if (!r.ok && entry) counts[entry.category]++;
    if (r.ok && entry) (REPORT_ONLY.has(entry.category) ? nowParseReported : nowParse).push(`${b.file}:${b.line} (${b.key}, ${entry.category})`);
  }
  const stale = Object.keys(allow).filter((k) => !seen.has(k));

  const parsed = [...results.values()].filter((r) => r.ok).length;
  t.diagnostic(`${seen.size} distinct blocks: ${parsed} parse, ${seen.size - parsed} do not`);
  for (const c of CATEGORIES) t.diagnostic(`allow-listed ${c}: ${counts[c]}`);
  for (const s of nowParseReported) t.diagnostic(`now parses (remove it from test/doc-forms-allow.json): ${s}`);

  assert.deepEqual(mismatches, [], "blocks that `wfl --parse` and the library's parse judge differently");
  assert.deepEqual(unexpected, [], "blocks that fail to parse and are not in test/doc-forms-allow.json");
  assert.deepEqual(nowParse, [], "allow-listed blocks that now parse: remove them from test/doc-forms-allow.json");
  assert.deepEqual(stale, [], "allow-list entries that match no block in the Docs (the doc changed): re-triage them");
});
