// Subprocesses are off unless .wflcfg turns them on; even then they run without a shell.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const run = (dir) => spawnSync("bin/wfl", [`test/fixtures/subprocess/${dir}/run.wfl`], { cwd: root, encoding: "utf8" });

test("by default no command runs", () => {
  const r = run("off");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^refused: Running commands is turned off\. To allow it, set 'allow_shell_execution = true'/m);
  assert.doesNotMatch(r.stdout, /^ran:/m);
});

test("sanitized mode runs commands without a shell: ';' is an argument, not a separator", () => {
  const r = run("sanitized");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ran: hello from a child$/m);
  assert.match(r.stdout, /^ran: a; echo b$/m);
});

test("allowlist_only mode refuses commands not listed", () => {
  const r = run("allowlist");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^refused: 'echo' is not in allowed_shell_commands$/m);
  assert.match(r.stdout, /^refused: 'echo a; echo b' uses shell syntax/m);
});

test("a subprocess gets NODE_EXTRA_CA_CERTS as wfl was given it (bin/wfl defers it for Node's start-up)", () => {
  const r = spawnSync("bin/wfl", ["test/fixtures/subprocess/environment/run.wfl"], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NODE_EXTRA_CA_CERTS: "/nonexistent/extra-ca.pem" },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^NODE_EXTRA_CA_CERTS=\/nonexistent\/extra-ca\.pem$/m);
  assert.doesNotMatch(r.stdout, /WFL_EXTRA_CA_CERTS/);
});
