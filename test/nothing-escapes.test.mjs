// Issue 7, "nothing lost, nothing leaked": a child program never gets more than its parent
// allows, bytes that are not UTF-8 are never silently replaced, and a small host stack never
// turns deep recursion into a segfault.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const wfl = join(root, "bin/wfl");

/** Writes `files` ({ "a/b.wfl": text }) under a new scratch folder and returns it. */
function tree(files) {
  const dir = mkdtempSync(join(tmpdir(), "wfl-escapes-"));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

const run = (dir, file, opts = {}) => spawnSync(wfl, [file], { cwd: dir, encoding: "utf8", timeout: 60_000, ...opts });

// ── invalid UTF-8 ─────────────────────────────────────────────────────────────

test("invalid UTF-8 inside a string literal is a parse error at its line and column, not a silent U+FFFD", () => {
  const dir = tree({});
  writeFileSync(join(dir, "latin1.wfl"), Buffer.concat([Buffer.from('display "ok"\nstore s as "caf'), Buffer.from([0xe9]), Buffer.from(' au lait"\ndisplay s\n')]));
  const r = run(dir, "latin1.wfl");
  assert.equal(r.status, 1);
  assert.equal(r.stdout, "", "nothing runs");
  assert.match(r.stderr, /^error\[PARSE\]: The file is not valid UTF-8/);
  assert.match(r.stderr, /latin1\.wfl:2:16\n/);
  assert.doesNotMatch(r.stderr, /INTERNAL|\n\s+at /);
});

test("an included file that is not valid UTF-8 is a parse error in that file", () => {
  const dir = tree({ "main.wfl": 'include from "lib.wfl"\ndisplay "main"\n' });
  writeFileSync(join(dir, "lib.wfl"), Buffer.concat([Buffer.from("store x as 1\n// "), Buffer.from([0xff, 0xfe]), Buffer.from("\n")]));
  const r = run(dir, "main.wfl");
  assert.equal(r.status, 1);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^error\[PARSE\]: The file is not valid UTF-8/);
  assert.match(r.stderr, /lib\.wfl:2:4\n/);
});

