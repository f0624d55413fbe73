// The CLI must survive hostile input: random bytes, programs cut off at any byte,
// huge lines, deep nesting, empty/missing files and directories. For every run:
//   - it finishes within a time limit and is not killed by a signal,
//   - stderr shows no host internals (V8 stack frames, node:internal, a bare
//     TypeError/RangeError/... header, Node warnings),
//   - the exit code is 0 for a valid program, else 1, 2 or 3 with a message on stderr.
// Knobs: WFL_BIN (CLI to test), WFL_UPSTREAM (sample programs), WFL_ROBUST_CUTS
// (truncation points per sample, or "all"), WFL_ROBUST_TIMEOUT_MS, WFL_ROBUST_JOBS.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { findHostTrace, runProcess, upstreamDir, wflCommand } from "../conformance/lib.mjs";

const TIME_LIMIT_MS = Number(process.env.WFL_ROBUST_TIMEOUT_MS) || 15_000;
const BIG_TIME_LIMIT_MS = Math.max(TIME_LIMIT_MS, 60_000);
const JOBS = Number(process.env.WFL_ROBUST_JOBS) || 2;
const CUTS = process.env.WFL_ROBUST_CUTS || "24";

const work = mkdtempSync(path.join(os.tmpdir(), "wfl-robustness-"));
after(() => rmSync(work, { recursive: true, force: true }));

let fileCounter = 0;
function writeInput(name, content) {
  const file = path.join(work, `${String(++fileCounter).padStart(4, "0")}-${name}`);
  writeFileSync(file, content);
  return file;
}

async function runWfl(args, timeoutMs = TIME_LIMIT_MS) {
  const [cmd, ...lead] = wflCommand();
  // Own cwd per run: some inputs are fragments of programs that create files.
  const cwd = mkdtempSync(path.join(work, "cwd-"));
  return runProcess(cmd, [...lead, ...args], { cwd, timeoutMs, maxOutputBytes: 32 << 20 });
}

/** expect: "valid" (exit 0), "error" (exit 1/2/3), or "any" (either). */
function assertRobust(res, label, expect = "any", timeoutMs = TIME_LIMIT_MS) {
  const context = () => `${label}\n--- exit ${res.code} signal ${res.signal}\n--- stderr (tail):\n${res.stderr.slice(-1500)}`;
  assert.equal(res.spawnError, null, `could not start the CLI: ${res.spawnError}`);
  assert.ok(!res.timedOut, `did not finish within ${timeoutMs} ms: ${context()}`);
  assert.ok(!res.overflow, `printed more than 32 MB: ${context()}`);
  assert.equal(res.signal, null, `killed by a signal: ${context()}`);
  const trace = findHostTrace(res.stderr);
  assert.equal(trace, null, `host internals in stderr (${trace}): ${context()}`);
  const allowed = expect === "valid" ? [0] : expect === "error" ? [1, 2, 3] : [0, 1, 2, 3];
  assert.ok(allowed.includes(res.code), `exit code ${res.code}, expected one of ${allowed.join("/")}: ${context()}`);
  if (res.code !== 0) assert.ok(res.stderr.trim().length > 0, `exit ${res.code} without any message on stderr: ${context()}`);
}

async function checkFile(label, content, { expect = "any", flags = [], timeoutMs = TIME_LIMIT_MS } = {}) {
  const file = writeInput(label.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 60) + ".wfl", content);
  const res = await runWfl([...flags, file], timeoutMs);
  assertRobust(res, label, expect, timeoutMs);
  return res;
}

// Deterministic PRNG (mulberry32) so a failing seed can be replayed.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Runs the subtests with at most JOBS in flight.
async function subtests(t, cases, fn) {
  await Promise.all(cases.map((c) => t.test(c.name, () => fn(c))));
}

// ---------------------------------------------------------------------------

