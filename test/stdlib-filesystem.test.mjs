import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as wfl from "../dist/internal.js";
import { call } from "./support/natives.mjs";

const { standardLibrary, WflRuntimeError } = wfl;
const kindOf = (fn) => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof WflRuntimeError, `a WFL error, not ${e}`);
    return e.errorKind;
  }
  assert.fail("expected an error");
};

let dir;
const p = (...parts) => path.join(dir, ...parts);
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "wfl-fs-test-"));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test("path text helpers", () => {
  assert.equal(call("path_extension", "document.txt"), "txt");
  assert.equal(call("path_extension", "archive.tar.gz"), "gz");
  assert.equal(call("path_extension", "README"), "");
  assert.equal(call("path_extension", ".bashrc"), "");
  assert.equal(call("path_stem", "document.txt"), "document");
  assert.equal(call("path_stem", "archive.tar.gz"), "archive.tar");
  assert.equal(call("path_stem", "/home/user/file.backup"), "file");
  assert.equal(call("path_stem", "readme"), "readme");
  assert.equal(call("path_basename", "documents/report.pdf"), "report.pdf");
  assert.equal(call("path_basename", "/home/user/file.txt"), "file.txt");
  assert.equal(call("path_basename", "/home/user/"), "user");
  assert.equal(call("path_basename", "readme.md"), "readme.md");
  assert.equal(call("path_dirname", "documents/report.pdf"), "documents");
  assert.equal(call("path_dirname", "/home/user/file.txt"), "/home/user");
  assert.equal(call("path_dirname", "/file.txt"), "/");
  assert.equal(call("path_dirname", "file.txt"), "");
  assert.equal(call("path_join", "home", "user"), "home/user");
  assert.equal(call("path_join", "home", "user", "docs"), "home/user/docs");
  assert.equal(call("path_join", "output/", "report.txt"), "output/report.txt");
  assert.equal(call("path_join", "a", "/abs"), "/abs");
  assert.equal(call("path_join", "only"), "only");
});

test("statement helpers: create, read, append, exists, size, delete", () => {
  const f = p("hello.txt");
  wfl.createFile(f, "Hello World!");
  assert.equal(wfl.fileExists(f), true);
  assert.equal(wfl.directoryExists(f), false);
  assert.equal(wfl.readTextFile(f), "Hello World!");
  assert.equal(wfl.fileSize(f), 12);
  assert.equal(call("file_size", f), 12);
  wfl.appendTextFile(f, "\nmore");
  assert.equal(wfl.readTextFile(f), "Hello World!\nmore");
  wfl.writeTextFile(f, "é");
  assert.deepEqual([...wfl.readBinaryFile(f)], [0xc3, 0xa9]);
  wfl.deleteFile(f);
  assert.equal(wfl.fileExists(f), false);
  assert.equal(kindOf(() => wfl.deleteFile(f)), "file not found");
  assert.equal(kindOf(() => wfl.readTextFile(p("missing.txt"))), "file not found");
  assert.match(String(kindOf(() => wfl.readTextFile(dir))), /general/);
});

test("read limits and invalid UTF-8", () => {
  const f = p("big.bin");
  wfl.writeBinaryFile(f, [0xff, 0xfe, 0x00, 1, 2, 3, 4, 5]);
  assert.throws(() => wfl.readTextFile(f), /not valid UTF-8/);
  assert.throws(() => wfl.readBinaryFile(f, 4), /read limit/);
  assert.equal(wfl.readBinaryFile(f, 8).length, 8);
  assert.equal(wfl.maxReadSize(new Map([["max_file_read_size", "1024"]])), 1024);
  assert.equal(wfl.maxReadSize(new Map()), 50 * 1024 * 1024);
});

test("file handles: write, append, read, binary, close", () => {
  const f = p("handle.txt");
  const w = wfl.openFile(f, "write");
  assert.equal(wfl.isFileHandle(w), true);
  assert.equal(wfl.formatValue(w), `[File: ${f}]`);
  wfl.writeContent(w, "Hello, World!");
  wfl.appendContent(w, "Line 2\n");
  assert.equal(wfl.fileExists(f), false); // a handle for writing replaces the file when it is closed
  assert.equal(wfl.fileSize(w), 20); // measured through the handle: what has been written so far
  assert.throws(() => wfl.readContent(w), /opened for writing/);
  wfl.closeFile(w);
  assert.equal(wfl.readTextFile(f), "Hello, World!Line 2\n");
  wfl.closeFile(w); // harmless
  assert.throws(() => wfl.writeContent(w, "x"), /closed/);

  const a = wfl.openFile(f, "append");
  wfl.appendContent(a, "Line 3");
  wfl.closeFile(a);

  const r = wfl.openFile(f, "read");
  assert.throws(() => wfl.writeContent(r, "nope"), /opened for reading/);
  assert.equal(wfl.fileSize(r), 26);
  assert.equal(wfl.readContent(r), "Hello, World!Line 2\nLine 3");
  wfl.closeFile(r);

  const rb = wfl.openFile(f, "read", true);
  assert.deepEqual([...wfl.readBytes(rb, 5)], [...Buffer.from("Hello")]);
  assert.equal(Buffer.from(wfl.readBinary(rb)).toString(), ", World!Line 2\nLine 3");
  assert.equal(wfl.readBytes(rb, 4).length, 0);
  wfl.closeFile(rb);

  assert.equal(kindOf(() => wfl.openFile(p("nope.txt"), "read")), "file not found");
});

