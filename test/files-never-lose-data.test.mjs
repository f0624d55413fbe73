// Files never lose data (issue 7). Real conditions, no mocks:
// - a full disk, made with a file-size limit (`ulimit -f` in bash, SIGXFSZ ignored so writes fail
//   with EFBIG) and, where this machine lets us mount one, a 64 KiB tmpfs (ENOSPC);
// - a named pipe made with mkfifo, which used to block `open file … for reading` forever;
// - a program killed while a handle opened for writing is still open.
// Every failure must leave the old file byte for byte, leave no temporary file behind, and be
// reported as a WFL error with the program's line and column.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as wfl from "../dist/internal.js";
import { findHostTrace, runProcess, wflCommand } from "../conformance/lib.mjs";
import { call } from "./support/natives.mjs";

const ORIGINAL = Buffer.from("precious original content\nsecond line, with bytes \u00e9\u00e8 that must survive\n");
const BIG = [
  'store big as "0123456789abcdef"',
  "count from 1 to 13:", // 16 bytes doubled 13 times: 128 KiB
  "    change big to big with big",
  "end count",
];
// Programs that each write `big` over precious.txt one way; `at` is the line:column of the
// statement that must be blamed.
const WRITES = {
  "write content into a path": { lines: [...BIG, 'write content big into "precious.txt"'], at: "5:1" },
  "create file at": { lines: [...BIG, 'create file at "precious.txt" with big'], at: "5:1", verb: "create" },
  "a handle opened for writing": {
    lines: [...BIG, 'open file at "precious.txt" for writing as h', "write content big into h", "close file h"],
    at: "6:1",
    verb: "write to",
  },
  "append content into a path": { lines: [...BIG, 'append content big into "precious.txt"'], at: "5:1", verb: "append to" },
  "a handle opened for appending": {
    lines: [...BIG, 'open file at "precious.txt" for appending as h', "append content big into h", "close file h"],
    at: "6:1",
    verb: "write to",
  },
};

let work;
before(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "wfl-no-data-loss-"));
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

function freshDir(parent, name) {
  const d = path.join(parent, name.replace(/\W+/g, "-"));
  fs.mkdirSync(d, { recursive: true });
  return d;
}

/** Runs `wfl prog.wfl` in `cwd`, optionally under a shell prefix such as a ulimit. */
function runWfl(cwd, progFile, { shellPrefix = null, timeoutMs = 20_000 } = {}) {
  const [cmd, ...lead] = wflCommand();
  if (!shellPrefix) return runProcess(cmd, [...lead, progFile], { cwd, timeoutMs });
  return runProcess("bash", ["-c", `${shellPrefix}; exec "$0" "$@"`, cmd, ...lead, progFile], { cwd, timeoutMs });
}

function assertWflError(res, { file, at, message }) {
  const ctx = `exit ${res.code} signal ${res.signal}\nstdout: ${res.stdout}\nstderr: ${res.stderr}`;
  assert.ok(!res.timedOut, `timed out: ${ctx}`);
  assert.equal(res.signal, null, `killed by a signal: ${ctx}`);
  assert.equal(res.code, 1, ctx);
  assert.equal(findHostTrace(res.stderr), null, `host internals leaked: ${ctx}`);
  assert.match(res.stderr, /^error\[RUNTIME\]: /m, ctx);
  assert.ok(res.stderr.includes(message), `expected "${message}": ${ctx}`);
  assert.ok(res.stderr.includes(`${file}:${at}`), `expected the location ${file}:${at}: ${ctx}`);
}

function assertIntact(dir, progName) {
  const target = path.join(dir, "precious.txt");
  assert.deepEqual(fs.readFileSync(target), ORIGINAL, "precious.txt lost its content");
  assert.equal(fs.statSync(target).mode & 0o777, 0o640, "precious.txt lost its mode");
  assert.deepEqual(fs.readdirSync(dir).sort(), [progName, "precious.txt"].sort(), "a temporary file was left behind");
}

async function failedWritesKeepTheOldFile(parent, shellPrefix, message) {
  for (const [name, { lines, at, verb = "write" }] of Object.entries(WRITES)) {
    const dir = freshDir(parent, name);
    fs.writeFileSync(path.join(dir, "precious.txt"), ORIGINAL);
    fs.chmodSync(path.join(dir, "precious.txt"), 0o640);
    const prog = path.join(dir, "prog.wfl");
    fs.writeFileSync(prog, lines.join("\n") + "\n");
    const res = await runWfl(dir, prog, { shellPrefix });
    assertWflError(res, { file: "prog.wfl", at, message: `Cannot ${verb} precious.txt: ${message}` });
    assertIntact(dir, "prog.wfl");
  }
}

test("a failed write on a full disk no longer destroys the existing file (file-size limit)", async () => {
  // 16 KiB limit; SIGXFSZ ignored so the write fails with EFBIG instead of killing the process.
  await failedWritesKeepTheOldFile(freshDir(work, "ulimit"), "ulimit -f 16; trap '' XFSZ", "the file would grow past the file-size limit");
});