test("random bytes", { concurrency: JOBS }, async (t) => {
  const cases = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => ({ name: `seed ${seed}`, seed }));
  await subtests(t, cases, async ({ seed, name }) => {
    const next = rng(seed);
    const bytes = Buffer.alloc(1 + Math.floor(next() * 4096));
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(next() * 256);
    await checkFile(`random bytes ${name}`, bytes);
  });
});

test("random printable text", { concurrency: JOBS }, async (t) => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz ABC0123456789:"\\.,()[]+-/#\n\n    \t';
  const cases = [101, 102, 103, 104].map((seed) => ({ name: `seed ${seed}`, seed }));
  await subtests(t, cases, async ({ seed, name }) => {
    const next = rng(seed);
    let text = "";
    const n = 200 + Math.floor(next() * 3000);
    for (let i = 0; i < n; i++) text += alphabet[Math.floor(next() * alphabet.length)];
    await checkFile(`random printable ${name}`, text);
  });
});

// Random sequences of WFL words reach deeper into the parser than random bytes.
// Words that can block (loops without bounds, waits, servers, processes) are left out.
const SOUP = [
  "store", "as", "change", "to", "display", "check", "if", "otherwise", "end", "define", "action", "called",
  "with", "parameters", "needs", "and", "or", "not", "plus", "minus", "times", "divided", "by", "modulo",
  "is", "equal", "greater", "less", "than", "return", "give", "back", "create", "new", "list", "map", "container",
  "property", "interface", "requires", "extends", "implements", "pattern", "one", "more", "digit", "letter",
  "describe", "test", "expect", "try", "when", "error", "catch", "finally", "for", "each", "in", "count", "from",
  "of", "length", "nothing", "yes", "no", "constant", "add", "push", "include", "x", "y", "total", "name",
  "0", "1", "2", "7", "3.5", '"txt"', '""', '"a\\"b"', ":", ":", "(", ")", "[", "]", ",", ".", "+", "-", "/", "=",
  "\n", "\n", "\n", "    ", "    ", "//", "#",
];

test("WFL token soup", { concurrency: JOBS }, async (t) => {
  const cases = [201, 202, 203, 204, 205, 206, 207, 208].map((seed) => ({ name: `seed ${seed}`, seed }));
  await subtests(t, cases, async ({ seed, name }) => {
    const next = rng(seed);
    const words = [];
    const n = 50 + Math.floor(next() * 600);
    for (let i = 0; i < n; i++) words.push(SOUP[Math.floor(next() * SOUP.length)]);
    const flags = seed % 2 === 0 ? ["--test"] : [];
    await checkFile(`token soup ${name}`, words.join(" "), { flags });
  });
});

// ---------------------------------------------------------------------------

const SAMPLES = [
  { file: "TestPrograms/basic_syntax_comprehensive.wfl", flags: [] },
  { file: "TestPrograms/action_overloading_comprehensive.wfl", flags: [] },
  { file: "TestPrograms/containers_comprehensive.wfl", flags: [] },
  { file: "TestPrograms/natural_language_constructs.test.wfl", flags: ["--test"] },
];

/** Cut points: evenly spread, plus inside a multi-byte character, a text literal, after a colon. */
function cutPoints(bytes) {
  const len = bytes.length;
  if (CUTS === "all") return Array.from({ length: len }, (_, i) => i);
  const n = Math.max(1, Number(CUTS) || 24);
  const points = new Set();
  for (let k = 0; k < n; k++) points.add(Math.floor((len * k) / n));
  const multibyte = bytes.findIndex((b) => b >= 0xc0);
  if (multibyte >= 0) points.add(multibyte + 1);
  const text = bytes.toString("latin1");
  const quote = text.indexOf('"');
  if (quote >= 0) points.add(quote + 1);
  const colon = text.indexOf(":\n");
  if (colon >= 0) points.add(colon + 1);
  const endKw = text.indexOf("\nend ");
  if (endKw >= 0) points.add(endKw + 4);
  points.add(len - 1);
  return [...points].filter((p) => p >= 0 && p < len).sort((a, b) => a - b);
}