test("binary round trip through handles (bytes above 0x7f)", () => {
  const f = p("roundtrip.bin");
  const out = wfl.openFile(f, "write", true);
  wfl.writeBinary(out, [0, 127, 128, 200, 255]);
  wfl.closeFile(out);
  const inp = wfl.openFile(f, "read", true);
  const loaded = wfl.readBinary(inp);
  assert.ok(loaded instanceof Uint8Array);
  assert.deepEqual([...loaded], [0, 127, 128, 200, 255]);
  assert.equal(call("file_size", inp), 5);
  wfl.closeFile(inp);
  const h = wfl.openFile(f, "write", true);
  assert.throws(() => wfl.writeBinary(h, [1, 256]), /not a byte/);
  assert.throws(() => wfl.writeBinary(h, [1.5]), /not a byte/);
  wfl.writeBinary(h, new Uint8Array([9, 8]));
  wfl.closeFile(h);
  assert.deepEqual([...fs.readFileSync(f)], [9, 8]);
});

test("directories, listing and globbing", () => {
  const root = p("tree");
  wfl.createDirectory(path.join(root, "sub", "deep"));
  wfl.createDirectory(path.join(root, "sub")); // already there: fine
  for (const [rel, body] of [["a.wfl", "x"], ["b.txt", "y"], ["test.log", ""], ["sub/c.wfl", ""], ["sub/deep/d.TXT", ""]])
    wfl.createFile(path.join(root, rel), body);
  assert.deepEqual(wfl.listFiles(root), ["a.wfl", "b.txt", "sub", "test.log"]);
  assert.deepEqual(wfl.listFiles(root, { pattern: "*.wfl" }), ["a.wfl"]);
  assert.deepEqual(wfl.listFiles(root, { pattern: "test.*" }), ["test.log"]);
  assert.deepEqual(wfl.listFiles(root, { recursive: true }), ["a.wfl", "b.txt", "sub/c.wfl", "sub/deep/d.TXT", "test.log"]);
  assert.deepEqual(wfl.listFiles(root, { recursive: true, extensions: [".txt"] }), ["b.txt", "sub/deep/d.TXT"]);
  assert.deepEqual(wfl.listFiles(root, { recursive: true, extensions: ["wfl", "log"] }), ["a.wfl", "sub/c.wfl", "test.log"]);
  assert.deepEqual(call("list_dir", root), ["a.wfl", "b.txt", "sub", "test.log"]);
  assert.deepEqual(call("glob", root, "*.wfl"), [path.join(root, "a.wfl")]);
  assert.deepEqual(call("glob", "*.wfl", root), [path.join(root, "a.wfl")]); // either order
  assert.deepEqual(call("glob", root, "**/*.wfl"), [path.join(root, "a.wfl"), path.join(root, "sub/c.wfl")]);
  assert.deepEqual(call("glob", root, "sub/*"), [path.join(root, "sub/c.wfl"), path.join(root, "sub/deep")]);
  assert.deepEqual(call("glob", root, "*.{wfl,txt}"), [path.join(root, "a.wfl"), path.join(root, "b.txt")]);
  assert.deepEqual(call("rglob", root, "*.wfl"), [path.join(root, "a.wfl"), path.join(root, "sub/c.wfl")]);
  assert.equal(kindOf(() => wfl.listFiles(p("no-such-dir"))), "file not found");

  assert.equal(call("is_dir", root), true);
  assert.equal(call("is_file", root), false);
  assert.equal(call("is_file", path.join(root, "a.wfl")), true);
  assert.equal(call("path_exists", root), true);
  assert.equal(call("path_exists", p("nope")), false);

  assert.throws(() => call("remove_dir", root), /not empty/);
  assert.throws(() => wfl.deleteDirectory(path.join(root, "a.wfl")), /not a directory/);
  call("remove_dir", root, true);
  assert.equal(wfl.directoryExists(root), false);
  assert.equal(kindOf(() => call("remove_dir", root)), "file not found");
  call("makedirs", path.join(root, "x", "y"));
  assert.equal(call("is_dir", path.join(root, "x", "y")), true);
  wfl.deleteDirectory(path.join(root, "x", "y"));
  assert.equal(call("is_dir", path.join(root, "x", "y")), false);
});