test("a failed write on a full disk no longer destroys the existing file (64 KiB tmpfs)", async (t) => {
  const mnt = freshDir(work, "tmpfs");
  const m = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt], { encoding: "utf8" });
  if (m.status !== 0) {
    t.skip(`cannot mount a tmpfs here: ${(m.stderr || m.error?.message || "").trim()}`);
    return;
  }
  try {
    await failedWritesKeepTheOldFile(mnt, null, "no space left on the device");
  } finally {
    spawnSync("umount", [mnt]);
  }
});

test("a failed write through a handle makes later writes to it fail, and the file is left as it was", async () => {
  const dir = freshDir(work, "handle-after-failure");
  fs.writeFileSync(path.join(dir, "precious.txt"), ORIGINAL);
  fs.chmodSync(path.join(dir, "precious.txt"), 0o640);
  const prog = path.join(dir, "prog.wfl");
  fs.writeFileSync(
    prog,
    [...BIG, 'open file at "precious.txt" for writing as h', "try:", "    write content big into h", "catch:", '    display "first write failed"', "end try", 'write content "small" into h', ""].join("\n"),
  );
  const res = await runWfl(dir, prog, { shellPrefix: "ulimit -f 16; trap '' XFSZ" });
  assert.equal(res.stdout, "first write failed\n");
  assertWflError(res, { file: "prog.wfl", at: "11:1", message: "Cannot write to precious.txt: an earlier write to it failed, so the file was left as it was" });
  assertIntact(dir, "prog.wfl");
});

test("opening a FIFO for reading no longer blocks forever: pipes are refused with a WFL error", async () => {
  const dir = freshDir(work, "fifo");
  const mk = spawnSync("mkfifo", [path.join(dir, "pipe")]);
  assert.equal(mk.status, 0, "mkfifo failed");
  const cases = [
    ['open file at "pipe" for reading as h', "1:1", "Cannot open pipe"],
    ['open file at "pipe" and read content as c', "1:1", "Cannot read pipe"],
    ['store c as read content from "pipe"', "1:12", "Cannot read pipe"],
    ['store n as count_lines of "pipe"', "1:12", "Cannot read pipe"],
    ['open file at "pipe" for writing as h', "1:1", "Cannot open for writing pipe"],
    ['open file at "pipe" for appending as h', "1:1", "Cannot open for appending pipe"],
    ['write content "x" into "pipe"', "1:1", "Cannot write pipe"],
    ['append content "x" into "pipe"', "1:1", "Cannot append to pipe"],
    ['create file at "pipe" with "x"', "1:1", "Cannot create pipe"],
    ['copy_file from "pipe" to "copy.txt"', "1:1", "Cannot copy pipe"],
  ];
  for (const [line, at, start] of cases) {
    fs.writeFileSync(path.join(dir, "prog.wfl"), line + "\n");
    const res = await runWfl(dir, "prog.wfl", { timeoutMs: 10_000 });
    assertWflError(res, { file: "prog.wfl", at, message: `${start}: it is a named pipe (FIFO), not a regular file` });
    assert.ok(fs.statSync(path.join(dir, "pipe")).isFIFO(), `${line}: the pipe was replaced`);
  }
  assert.deepEqual(fs.readdirSync(dir).sort(), ["pipe", "prog.wfl"]);
});

test("whole-file writes keep the file's mode and write through symbolic links", () => {
  const dir = freshDir(work, "mode-and-links");
  const f = path.join(dir, "config.txt");
  wfl.createFile(f, "old");
  fs.chmodSync(f, 0o600);
  wfl.writeTextFile(f, "new");
  assert.equal(fs.statSync(f).mode & 0o777, 0o600);
  assert.equal(fs.readFileSync(f, "utf8"), "new");
  const link = path.join(dir, "link.txt");
  fs.symlinkSync("config.txt", link);
  wfl.writeTextFile(link, "through the link");
  assert.ok(fs.lstatSync(link).isSymbolicLink(), "the link was replaced by a file");
  assert.equal(fs.readFileSync(f, "utf8"), "through the link");
  wfl.writeBinaryFile(link, [1, 2, 3]);
  assert.deepEqual([...fs.readFileSync(f)], [1, 2, 3]);
  assert.equal(fs.statSync(f).mode & 0o777, 0o600);
  assert.deepEqual(fs.readdirSync(dir).sort(), ["config.txt", "link.txt"]);
  // The documented device paths are written in place, never replaced.
  wfl.writeTextFile("/dev/null", "discarded");
  assert.ok(fs.statSync("/dev/null").isCharacterDevice());
  assert.equal(wfl.readTextFile("/dev/null"), "");
});

