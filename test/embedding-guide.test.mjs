// Docs/embedding.md's complete example (Docs/examples/embed.mjs) runs and prints what the guide
// shows, and the guide's listing is the file itself.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

const root = path.resolve(import.meta.dirname, "..");
const guide = readFileSync(path.join(root, "Docs", "embedding.md"), "utf8");
const example = readFileSync(path.join(root, "Docs", "examples", "embed.mjs"), "utf8");

/** The body of the first fenced block of `lang` after `heading`. */
function block(lang, heading) {
  const from = guide.indexOf(heading);
  assert.ok(from >= 0, `the guide has '${heading}'`);
  const open = guide.indexOf("```" + lang + "\n", from);
  assert.ok(open >= 0, `a \`\`\`${lang} block after '${heading}'`);
  const start = open + lang.length + 4;
  return guide.slice(start, guide.indexOf("```\n", start));
}

test("the guide's listing is Docs/examples/embed.mjs, unchanged", () => {
  assert.equal(block("js", "## A complete example"), example);
});

test("the embedding example runs with host actions, captured output and diagnostics, a time limit and an abort, and prints what the guide shows", () => {
  const r = spawnSync(process.execPath, [path.join(root, "Docs", "examples", "embed.mjs")], { cwd: root, encoding: "utf8", timeout: 30_000 });
  assert.equal(r.stderr, "");
  assert.equal(r.status, 0);
  assert.equal(r.stdout, block("output", "## A complete example"));
});
