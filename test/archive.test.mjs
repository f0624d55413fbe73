// The archive builtins (read_archive, check_archive, archive_entry, create_archive,
// extract_archive, gzip, gunzip) run from WFL programs through the embedding API. Hostile archives
// are built here with tar-stream and zlib: each is refused with its code (check_archive) and one
// plain sentence (read_archive, caught by the program), and extract_archive writes nothing outside
// its folder.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { spawnSync } from "node:child_process";
import tarStream from "tar-stream";
import { run } from "../dist/internal.js";

let dir;
before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "wfl-archive-")); });
after(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** Runs a WFL program (lines) in the test folder; `files` are written there first. */
async function wfl(lines, files = {}) {
  for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), data);
  const file = path.join(dir, `p${++n}.wfl`);
  const source = lines.join("\n") + "\n";
  fs.writeFileSync(file, source);
  return run({ file });
}
async function ok(lines, files) {
  const r = await wfl(lines, files);
  assert.equal(r.exitCode, 0, `exit ${r.exitCode}\n${r.output}\n${r.diagnostics}`);
  assert.doesNotMatch(r.diagnostics + r.output, /INTERNAL|at .*\.js:\d+|node:internal/);
  return r.output.trimEnd().split("\n");
}
/** WFL lines that read the file `name` (in the test folder) into `data`. */
const load = (name, v = "data") => [
  `open file at "${path.join(dir, name)}" for reading binary as fh_${v}`,
  `store ${v} as read binary from fh_${v}`,
  `close file fh_${v}`,
];

/** A tar (not gzipped) of entries [{ header, content }] made by tar-stream. */
function tarOf(entries) {
  return new Promise((resolve, reject) => {
    const pack = tarStream.pack();
    const chunks = [];
    pack.on("data", (c) => chunks.push(c));
    pack.on("end", () => resolve(Buffer.concat(chunks)));
    pack.on("error", reject);
    for (const { header, content } of entries) pack.entry({ mtime: new Date(0), ...header }, content ?? "");
    pack.finalize();
  });
}
const tgzOf = async (entries) => zlib.gzipSync(await tarOf(entries));
const file = (name, content = "x") => ({ header: { name, type: "file" }, content });

/** A ustar header written by hand (tar-stream wants the content for a size, and refuses an empty name). */
function rawHeader(name, size) {
  const head = Buffer.alloc(512);
  head.write(name, 0);
  head.write("0000644\0", 100);
  head.write("0000000\0", 108);
  head.write("0000000\0", 116);
  head.write(size.toString(8).padStart(11, "0") + "\0", 124);
  head.write("00000000000\0", 136);
  head.write("        ", 148);
  head.write("0", 156);
  head.write("ustar\0" + "00", 257);
  let sum = 0;
  for (const b of head) sum += b;
  head.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  return head;
}

