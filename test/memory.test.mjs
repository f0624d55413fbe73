// Exhausting memory ends the program with a WFL error, not V8's fatal abort and its stack trace.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Runs a program (written to a scratch file) with a 256 MB heap, as `wfl` would. */
function runSmallHeap(name, source) {
  const file = join(mkdtempSync(join(tmpdir(), "wfl-memory-")), name);
  writeFileSync(file, source);
  return spawnSync("bin/wfl", [file], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, NODE_OPTIONS: "--max-old-space-size=256" },
  });
}

test("a loop that allocates without end stops with 'Out of memory'", () => {
  const r = runSmallHeap("oom.wfl", "store l as []\ncount from 1 to 2000000000:\n    push with l and [count, count, count]\nend count\n");
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /error\[RUNTIME\]: Out of memory/);
  assert.doesNotMatch(r.stderr, /FATAL ERROR|\n\s+at |Last few GCs/);
});

test("a list that would outgrow what V8 can hold stops with a WFL error, not a fatal abort", () => {
  for (const [name, stmt, line] of [["push", "push with l and count", 3], ["add", "add count times 0.5 to l", 3]]) {
    const r = runSmallHeap(`${name}.wfl`, `store l as []\ncount from 1 to 2000000000:\n    ${stmt}\nend count\n`);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /error\[RUNTIME\]: The list is too long: a list can hold at most \d+ items here/);
    assert.match(r.stderr, new RegExp(`${name}\\.wfl:${line}:5`));
    assert.doesNotMatch(r.stderr, /FATAL ERROR|Fatal|\n\s+at /);
  }
});