test("programs truncated at many byte positions", { concurrency: JOBS }, async (t) => {
  const root = upstreamDir();
  assert.ok(existsSync(path.join(root, "TestPrograms")), `sample programs not found under ${root} (set WFL_UPSTREAM)`);
  const cases = [];
  for (const sample of SAMPLES) {
    const bytes = readFileSync(path.join(root, sample.file));
    for (const cut of cutPoints(bytes)) cases.push({ name: `${path.basename(sample.file)} cut at byte ${cut}/${bytes.length}`, bytes: bytes.subarray(0, cut), flags: sample.flags });
  }
  await subtests(t, cases, ({ name, bytes, flags }) => checkFile(name, bytes, { flags }));
});

// ---------------------------------------------------------------------------

test("a 10 MB single line", { concurrency: JOBS }, async (t) => {
  const cases = [
    { name: "10 MB text literal", content: `display "${"a".repeat(10 * 1024 * 1024)}"` },
    { name: "10 MB unterminated text literal", content: `display "${"b".repeat(10 * 1024 * 1024)}` },
    { name: "10 MB of identifier characters", content: "x".repeat(10 * 1024 * 1024) },
  ];
  await subtests(t, cases, ({ name, content }) => checkFile(name, content, { timeoutMs: BIG_TIME_LIMIT_MS }));
});

test("deep nesting and runaway recursion", { concurrency: JOBS }, async (t) => {
  const cases = [
    { name: "50k nested parentheses", content: `display ${"(".repeat(50_000)}1${")".repeat(50_000)}\n` },
    { name: "200k-term sum", content: `display 1${" plus 1".repeat(200_000)}\n` },
    { name: "5k nested check blocks", content: `${"check if yes:\n".repeat(5_000)}display 1\n${"end check\n".repeat(5_000)}` },
    { name: "20k nested lists", content: `store x as ${"[".repeat(20_000)}1${"]".repeat(20_000)}\ndisplay x\n` },
    {
      name: "unbounded recursion",
      content: "define action called dive with parameters n:\n    return dive of n plus 1\nend action\ndisplay dive of 1\n",
      expect: "error",
    },
  ];
  await subtests(t, cases, ({ name, content, expect }) => checkFile(name, content, { expect, timeoutMs: BIG_TIME_LIMIT_MS }));
});

test("odd but valid files", { concurrency: JOBS }, async (t) => {
  const cases = [
    { name: "empty file", content: "", expect: "valid" },
    { name: "comments only", content: "// nothing here\n# nor here\n", expect: "valid" },
    { name: "blank lines and spaces only", content: "\n\n    \n\t\n", expect: "valid" },
    { name: "CRLF line endings", content: 'display "one"\r\ndisplay "two"\r\n', expect: "any" },
    { name: "byte-order mark", content: '\ufeffdisplay "bom"\n', expect: "any" },
    { name: "NUL bytes", content: 'display "a"\n\0\0\0\ndisplay "b"\n', expect: "any" },
    { name: "lone surrogate halves (invalid UTF-8)", content: Buffer.from([0x64, 0x69, 0x73, 0xed, 0xa0, 0x80, 0x0a, 0xff, 0xfe]), expect: "any" },
  ];
  await subtests(t, cases, ({ name, content, expect }) => checkFile(name, content, { expect }));
});

test("paths that are not readable programs", { concurrency: JOBS }, async (t) => {
  const dir = path.join(work, "a-directory.wfl");
  mkdirSync(dir, { recursive: true });
  const cases = [
    { name: "missing file", args: [path.join(work, "does-not-exist.wfl")] },
    { name: "missing file under --test", args: ["--test", path.join(work, "also-missing.wfl")] },
    { name: "directory path", args: [dir] },
    { name: "directory path (plain folder)", args: [work] },
  ];
  await subtests(t, cases, async ({ name, args }) => {
    const res = await runWfl(args);
    assertRobust(res, name, "error");
  });
});
