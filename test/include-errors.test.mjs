// Bug: an error inside an action written in an included file, when the action was called from the
// including file, was reported against the including file (its name, with the included file's line
// and column, so the caret pointed at an unrelated line). Now every action of a program with
// includes names the file it is written in.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const wfl = join(fileURLToPath(new URL("..", import.meta.url)), "bin/wfl");

function runTree(files, main) {
  const dir = mkdtempSync(join(tmpdir(), "wfl-include-errors-"));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return spawnSync(wfl, [main], { cwd: dir, encoding: "utf8", timeout: 60_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("an error in an action of an included file, called from the including file, names the included file and line", () => {
  const r = runTree({
    "main.wfl": '// one\n// two\ninclude from "lib.wfl"\ndisplay "before"\nboom\n',
    "lib.wfl": "define action called boom:\n    store x as 1 divided by 0\nend action\n",
  }, "main.wfl");
  assert.equal(r.status, 1);
  assert.match(r.stdout, /before/);
  assert.match(r.stderr, /lib\.wfl:2:\d+/);
  assert.match(r.stderr, /store x as 1 divided by 0/);
  assert.doesNotMatch(r.stderr, /main\.wfl/);
});

test("an error in an action of the main file, called from an action of an included file, names the main file", () => {
  const r = runTree({
    "main.wfl": 'define action called fail_here:\n    store y as 2 divided by 0\nend action\ninclude from "lib.wfl"\ncall_it\n',
    "lib.wfl": "define action called call_it:\n    fail_here\nend action\n",
  }, "main.wfl");
  assert.equal(r.status, 1);
  assert.match(r.stderr, /main\.wfl:2:\d+/);
  assert.match(r.stderr, /store y as 2 divided by 0/);
});

test("an asynchronous action of an included file (one that waits) names its file too", () => {
  const r = runTree({
    "main.wfl": 'include from "lib.wfl"\nslow_boom\n',
    "lib.wfl": "define action called slow_boom:\n    wait for 1 milliseconds\n    store z as 3 divided by 0\nend action\n",
  }, "main.wfl");
  assert.equal(r.status, 1);
  assert.match(r.stderr, /lib\.wfl:3:\d+/);
});