test("a program killed while a handle for writing is open leaves the original file intact", async () => {
  const dir = freshDir(work, "killed");
  fs.writeFileSync(path.join(dir, "precious.txt"), ORIGINAL);
  fs.chmodSync(path.join(dir, "precious.txt"), 0o640);
  fs.writeFileSync(
    path.join(dir, "prog.wfl"),
    ['open file at "precious.txt" for writing as h', 'write content "half of the new conten" into h', 'display "written"', "repeat while yes:", "    store x as 1", "end repeat", ""].join("\n"),
  );
  const [cmd, ...lead] = wflCommand();
  const child = spawn(cmd, [...lead, "prog.wfl"], { cwd: dir, stdio: ["ignore", "pipe", "ignore"] });
  const deadline = Date.now() + 15_000;
  while (!fs.readdirSync(dir).some((n) => n.endsWith(".wfl-tmp")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const exited = new Promise((r) => child.on("exit", r));
  child.kill("SIGKILL");
  await exited;
  assert.deepEqual(fs.readFileSync(path.join(dir, "precious.txt")), ORIGINAL);
  // Killed outright, the program cannot clean up: its hidden temporary file stays.
  assert.ok(fs.readdirSync(dir).some((n) => /^\.precious\.txt\.\d+\.[0-9a-f]{8}\.wfl-tmp$/.test(n)));
});

test("a program that forgets close file still gets its file written when it ends", async () => {
  const dir = freshDir(work, "unclosed");
  fs.writeFileSync(path.join(dir, "precious.txt"), ORIGINAL);
  fs.writeFileSync(path.join(dir, "prog.wfl"), ['open file at "precious.txt" for writing as h', 'write content "replaced" into h', ""].join("\n"));
  const res = await runWfl(dir, "prog.wfl");
  assert.equal(res.code, 0, res.stderr);
  assert.equal(fs.readFileSync(path.join(dir, "precious.txt"), "utf8"), "replaced");
  assert.deepEqual(fs.readdirSync(dir).sort(), ["precious.txt", "prog.wfl"]);
});

test("listing a folder while a handle for writing is open there shows no temporary file", () => {
  const dir = freshDir(work, "listing");
  wfl.createFile(path.join(dir, "a.txt"), "a");
  const h = wfl.openFile(path.join(dir, "b.txt"), "write");
  wfl.writeContent(h, "b");
  assert.equal(fs.readdirSync(dir).length, 2, "the temporary file is on disk");
  assert.deepEqual(wfl.listFiles(dir), ["a.txt"]);
  assert.deepEqual(wfl.listFiles(dir, { recursive: true }), ["a.txt"]);
  assert.deepEqual(call("list_dir", dir), ["a.txt"]);
  assert.deepEqual(call("glob", dir, "*"), [path.join(dir, "a.txt")]);
  assert.deepEqual(call("rglob", dir, "*"), [path.join(dir, "a.txt")]);
  wfl.closeFile(h);
  assert.deepEqual(wfl.listFiles(dir), ["a.txt", "b.txt"]);
});

const canDropPrivileges = process.getuid?.() === 0 && spawnSync("setpriv", ["--version"]).status === 0;

test("replacing a file still needs write permission on it, and a folder that takes no new file is written in place", { skip: !canDropPrivileges && "needs root and setpriv to run as nobody" }, async () => {
  fs.chmodSync(work, 0o711);
  const dir = freshDir(work, "permissions");
  fs.chmodSync(dir, 0o777);
  const asNobody = "exec setpriv --reuid=65534 --regid=65534 --clear-groups";
  // A read-only file in a writable folder: the rename would succeed, so the permission is checked.
  const ro = path.join(dir, "readonly.txt");
  fs.writeFileSync(ro, ORIGINAL);
  fs.chmodSync(ro, 0o444);
  fs.chownSync(ro, 65534, 65534);
  fs.writeFileSync(path.join(dir, "prog.wfl"), 'write content "x" into "readonly.txt"\n');
  fs.chmodSync(path.join(dir, "prog.wfl"), 0o644);
  let res = await runProcess("bash", ["-c", `${asNobody} "$@"`, "bash", ...wflCommand(), "prog.wfl"], { cwd: dir, timeoutMs: 20_000 });
  assertWflError(res, { file: "prog.wfl", at: "1:1", message: "Permission denied: cannot write readonly.txt" });
  assert.deepEqual(fs.readFileSync(ro), ORIGINAL);
  // A writable file in a folder nobody may not add to: rewritten in place (not atomic), as before.
  const locked = freshDir(work, "locked-folder");
  const f = path.join(locked, "open.txt");
  fs.writeFileSync(f, ORIGINAL);
  fs.chmodSync(f, 0o666);
  fs.chmodSync(locked, 0o755);
  fs.writeFileSync(path.join(locked, "prog.wfl"), 'write content "new" into "open.txt"\n');
  res = await runProcess("bash", ["-c", `${asNobody} "$@"`, "bash", ...wflCommand(), "prog.wfl"], { cwd: locked, timeoutMs: 20_000 });
  assert.equal(res.code, 0, res.stderr);
  assert.equal(fs.readFileSync(f, "utf8"), "new");
  assert.deepEqual(fs.readdirSync(locked).sort(), ["open.txt", "prog.wfl"]);
});
