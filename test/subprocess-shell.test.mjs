// `using shell` (unrestricted mode): the command is shell syntax, the arguments are not.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

test("shell injection through arguments: with 'using shell' each argument is quoted and printed literally", () => {
  const r = spawnSync("bin/wfl", ["test/fixtures/subprocess/unrestricted/run.wfl"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.split("\n")[0], "out: $(id -u) ; echo INJECTED it's `id` a  b *  $HOME");
  assert.doesNotMatch(r.stdout, /^INJECTED$/m);
  assert.match(r.stdout, /^words: one two\|x'y\|\\n\|$/m);
  // The command text itself is still shell syntax.
  assert.match(r.stdout, /^shell: PIPED$/m);
});

test("a NUL character in a command argument is a catchable WFL error, not INTERNAL", () => {
  const r = spawnSync("bin/wfl", ["test/fixtures/subprocess/unrestricted_nul/run.wfl"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "caught: Argument 1 contains a NUL character, which no command line can carry\n".repeat(2));
});
