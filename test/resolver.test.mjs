// Defects in name resolution across files (the resolver, src/analysis/, fixes them).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Writes the files into a fresh folder and runs the first one. */
function run(files) {
  const dir = mkdtempSync(join(tmpdir(), "wfl-resolve-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const r = spawnSync(join(root, "bin/wfl"), [join(dir, Object.keys(files)[0])], { cwd: dir, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const LIB = `define action called slow_hello:
    wait for 10 milliseconds
    display "hi"
end action

define action called area with w and h:
    return w times h
end action
`;

test("may-wait ignores included files", () => {
  const r = run({
    "main.wfl": 'include from "lib.wfl"\ndefine action called caller:\n    slow_hello\nend action\ncaller\n',
    "lib.wfl": LIB,
  });
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "hi\n");
  assert.equal(r.code, 0);
});

test("a line's parse depends on a pre-scan of its own file", () => {
  const local = run({
    "main.wfl": "define action called area with w and h:\n    return w times h\nend action\ndisplay area with 10 and 20\n",
  });
  assert.equal(local.stderr, "");
  assert.equal(local.stdout, "200\n");
  const included = run({ "main.wfl": 'include from "lib.wfl"\ndisplay area with 10 and 20\n', "lib.wfl": LIB });
  assert.equal(included.stderr, "");
  assert.equal(included.stdout, "200\n");
  // Inside a loop (compiled to JavaScript by the fast loops) the decision holds too.
  const loop = run({
    "main.wfl": 'include from "lib.wfl"\ncount from 1 to 3:\n    display area with count and 2\nend count\n',
    "lib.wfl": LIB,
  });
  assert.equal(loop.stderr, "");
  assert.equal(loop.stdout, "2\n4\n6\n");
});