test("overlong and surrogate encodings are refused, while a byte-order mark and 4-byte characters are kept", () => {
  const dir = tree({});
  writeFileSync(join(dir, "overlong.wfl"), Buffer.concat([Buffer.from('display "'), Buffer.from([0xc0, 0xaf]), Buffer.from('"\n')]));
  writeFileSync(join(dir, "surrogate.wfl"), Buffer.concat([Buffer.from('display "'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"\n')]));
  writeFileSync(join(dir, "good.wfl"), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('display "😀 é"\n')]));
  for (const f of ["overlong.wfl", "surrogate.wfl"]) {
    const r = run(dir, f);
    assert.equal(r.status, 1, f);
    assert.match(r.stderr, new RegExp(`^error\\[PARSE\\]: The file is not valid UTF-8[^\\n]*\\n[^\\n]*${f.replace(".", "\\.")}:1:10\\n`), f);
  }
  const g = run(dir, "good.wfl");
  assert.equal(g.stderr, "");
  assert.equal(g.stdout, "😀 é\n");
});

// ── execute wfl file never widens the settings ──────────────────────────────

const TRY_COMMAND = `try:
    wait for execute command "echo hello from a child" as out
    display "ran: " with trim of out
catch:
    display "refused: " with error_message
end try
`;

test("a child program run by execute wfl file from a folder with subprocesses off cannot launch processes under its own .wflcfg", () => {
  const dir = tree({
    "parent/main.wfl": 'execute wfl file at "../other/child.wfl"\ndisplay "parent done"\n',
    "other/.wflcfg": "allow_shell_execution = true\nshell_execution_mode = unrestricted\n",
    "other/child.wfl": TRY_COMMAND,
  });
  const r = run(join(dir, "parent"), "main.wfl");
  assert.equal(r.stderr, "");
  assert.match(r.stdout, /^refused: Running commands is turned off/);
  assert.match(r.stdout, /parent done\n$/);
  // Run directly, the child may (its folder allows it): the refusal above came from the parent.
  const direct = run(join(dir, "other"), "child.wfl");
  assert.equal(direct.stdout, "ran: hello from a child\n");
});

test("a child's own .wflcfg can narrow its parent's settings but not widen them", () => {
  const dir = tree({
    "parent/.wflcfg": "allow_shell_execution = true\nshell_execution_mode = sanitized\nmax_call_depth = 50\n",
    "parent/main.wfl": 'execute wfl file at "../wider/child.wfl"\nexecute wfl file at "../narrower/child.wfl"\nexecute wfl file at "same.wfl"\n',
    "parent/same.wfl": TRY_COMMAND,
    // Asks for more: the shell, and deeper recursion. Gets the parent's sanitized mode and depth.
    "wider/.wflcfg": "allow_shell_execution = true\nshell_execution_mode = unrestricted\nmax_call_depth = 100000\n",
    "wider/child.wfl": `try:
    wait for execute command "echo via shell" using shell as out
    display "shell ran: " with trim of out
catch:
    display "shell refused: " with error_message
end try
define action called dive with n:
    return dive with n plus 1
end action
try:
    display dive with 1
catch:
    display "depth: " with error_message
end try
`,
    "narrower/.wflcfg": "allow_shell_execution = false\n",
    "narrower/child.wfl": TRY_COMMAND,
  });
  const r = run(join(dir, "parent"), "main.wfl");
  assert.equal(r.stderr, "");
  const lines = r.stdout.split("\n");
  assert.match(lines[0], /^shell refused: 'using shell' needs 'shell_execution_mode = unrestricted'/);
  assert.match(lines[1], /^depth: Stack overflow: more than 50 nested action calls/);
  assert.match(lines[2], /^refused: Running commands is turned off/);
  assert.equal(lines[3], "ran: hello from a child", "a child in the parent's own folder keeps what the parent allows");
});

// ── a small host stack ──────────────────────────────────────────────────────

/** Runs `bin/wfl file` under `ulimit -s <kib>` (the soft stack limit). */
const runWithStack = (dir, file, kib) =>
  spawnSync("/bin/sh", ["-c", `ulimit -s ${kib} && exec "$0" "$1"`, wfl, file], { cwd: dir, encoding: "utf8", timeout: 60_000 });

test("deep recursion and a deeply nested value under 'ulimit -s 2048' are WFL errors, not a segfault (bin/wfl hard-coded --stack-size=3900)", () => {
  const dir = tree({
    ".wflcfg": "max_call_depth = 1000000\n",
    "deep.wfl": "define action called dive with n:\n    return dive with n plus 1\nend action\ndisplay dive with 1\n",
    "nested.wfl": "store l as []\ncount from 1 to 200000:\n    store outer as []\n    push with outer and l\n    change l to outer\nend count\ndisplay l\n",
    "hello.wfl": 'display "hello"\n',
  });
  for (const kib of [2048, 1024]) {
    for (const f of ["deep.wfl", "nested.wfl"]) {
      const r = runWithStack(dir, f, kib);
      assert.equal(r.signal, null, `${f} at ${kib} KiB: killed by ${r.signal}`);
      assert.equal(r.status, 1, `${f} at ${kib} KiB: ${r.stderr}`);
      assert.match(r.stderr, /^error\[RUNTIME\]: Stack overflow/);
    }
    const h = runWithStack(dir, "hello.wfl", kib);
    assert.equal(h.stdout, "hello\n", "a small stack still runs programs (from the bundle: the snapshot needs the usual flags)");
  }
});

test("a host stack overflow names the statement it ended (it had no line and column)", () => {
  const dir = tree({
    ".wflcfg": "max_call_depth = 1000000\n",
    "deep.wfl": 'display "start"\ndefine action called dive with n:\n    return dive with n plus 1\nend action\ndisplay dive with 1\n',
    "nested.wfl": "store l as []\ncount from 1 to 200000:\n    store outer as []\n    push with outer and l\n    change l to outer\nend count\ndisplay l\n",
  });
  for (const [f, at] of [["deep.wfl", "deep\\.wfl:5:1"], ["nested.wfl", "nested\\.wfl:7:1"]]) {
    const r = run(dir, f);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^error\\[RUNTIME\\]: Stack overflow[^\\n]*\\n[^\\n]*${at}\\n`));
  }
});