test("copy, move, remove", () => {
  const src = p("original.txt");
  wfl.createFile(src, "Original content here");
  call("copy_file", src, p("copied.txt"));
  assert.equal(wfl.readTextFile(p("copied.txt")), "Original content here");
  assert.equal(wfl.fileExists(src), true);
  call("move_file", p("copied.txt"), p("moved.txt"));
  assert.equal(wfl.fileExists(p("copied.txt")), false);
  assert.equal(wfl.readTextFile(p("moved.txt")), "Original content here");
  call("remove_file", p("moved.txt"));
  assert.equal(wfl.fileExists(p("moved.txt")), false);
  assert.equal(kindOf(() => call("delete_file", p("moved.txt"))), "file not found");
  assert.equal(kindOf(() => call("copy_file", p("nope"), p("x"))), "file not found");
  assert.equal(kindOf(() => call("move_file", p("nope"), p("x"))), "file not found");
});

test("count_lines", () => {
  const cases = [["", 0], ["single line", 1], ["Line 1\nLine 2\nLine 3", 3], ["a\nb\n", 2], ["\n", 1], ["a\r\nb\r\n", 2]];
  for (const [body, n] of cases) {
    wfl.createFile(p("lines.txt"), body);
    assert.equal(call("count_lines", p("lines.txt")), n, JSON.stringify(body));
  }
  assert.equal(kindOf(() => call("count_lines", p("does_not_exist.txt"))), "file not found");
});

test("file modes and mtime", { skip: process.platform === "win32" }, () => {
  const f = p("config.toml");
  wfl.createFile(f, 'token = "secret"\n');
  assert.equal(call("set_file_mode", f, "0600"), "0600");
  assert.equal(call("file_mode", f), "0600");
  assert.equal(call("set_file_mode", f, "644"), "0644");
  assert.equal(call("file_mode", f), "0644");
  call("set_file_mode", f, "0640");
  assert.equal(call("file_mode", f), "0640");
  for (const bad of ["rw-------", "0999", "0o600", "12", "06000"]) assert.throws(() => call("set_file_mode", f, bad), /not a file mode/);
  assert.equal(kindOf(() => call("file_mode", p("nope.toml"))), "file not found");
  assert.equal(kindOf(() => call("set_file_mode", p("nope.toml"), "0600")), "file not found");
  const mtime = call("file_mtime", f);
  assert.ok(Math.abs(mtime - Date.now() / 1000) < 60);
});

test("permission denied is its own error kind", { skip: process.platform === "win32" || process.getuid?.() === 0 }, () => {
  const f = p("locked.txt");
  wfl.createFile(f, "x");
  fs.chmodSync(f, 0o000);
  assert.equal(kindOf(() => wfl.readTextFile(f)), "permission denied");
  fs.chmodSync(f, 0o600);
});

test("relative paths resolve against the current directory", () => {
  const old = process.cwd();
  process.chdir(dir);
  try {
    wfl.createFile("relative.txt", "rel");
    assert.equal(fs.readFileSync(path.join(dir, "relative.txt"), "utf8"), "rel");
    assert.equal(call("file_size", "relative.txt"), 3);
    assert.deepEqual(call("glob", ".", "relative.*"), ["relative.txt"]);
  } finally {
    process.chdir(old);
  }
});

test("Node error codes map to WFL error kinds", () => {
  assert.equal(wfl.fsError({ code: "EACCES" }, "read", "x").errorKind, "permission denied");
  assert.equal(wfl.fsError({ code: "EPERM" }, "read", "x").errorKind, "permission denied");
  assert.equal(wfl.fsError({ code: "ENOENT" }, "read", "x").errorKind, "file not found");
  const e = wfl.fsError({ code: "EWEIRD", message: "EWEIRD: boom at /internal/stack" }, "read", "x");
  assert.equal(e.errorKind, "general");
  assert.doesNotMatch(e.message, /stack/);
});

test("creating a file in a missing directory says so", () => {
  const f = p("no-such-dir", "x.txt");
  for (const fn of [() => wfl.createFile(f, "x"), () => wfl.writeTextFile(f, "x"), () => wfl.openFile(f, "write"), () => wfl.appendTextFile(f, "x")]) {
    assert.throws(fn, /the directory it goes in does not exist/);
    assert.equal(kindOf(fn), "file not found");
  }
});