/** Checks one hostile archive: check_archive's code and path, read_archive's sentence. */
async function refused(bytes, code, sentence, entryPath) {
  const name = `a${++n}.tgz`;
  const out = await ok([
    ...load(name),
    "store problem as check_archive of data",
    `display field "code" of problem`,
    `display field "path" of problem`,
    `display field "message" of problem`,
    "try:",
    "    store entries as read_archive of data",
    '    display "accepted"',
    "catch:",
    '    display "refused: " with error_message',
    "end try",
  ], { [name]: bytes });
  assert.equal(out[0], code);
  assert.equal(out[1], entryPath === null ? "nothing" : entryPath);
  assert.match(out[2], sentence);
  assert.match(out[2], /archive/);
  assert.equal(out[3], `refused: ${out[2]}`);
  assert.doesNotMatch(out[2], /Error:|at .*\.js|\[/);
}

test("create_archive → read_archive gives back the same paths, types, sizes and contents", async () => {
  const out = await ok([
    'store files as create object with "README.md" as "# Hi" and "lib/util.wfl" as "display 1" and "bin/data.bin" as (hex_decode of "00ff10") and "project.wfl" as "name: demo"',
    "store data as create_archive of files",
    "store entries as read_archive of data",
    "for each e in entries:",
    '    display field "path" of e with " " with field "type" of e with " " with field "size" of e with " " with hex_encode of field "content" of e',
    "end for",
    "display check_archive of data",
    'display binary_to_text of field "content" of (archive_entry of entries and "README.md")',
    'display archive_entry of entries and "missing"',
    'display field "size" of (archive_entry of data and "project.wfl")',
  ]);
  assert.deepEqual(out, [
    // sorted paths
    "README.md file 4 23204869",
    "bin/data.bin file 3 00ff10",
    "lib/util.wfl file 9 646973706c61792031",
    "project.wfl file 10 6e616d653a2064656d6f",
    "nothing",
    "# Hi",
    "nothing",
    "10",
  ]);
});

test("create_archive is deterministic: the same object gives the same bytes, and a gzip'd tar with mtime 0, mode 0644, uid/gid 0", async () => {
  const out = await ok([
    'store a as create_archive of (create object with "b.txt" as "2" and "a.txt" as "1")',
    'store b as create_archive of (create object with "a.txt" as "1" and "b.txt" as "2")',
    "display a is equal to b",
    `open file at "${path.join(dir, "det.tgz")}" for writing binary as out`,
    "write binary a into out",
    "close file out",
  ]);
  assert.deepEqual(out, ["yes"]);
  const tar = zlib.gunzipSync(fs.readFileSync(path.join(dir, "det.tgz")));
  const headers = [];
  await new Promise((resolve, reject) => {
    const ex = tarStream.extract();
    ex.on("entry", (h, s, next) => { headers.push(h); s.resume(); s.on("end", next); });
    ex.on("finish", resolve);
    ex.on("error", reject);
    ex.end(tar);
  });
  assert.deepEqual(headers.map((h) => [h.name, h.mode, h.uid, h.gid, h.mtime.getTime(), h.uname, h.gname]), [
    ["a.txt", 0o644, 0, 0, 0, "", ""],
    ["b.txt", 0o644, 0, 0, 0, "", ""],
  ]);
});

test("read_archive reads plain tar and tar.gz made elsewhere, dropping a leading ./ and a folder's trailing /", async () => {
  const entries = [
    { header: { name: "./", type: "directory" } },
    { header: { name: "./lib/", type: "directory" } },
    file("./lib/a.wfl", "A"),
    file("top.txt", "T"),
  ];
  const files = { "plain.tar": await tarOf(entries), "gz.tgz": await tgzOf(entries) };
  for (const name of Object.keys(files)) {
    const out = await ok([
      ...load(name),
      "for each e in read_archive of data:",
      '    display field "path" of e with " " with field "type" of e with " " with length of field "content" of e',
      "end for",
    ], files);
    assert.deepEqual(out, ["lib directory 0", "lib/a.wfl file 1", "top.txt file 1"], name);
  }
});

test("a symbolic link is refused (symlink)", async () => {
  await refused(await tgzOf([file("ok.txt"), { header: { name: "evil", type: "symlink", linkname: "/etc/passwd" } }]),
    "symlink", /^The archive entry "evil" is a symbolic link/, "evil");
});

test("a hard link is refused (hardlink)", async () => {
  await refused(await tgzOf([file("ok.txt"), { header: { name: "evil", type: "link", linkname: "ok.txt" } }]),
    "hardlink", /^The archive entry "evil" is a hard link/, "evil");
});

test("devices and FIFOs are refused (special_file)", async () => {
  await refused(await tgzOf([{ header: { name: "dev", type: "character-device", devmajor: 1, devminor: 3 } }]), "special_file", /is a device/, "dev");
  await refused(await tgzOf([{ header: { name: "blk", type: "block-device", devmajor: 8, devminor: 0 } }]), "special_file", /is a device/, "blk");
  await refused(await tgzOf([{ header: { name: "pipe", type: "fifo" } }]), "special_file", /named pipe/, "pipe");
});

test("a .. part is refused (path_traversal)", async () => {
  await refused(await tgzOf([file("../evil")]), "path_traversal", /^The archive entry "\.\.\/evil" leaves the archive's folder \(it has a "\.\." part\)$/, "../evil");
  await refused(await tgzOf([file("a/../../evil")]), "path_traversal", /leaves the archive's folder/, "a/../../evil");
});

test("absolute paths are refused (absolute_path): /etc/x, C:x, \\\\server", async () => {
  await refused(await tgzOf([file("/etc/x")]), "absolute_path", /"\/etc\/x" has an absolute path/, "/etc/x");
  await refused(await tgzOf([file("C:x")]), "absolute_path", /"C:x" has an absolute path \(it starts with a drive letter\)/, "C:x");
  await refused(await tgzOf([file("\\\\server\\share")]), "absolute_path", /has an absolute path/, "\\\\server\\share");
});

test("a backslash, a control character or an empty path is refused (bad_path)", async () => {
  await refused(await tgzOf([file("a\\b")]), "bad_path", /has a backslash in its path/, "a\\b");
  await refused(await tgzOf([file("a\u0001b")]), "bad_path", /"a\\u0001b" has a control character/, "a\u0001b");
  await refused(await tgzOf([file("a//b")]), "bad_path", /empty or "\." part/, "a//b");
  await refused(zlib.gzipSync(Buffer.concat([rawHeader("", 0), Buffer.alloc(1024)])), "bad_path", /^The archive has an entry with an empty path$/, "");
});

test("a duplicate path is refused (duplicate_path), also when spelt with ./", async () => {
  await refused(await tgzOf([file("a.txt"), file("b.txt"), file("a.txt")]), "duplicate_path", /holds the entry "a\.txt" twice/, "a.txt");
  await refused(await tgzOf([file("a.txt"), file("./a.txt")]), "duplicate_path", /twice/, "./a.txt");
});

test("a pax header overriding the path to ../x is checked like any path", async () => {
  await refused(await tgzOf([{ header: { name: "innocent.txt", type: "file", pax: { path: "../x" } }, content: "x" }]),
    "path_traversal", /"\.\.\/x" leaves the archive's folder/, "../x");
});

test("more than 10,000 entries are refused (too_many_entries)", async () => {
  const entries = [];
  for (let i = 0; i <= 10_000; i++) entries.push({ header: { name: `f${i}`, type: "file" } });
  await refused(await tgzOf(entries), "too_many_entries", /more than 10000 entries/, null);
});

// 300 MiB of zeros as 30 concatenated gzip members of 10 MiB each (gunzip reads them as one stream).
const zeros10 = () => zlib.gzipSync(Buffer.alloc(10 * 1024 * 1024), { level: 1 });

test("a gzip bomb (an entry declaring 300 MiB, compressed to a few hundred KB) is refused early (too_large)", async () => {
  const z = zeros10();
  const bomb = Buffer.concat([zlib.gzipSync(rawHeader("big", 300 * 1024 * 1024)), ...Array(30).fill(z)]);
  assert.ok(bomb.length < 2 * 1024 * 1024);
  const started = Date.now();
  await refused(bomb, "too_large", /unpacks to more than 200 MiB/, null);
  assert.ok(Date.now() - started < 20_000);
});

test("a gzip bomb of bare zeros (no entries, 300 MiB) is refused (too_large)", async () => {
  const z = zeros10();
  await refused(Buffer.concat(Array(30).fill(z)), "too_large", /unpacks to more than 200 MiB/, null);
});

test("truncated and corrupt archives are refused with a sentence (corrupt)", async () => {
  const good = await tgzOf([file("a.txt", "x".repeat(5000)), file("b.txt", "y".repeat(5000))]);
  await refused(good.subarray(0, Math.floor(good.length / 2)), "corrupt", /^The archive is truncated/, null);
  const tar = await tarOf([file("a.txt", "x".repeat(5000))]);
  await refused(tar.subarray(0, 2048), "corrupt", /^The archive is truncated/, null);
  const bad = Buffer.from(good);
  bad[20] ^= 0xff; bad[21] ^= 0xff; bad[22] ^= 0xff;
  await refused(bad, "corrupt", /^The archive is (corrupt|truncated)/, null);
  await refused(Buffer.from("this is not an archive at all, just text".repeat(20)), "corrupt", /^The archive is corrupt/, null);
  const badSum = Buffer.from(tar);
  badSum[0] = 0x41;
  await refused(badSum, "corrupt", /^The archive is corrupt/, null);
});

test("create_archive refuses the same bad paths, and values that are not text or binary", async () => {
  const out = await ok([
    "for each bad in [\"../x\", \"/etc/x\", \"C:x\", \"a\\\\b\", \"\", \"a//b\"]:",
    "    try:",
    '        store d as create_archive of (create object with bad as "x")',
    '        display "accepted " with bad',
    "    catch:",
    "        display error_message",
    "    end try",
    "end for",
    "try:",
    '    store d as create_archive of (create object with "a" as 5)',
    "catch:",
    "    display error_message",
    "end try",
  ]);
  assert.equal(out.length, 7);
  assert.match(out[0], /leaves the archive's folder/);
  assert.match(out[1], /absolute path/);
  assert.match(out[2], /drive letter/);
  assert.match(out[3], /backslash/);
  assert.match(out[4], /empty path/);
  assert.match(out[5], /empty or "\." part/);
  assert.match(out[6], /expects text or binary data for "a", got Number/);
});

test("extract_archive writes files 0644 and folders 0755 into a new folder and lists the paths", async () => {
  const target = path.join(dir, "x1", "deep");
  const out = await ok([
    'store data as create_archive of (create object with "a.txt" as "A" and "lib/b.wfl" as "B")',
    `store paths as extract_archive of data and "${target}"`,
    "display paths",
  ]);
  assert.deepEqual(out, ["[a.txt, lib/b.wfl]"]);
  assert.equal(fs.readFileSync(path.join(target, "a.txt"), "utf8"), "A");
  assert.equal(fs.readFileSync(path.join(target, "lib/b.wfl"), "utf8"), "B");
  assert.equal(fs.statSync(path.join(target, "a.txt")).mode & 0o777, 0o644);
  assert.equal(fs.statSync(path.join(target, "lib")).mode & 0o777, 0o755);
});

test("extract_archive refuses when the folder already holds a path, and writes nothing then", async () => {
  const target = path.join(dir, "x2");
  fs.mkdirSync(target);
  fs.writeFileSync(path.join(target, "b.txt"), "mine");
  const out = await ok([
    'store data as create_archive of (create object with "a.txt" as "A" and "b.txt" as "B")',
    "try:",
    `    store paths as extract_archive of data and "${target}"`,
    "catch:",
    "    display error_message",
    "end try",
  ]);
  assert.match(out[0], /already holds "b\.txt"/);
  assert.equal(fs.existsSync(path.join(target, "a.txt")), false);
  assert.equal(fs.readFileSync(path.join(target, "b.txt"), "utf8"), "mine");
});

test("extract_archive never follows a symlink planted inside the target folder", async () => {
  const outside = path.join(dir, "outside");
  fs.mkdirSync(outside);
  const target = path.join(dir, "x3");
  fs.mkdirSync(target);
  fs.symlinkSync(outside, path.join(target, "sub"));
  const out = await ok([
    'store data as create_archive of (create object with "sub/evil.txt" as "pwned")',
    "try:",
    `    store paths as extract_archive of data and "${target}"`,
    "catch:",
    "    display error_message",
    "end try",
  ]);
  assert.match(out[0], /symbolic link/);
  assert.deepEqual(fs.readdirSync(outside), []);
  // A planted symlink at the file's own path is refused too (it is a path the folder holds).
  fs.symlinkSync(path.join(outside, "f.txt"), path.join(target, "f.txt"));
  const out2 = await ok([
    'store data as create_archive of (create object with "f.txt" as "pwned")',
    "try:",
    `    store paths as extract_archive of data and "${target}"`,
    "catch:",
    "    display error_message",
    "end try",
  ]);
  assert.match(out2[0], /already holds "f\.txt"/);
  assert.deepEqual(fs.readdirSync(outside), []);
});

test("extract_archive refuses hostile archives before writing anything", async () => {
  const files = {
    "h1.tgz": await tgzOf([file("ok.txt"), file("../escape.txt")]),
    "h2.tgz": await tgzOf([file("ok.txt"), { header: { name: "ln", type: "symlink", linkname: "/" } }]),
    "h3.tgz": await tgzOf([file("ok.txt"), { header: { name: "x", type: "file", pax: { path: "/tmp/escape" } }, content: "x" }]),
  };
  for (const name of Object.keys(files)) {
    const target = path.join(dir, `t-${name}`);
    const out = await ok([
      ...load(name),
      "try:",
      `    store paths as extract_archive of data and "${target}"`,
      "catch:",
      "    display error_message",
      "end try",
    ], files);
    assert.match(out[0], /^The archive entry/, name);
    assert.equal(fs.existsSync(path.join(target, "ok.txt")), false, name);
  }
  assert.equal(fs.existsSync(path.join(dir, "escape.txt")), false);
});

test("gzip and gunzip round-trip; gunzip refuses bad data and more than 200 MiB", async () => {
  const out = await ok([
    'store z as gzip of "hello, world"',
    "display binary_to_text of gunzip of z",
    "display length of gunzip of gzip of (hex_decode of \"00ff\")",
    "try:",
    '    display gunzip of (text_to_binary of "not gzip")',
    "catch:",
    "    display error_message",
    "end try",
    ...load("bomb.gz", "bomb"),
    "try:",
    "    display gunzip of bomb",
    "catch:",
    "    display error_message",
    "end try",
  ], { "bomb.gz": Buffer.concat(Array(21).fill(zeros10())) });
  assert.equal(out[0], "hello, world");
  assert.equal(out[1], "2");
  assert.match(out[2], /^gunzip: the data is not valid gzip/);
  assert.match(out[3], /^gunzip: the data unpacks to more than 200 MiB$/);
  assert.deepEqual(zlib.gunzipSync(zlib.gzipSync("x")).toString(), "x");
});

test("a NUL in a pax path, a contiguous file, an unknown entry type and a file used as a folder are refused", async () => {
  await refused(await tgzOf([{ header: { name: "x", type: "file", pax: { path: "a\u0000b" } }, content: "x" }]), "bad_path", /control character/, "a\u0000b");
  await refused(await tgzOf([{ header: { name: "c", type: "contiguous-file" }, content: "x" }]), "special_file", /neither a file nor a folder/, "c");
  const odd = rawHeader("vol", 0);
  odd[156] = "V".charCodeAt(0);
  odd.write("        ", 148);
  let sum = 0;
  for (const b of odd) sum += b;
  odd.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  await refused(zlib.gzipSync(Buffer.concat([odd, Buffer.alloc(1024)])), "special_file", /neither a file nor a folder/, "vol");
  await refused(await tgzOf([file("a"), file("a/b")]), "bad_path", /inside "a", which is a file/, "a/b");
  await refused(await tgzOf([file("a/b"), file("a")]), "bad_path", /is a file, but other entries use it as a folder/, "a");
  await refused(await tgzOf([file("a/./b")]), "bad_path", /empty or "\." part/, "a/./b");
});

test("an empty object makes an empty archive; an empty binary is not an archive", async () => {
  const out = await ok([
    "store data as create_archive of (create object)",
    "display read_archive of data",
    "display check_archive of data",
    'display field "message" of (check_archive of (hex_decode of ""))',
  ]);
  assert.deepEqual(out, ["[]", "nothing", "The archive is empty (0 bytes), not a tar or tar.gz file"]);
});

test("extract_archive ignores the archive's modes: files 0644 and folders 0755 even when it asks for 0777 or 0700", async () => {
  const target = path.join(dir, "x4");
  const out = await ok([
    ...load("modes.tgz"),
    `display extract_archive of data and "${target}"`,
  ], { "modes.tgz": await tgzOf([{ header: { name: "d/", type: "directory", mode: 0o700 } }, { header: { name: "d/run.sh", type: "file", mode: 0o4777 }, content: "#!/bin/sh" }]) });
  assert.deepEqual(out, ["[d, d/run.sh]"]);
  assert.equal(fs.statSync(path.join(target, "d")).mode & 0o7777, 0o755);
  assert.equal(fs.statSync(path.join(target, "d/run.sh")).mode & 0o7777, 0o644);
});

test("archives made by GNU tar (gnu and pax formats, a ./ root entry, names over 100 characters) read as expected", { skip: spawnSync("tar", ["--version"]).status !== 0 && "no tar command" }, async () => {
  const src = path.join(dir, "gnu-src");
  const long = `${"d".repeat(60)}/${"f".repeat(90)}.wfl`;
  fs.mkdirSync(path.join(src, "d".repeat(60)), { recursive: true });
  fs.writeFileSync(path.join(src, long), "long");
  fs.writeFileSync(path.join(src, "project.wfl"), "name: demo");
  for (const format of ["gnu", "pax"]) {
    const name = `gnu-${format}.tgz`;
    const r = spawnSync("tar", [`--format=${format}`, "--sort=name", "-C", src, "-czf", path.join(dir, name), "."]);
    assert.equal(r.status, 0, String(r.stderr));
    const out = await ok([
      ...load(name),
      "display check_archive of data",
      "for each e in read_archive of data:",
      '    display field "path" of e with " " with field "type" of e with " " with field "size" of e',
      "end for",
    ]);
    assert.deepEqual(out, ["nothing", `${"d".repeat(60)} directory 0`, `${long} file 4`, "project.wfl file 10"], format);
  }
});

test("extract_archive into a path that is a file is an error that says so", async () => {
  const target = path.join(dir, "plain-file");
  fs.writeFileSync(target, "x");
  const out = await ok([
    'store data as create_archive of (create object with "a.txt" as "A")',
    "try:",
    `    display extract_archive of data and "${target}"`,
    "catch:",
    "    display error_message",
    "end try",
  ]);
  assert.deepEqual(out, [`extract_archive extracts into a folder, and "${target}" is not one`]);
  assert.equal(fs.readFileSync(target, "utf8"), "x");
});
