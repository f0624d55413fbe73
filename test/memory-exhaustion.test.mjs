// Issue 7, "nothing lost, nothing leaked": exhausting memory, with any builtin that builds a list,
// a text or a map, or with a huge program, ends in a located WFL error under a small heap. Never a
// signal, never V8's fatal abort (exit 133, 134, 139), never host text.
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
  const file = join(mkdtempSync(join(tmpdir(), "wfl-exhaust-")), name);
  writeFileSync(file, source);
  return spawnSync("bin/wfl", [file], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
    maxBuffer: 1 << 24,
    env: { ...process.env, NODE_OPTIONS: "--max-old-space-size=256" },
  });
}

/** Only a WFL error, at `name:line:column`: no signal, no fatal abort, no host text. */
function assertLocatedWflError(r, name, line, column, message) {
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr.slice(0, 400)}`);
  assert.equal(r.status, 1, r.stderr.slice(0, 400));
  assert.match(r.stderr, /^error\[[A-Z-]+\]: /);
  if (message) assert.match(r.stderr, message);
  const at = `${name.replace(".", "\\.")}:${line ?? "\\d+"}:${column ?? "\\d+"}\n`;
  assert.match(r.stderr, new RegExp(at), r.stderr.slice(0, 400));
  assert.doesNotMatch(r.stderr, /FATAL|Fatal|\n\s+at |Last few GCs|INTERNAL|v8::/);
}

const HUGE = 'store t as padleft of "x" and 140000000\n';

test("split of a text into more items than a list can hold is a located error, not V8's fatal 'invalid size'", () => {
  for (const [name, expr] of [
    ["split-of.wfl", 'split of t and ""'],
    ["split-by.wfl", 'split t by " "'],
    ["split-by-empty.wfl", 'split t by ""'],
    ["pattern-split.wfl", 'pattern_split of t and " "'],
  ]) {
    const r = runSmallHeap(name, `${HUGE}store l as ${expr}\ndisplay length of l\n`);
    assertLocatedWflError(r, name, 2, 12, /The list would be too long|Out of memory/);
  }
});

test("pattern_find_all over a huge text is a located error, not 'heap out of memory'", () => {
  const r = runSmallHeap("find-all.wfl", 'store t as padleft of "x" and 30000000\nstore l as pattern_find_all of t and " "\ndisplay length of l\n');
  assertLocatedWflError(r, "find-all.wfl", 2, 12, /Out of memory|The list is too long/);
});

test("pattern_split on a pattern over a huge text is a located error, not 'heap out of memory'", () => {
  const r = runSmallHeap("pattern-split-re.wfl", 'store t as padleft of "x" and 30000000\ncreate pattern sp:\n    " "\nend pattern\nstore l as pattern_split of t and sp\ndisplay length of l\n');
  assertLocatedWflError(r, "pattern-split-re.wfl", 5, 12, /Out of memory|The list is too long/);
});

test("padding to a width the heap cannot hold is a located error, not 'heap out of memory'", () => {
  const r = runSmallHeap("pad.wfl", 'store t as padleft of "é" and 400000000\nstore u as t with "!"\ndisplay length of u\n');
  assertLocatedWflError(r, "pad.wfl", 1, 12, /Out of memory/);
});

test("replace with an empty needle over a huge text is a located error, not 'heap out of memory'", () => {
  const r = runSmallHeap("replace-empty.wfl", `${HUGE}store u as replace "" with "-" in t\ndisplay length of u\n`);
  assertLocatedWflError(r, "replace-empty.wfl", 2, 12, /too long|Out of memory/);
});

test("a map that outgrows the heap is a located error, not 'heap out of memory'", () => {
  const r = runSmallHeap("map.wfl", "create map m:\nend map\ncount from 1 to 100000000:\n    change m[count] to 1\nend count\n");
  assertLocatedWflError(r, "map.wfl", 4, 12, /The map is too large/);
});

test("'Out of memory' in a loop names the statement that failed (it had no line and column)", () => {
  const r = runSmallHeap("oom-loop.wfl", "store l as []\ncount from 1 to 2000000000:\n    push with l and [count, count, count]\nend count\n");
  assertLocatedWflError(r, "oom-loop.wfl", 2, 1, /Out of memory/);
});

test("'Out of memory' in a loop that is not compiled to fast JavaScript names its statement too", () => {
  const r = runSmallHeap(
    "oom-slow.wfl",
    "store l as []\ncount from 1 to 2000000000:\n    define action called f:\n        return 1\n    end action\n    push with l and [count, count, count]\nend count\n",
  );
  assertLocatedWflError(r, "oom-slow.wfl", 2, 1, /Out of memory/);
});

test("a program too large to parse within the heap is refused with a WFL error, not 'heap out of memory'", () => {
  let s = "";
  for (let i = 0; i < 400_000; i++) s += `store v${i} as ${i} plus 2\n`;
  const r = runSmallHeap("huge-program.wfl", s);
  assertLocatedWflError(r, "huge-program.wfl", null, null, /The program is too large: it has more than the \d+ words, numbers and symbols/);
});

test("a large program within the limit still runs under the small heap", () => {
  let s = "";
  for (let i = 0; i < 40_000; i++) s += `store v${i} as ${i} plus 2\n`;
  const r = runSmallHeap("large-program.wfl", s + 'display "done"\n');
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "done\n");
});

test("a program with very long lines too large to parse is refused with a WFL error", () => {
  const line = `display "${"x".repeat(1000)}" with "${"y".repeat(1000)}"\n`;
  const r = runSmallHeap("long-lines.wfl", line.repeat(20_000));
  assertLocatedWflError(r, "long-lines.wfl", null, null, /The program is too large: it has more than the \d+ characters/);
});

test("join of a long list whose text outgrows the heap is a located error, not 'heap out of memory'", () => {
  const r = runSmallHeap(
    "join.wfl",
    'store l as []\ncount from 1 to 5000000:\n    push with l and "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwx"\nend count\nstore t as join of l and ","\ndisplay length of t\n',
  );
  assertLocatedWflError(r, "join.wfl", 5, 12, /Out of memory|too long/);
});

test("reverse of a huge text neither aborts nor fails when the heap can hold it, and is a located error when it cannot", () => {
  const ok = runSmallHeap("reverse.wfl", 'store t as padleft of "x" and 30000000\nstore u as reverse of t\ndisplay length of u\n');
  assert.equal(ok.signal, null);
  assert.equal(ok.stderr, "");
  assert.equal(ok.stdout, "30000000\n");
  const r = runSmallHeap("reverse-big.wfl", 'store t as padleft of "x" and 150000000\nstore u as reverse of t\ndisplay length of u\n');
  assertLocatedWflError(r, "reverse-big.wfl", 2, 12, /Out of memory/);
});

test("indexing and measuring a huge text work without a list of every character (they aborted: 'invalid size')", () => {
  const r = runSmallHeap("index.wfl", `${HUGE}display t[5] with "|"\ndisplay length of t\ndisplay t.length\n`);
  assert.equal(r.signal, null);
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, " |\n140000000\n140000000\n");
});

test("for each over the characters of a huge text is a located error, not a fatal abort", () => {
  const r = runSmallHeap("for-each.wfl", `${HUGE}for each c in t:\n    display c\nend for\n`);
  assertLocatedWflError(r, "for-each.wfl", 2, null, /The list would be too long|Out of memory/);
});

test("touppercase of a huge text that the heap cannot hold twice is a located error, not 'heap out of memory'", () => {
  const r = runSmallHeap("upper.wfl", `${HUGE}store u as touppercase of t\ndisplay length of u\n`);
  assertLocatedWflError(r, "upper.wfl", 2, 12, /Out of memory/);
});

test("--parse of a program too large to parse within the heap is refused with a WFL error, not 'heap out of memory'", () => {
  let s = "";
  for (let i = 0; i < 400_000; i++) s += `store v${i} as ${i} plus 2\n`;
  const file = join(mkdtempSync(join(tmpdir(), "wfl-exhaust-")), "huge-parse.wfl");
  writeFileSync(file, s);
  const r = spawnSync("bin/wfl", ["--parse", file], {
    cwd: root, encoding: "utf8", timeout: 120_000, maxBuffer: 1 << 26, env: { ...process.env, NODE_OPTIONS: "--max-old-space-size=256" },
  });
  assertLocatedWflError(r, "huge-parse.wfl", null, null, /The program is too large/);
});

test("split … by \"\" counts the pieces it really makes (UTF-16 units) against the list limit (30 million went past a 29 million limit)", () => {
  const file = join(mkdtempSync(join(tmpdir(), "wfl-exhaust-")), "emoji.wfl");
  writeFileSync(file, 'store t as padleft of "" and 15000000\nstore u as replace " " with "😀" in t\nstore l as split u by ""\ndisplay length of l\n');
  const r = spawnSync("bin/wfl", [file], {
    cwd: root, encoding: "utf8", timeout: 120_000, env: { ...process.env, NODE_OPTIONS: "--max-old-space-size=1024" },
  });
  assertLocatedWflError(r, "emoji.wfl", 3, 12, /The list would be too long/);
});
