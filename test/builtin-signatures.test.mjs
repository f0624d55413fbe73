// Every builtin declares its parameters once (src/stdlib/registry.ts), and one validator checks
// each call against the declaration before the implementation runs. Here: the declarations
// themselves, the defects that led to them, and "the bad-argument sweep", which calls every
// registered builtin with awkward values for each arity it accepts, in-process (as the runtime
// calls them), and asserts that nothing of the host leaks out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  WflRuntimeError, WflObject, WflDate, WflTime, WflDateTime, WflPattern, formatValue,
} from "../dist/internal.js";
import { lib, ctx, call, throwsWfl } from "./support/natives.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));

// File builtins create and remove paths relative to the working directory: give them a scratch one.
const scratch = mkdtempSync(join(tmpdir(), "wfl-sweep-"));
process.chdir(scratch);

function run(source) {
  const file = join(scratch, `p${Math.random().toString(36).slice(2)}.wfl`);
  writeFileSync(file, source);
  const r = spawnSync(join(root, "bin/wfl"), [file], { encoding: "utf8" });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

// ---- the declarations -----------------------------------------------------------------------

test("every registered builtin declares its parameters, and its arity follows from them", () => {
  for (const [name, f] of lib.functions) {
    const sig = lib.signatures.get(name);
    assert.ok(sig, `${name} has a declared signature`);
    assert.equal(f.minArity, sig.minArity, `${name} min arity`);
    assert.equal(f.maxArity, sig.maxArity, `${name} max arity`);
  }
});

test("arity errors give the real range (create_datetime accepts 3 to 6 arguments)", () => {
  throwsWfl(() => lib.functions.get("create_datetime").impl([1, 2, 3, 4, 5, 6, 7], ctx), /^create_datetime expects 3 to 6 arguments, got 7$/);
  throwsWfl(() => lib.functions.get("split").impl(["a,b,c", ",", 1], ctx), /^split expects 2 arguments, got 3$/);
  throwsWfl(() => lib.functions.get("path_join").impl([], ctx), /^path_join expects at least 1 argument, got 0$/);
});

// ---- the defects (issue 7) ------------------------------------------------------------------

test("days_in_month of 2024 and nan is a WFL error, not error[INTERNAL] (and try catches it)", () => {
  throwsWfl(() => call("days_in_month", 2024, NaN), /^days_in_month expects a number, got NaN$/);
  const r = run("store nn as (power of 10 and 400) minus (power of 10 and 400)\ntry:\n    display days_in_month of 2024 and nn\ncatch:\n    display \"caught: \" with error_message\nend try\n");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "caught: days_in_month expects a number, got NaN\n");
});

test("padleft/padright with inf, secure_random_bytes and pbkdf2_hmac_sha256 with NaN give WFL messages, not Node's", () => {
  throwsWfl(() => call("padleft", "a", Infinity), /^padleft expects a finite number, got inf$/);
  throwsWfl(() => call("padright", "a", -Infinity), /^padright expects a finite number, got -inf$/);
  throwsWfl(() => call("padleft", "a", 1e308), /^padleft expects a whole number between/);
  throwsWfl(() => call("padright", "a", 2 ** 40), /^padright: a width of 1099511627776 would make the text too long/);
  throwsWfl(() => call("secure_random_bytes", NaN), /^secure_random_bytes expects a number, got NaN$/);
  throwsWfl(() => call("pbkdf2_hmac_sha256", "pw", "salt", NaN, 32), /^pbkdf2_hmac_sha256 expects a number, got NaN$/);
  throwsWfl(() => call("pbkdf2_hmac_sha256", "pw", "salt", 1, NaN), /^pbkdf2_hmac_sha256 expects a number, got NaN$/);
});

test("add_days with NaN or ±inf is an error, not the date NaN-NaN-NaN; far-off results are refused", () => {
  const d = new WflDate(2024, 1, 31);
  throwsWfl(() => call("add_days", d, NaN), /^add_days expects a number, got NaN$/);
  throwsWfl(() => call("add_days", d, Infinity), /^add_days expects a finite number, got inf$/);
  throwsWfl(() => call("subtract_days", d, -Infinity), /^subtract_days expects a finite number, got -inf$/);
  throwsWfl(() => call("add_days", d, 1e15), /^add_days: the year inf is outside the years a date can hold/);
  assert.equal(formatValue(call("add_days", d, 1)), "2024-02-01");
});

test("random_between of inf and inf is an error, not NaN; the widest finite range still gives a number", () => {
  throwsWfl(() => call("random_between", Infinity, Infinity), /^random_between expects a finite number, got inf$/);
  for (let i = 0; i < 100; i++) {
    const x = call("random_between", -1e308, 1e308);
    assert.ok(Number.isFinite(x) && x >= -1e308 && x <= 1e308, String(x));
  }
});

test("create_date of 1e23 and 1 and 2 is an error, not the date 1e+23-01-02", () => {
  throwsWfl(() => call("create_date", 1e23, 1, 2), /^create_date expects a whole number between/);
  throwsWfl(() => call("create_date", 300000, 1, 2), /^create_date: the year 300000 is outside the years a date can hold \(-262143 to 262143\)$/);
  assert.equal(formatValue(call("create_date", 262143, 12, 31)), "262143-12-31");
});

test("split by nothing and contains of text and nothing are type errors", () => {
  throwsWfl(() => call("split", "xnothingy", null), /^split expects text, got Null$/);
  throwsWfl(() => call("contains", "there is nothing here", null), /^contains expects text, got Null$/);
  throwsWfl(() => call("contains", "a42", 42), /^contains expects text, got Number$/);
});

test("clamp and slice refuse NaN", () => {
  throwsWfl(() => call("clamp", NaN, 1, 2), /^clamp expects a number, got NaN$/);
  throwsWfl(() => call("clamp", 1, NaN, 2), /^clamp expects a number, got NaN$/);
  assert.equal(call("clamp", Infinity, 0, 10), 10);
  assert.equal(call("clamp", 5, -Infinity, Infinity), 5);
  throwsWfl(() => call("slice", [1, 2, 3], NaN, 2), /^slice expects a number, got NaN$/);
  throwsWfl(() => call("slice", "abc", 0, NaN), /^slice expects a number, got NaN$/);
});

test("substring and slice clip far-off positions instead of refusing them (only NaN and ±inf are refused)", () => {
  assert.equal(call("substring", "hello", 1e308), "");
  assert.equal(call("substring", "hello", 1, 1e308), "ello");
  assert.deepEqual(call("slice", [1, 2, 3], -1e308, 1e308), [1, 2, 3]);
  throwsWfl(() => call("substring", "hello", Infinity), /^substring expects a finite number, got inf$/);
});

test("the of form and a call through a variable give the same answer or the same error", () => {
  // One program: each call twice, directly and through a variable holding the builtin.
  const cases = [
    ["days_in_month", "2024 and nn"],
    ["padleft", '"a" and big'],
    ["secure_random_bytes", "nn"],
    ["add_days", "d and nn"],
    ["random_between", "big and big"],
    ["clamp", "nn and 1 and 2"],
    ["slice", "[1, 2, 3] and nn and 2"],
    ["contains", '"a42" and 42'],
    ["create_date", "2024 and 2 and 30"],
    ["days_in_month", "2024 and 2"],
  ];
  let src = "store big as power of 10 and 400\nstore nn as big minus big\nstore d as create_date of 2024 and 1 and 31\n";
  cases.forEach(([fn, args], i) => {
    src += `store f${i} as ${fn}\n`;
    for (const callee of [fn, `f${i}`]) {
      src += `try:\n    display "${i}: " with (${callee} of ${args})\ncatch:\n    display "${i}: error " with error_message\nend try\n`;
    }
  });
  const r = run(src);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.equal(lines.length, cases.length * 2, r.stdout);
  for (let i = 0; i < cases.length; i++) assert.equal(lines[2 * i], lines[2 * i + 1], `${cases[i][0]}: the of form and the variable agree`);
  assert.equal(lines.at(-2), "9: 29");
  assert.doesNotMatch(r.stdout, /NaN-|Infinity|undefined|Cannot read|Received/);
});

// The keyword forms give the builtins' answers: `split … by`, `contains` and `split of … and …`.
test("split … by nothing fails as split of text and nothing does", () => {
  const r = run('try:\n    display split "xnothingy" by nothing\ncatch:\n    display "error " with error_message\nend try\n');
  assert.equal(r.stdout, "error split expects text, got Null\n");
});

test("text contains nothing fails as contains of text and nothing does", () => {
  const r = run('try:\n    display "there is nothing here" contains nothing\ncatch:\n    display "error " with error_message\nend try\n');
  assert.equal(r.stdout, "error contains expects text, got Null\n");
});

test("split of text and separator and one more is an arity error, not a Boolean", () => {
  // The call's arity is known before the program runs, so it is an analysis error.
  const r = run('display split of "a,b,c" and "," and 1\n');
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^error\[ANALYZE-SEMANTIC\]: split expects 2 arguments, got 3/);
});

test("a call through a variable reports the arity range as the direct call does", () => {
  const r = run("store f as create_datetime\ntry:\n    display f of 1 and 2 and 3 and 4 and 5 and 6 and 7\ncatch:\n    display error_message\nend try\n");
  assert.equal(r.stdout, "create_datetime expects 3 to 6 arguments, got 7\n");
});

test("replace, find and clear are registered builtins that can be called (with `of`), though they are keywords", () => {
  const r = run('store xs as [1, 2, 3]\ndisplay find of xs and 2\ndisplay replace of "a-b-c" and "-" and "+"\nstore done as clear of xs\ndisplay xs\n');
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "2\na+b+c\n[]\n");
});

// ---- the bad-argument sweep -----------------------------------------------------------------

// Builtins that wait, sleep or touch the network are skipped. None of the registered builtins
// does today (waiting, requests and subprocesses are statements, not builtins).
const SKIPPED = new Set([]);
// These hash a password slowly on purpose (0.3 to 1 s a call): the sweep gives them only the
// arguments their declaration refuses, never a text to hash (test/stdlib-crypto.test.mjs does).
const SLOW_BY_DESIGN = new Set(["hash_password", "argon2_hash", "bcrypt_hash", "scrypt_hash", "pbkdf2_hash"]);

const BAD = () => [
  ["nothing", null], ["number", 3], ["text", "abc"], ["list", [1, 2]], ["map", new WflObject([["a", 1]])],
  ["NaN", NaN], ["+inf", Infinity], ["-inf", -Infinity], ["huge", 1e308], ["negative", -5],
  ["empty text", ""], ["empty list", []],
];

/** A valid value of a declared kind, for the parameters a case does not vary. */
function sample(kind) {
  switch (kind) {
    case "text": return "abc";
    case "list": return [1, 2];
    case "map": return new WflObject([["a", 1]]);
    case "binary": return new Uint8Array([1, 2, 3]);
    case "boolean": return true;
    case "nothing": return null;
    case "date": return new WflDate(2024, 1, 31);
    case "time": return new WflTime(12, 30, 0);
    case "datetime": return new WflDateTime(2024, 1, 31, 12, 30, 0);
    case "pattern": return new WflPattern(/b/gu, "b");
    case "file": return "abc";
    default: return 3; // any, number, real, finite, integer
  }
}

/** The argument lists for one arity: every pair for up to two parameters, else one varied at a time. */
function argumentLists(sig, n) {
  const param = (i) => sig.params[Math.min(i, sig.params.length - 1)];
  const good = Array.from({ length: n }, (_, i) => sample(param(i).kinds[0]));
  const lists = [{ label: "valid", args: good }];
  if (n === 1) for (const [l, v] of BAD()) lists.push({ label: l, args: [v] });
  else if (n === 2) for (const [l1, v1] of BAD()) for (const [l2, v2] of BAD()) lists.push({ label: `${l1}, ${l2}`, args: [v1, v2] });
  else for (let i = 0; i < n; i++) for (const [l, v] of BAD()) lists.push({ label: `arg ${i + 1} ${l}`, args: good.map((g, j) => (j === i ? v : g)) });
  return lists;
}

const HOST_TEXT = /Cannot read propert|undefined|Infinity|TypeError|RangeError|ReferenceError|Received|ERR_[A-Z]|node:|\n\s+at |\bat .*:\d+:\d+/;

function containsNaN(v, seen = new Set()) {
  if (typeof v === "number") return v !== v;
  if (v === null || typeof v !== "object" || seen.has(v)) return false;
  seen.add(v);
  if (Array.isArray(v)) return v.some((x) => containsNaN(x, seen));
  if (v instanceof Map) return [...v.values()].some((x) => containsNaN(x, seen));
  return false;
}

// IEEE functions whose answer for ±inf is NaN (sin of inf), as in every language.
const NAN_FROM_INF = new Set(["sin", "cos", "tan"]);

test("the bad-argument sweep: every builtin x awkward values x each arity, without host text, INTERNAL or NaN", async () => {
  const problems = [];
  let calls = 0;
  const slow = [];
  for (const [name, f] of lib.functions) {
    if (SKIPPED.has(name)) continue;
    const started = Date.now();
    const sig = lib.signatures.get(name);
    const top = Number.isFinite(f.maxArity) ? f.maxArity : f.minArity + 2;
    for (let n = f.minArity; n <= top; n++) {
      for (const { label, args } of argumentLists(sig, n)) {
        if (SLOW_BY_DESIGN.has(name) && typeof args[0] === "string") continue;
        calls++;
        const shown = `${name}(${label})`;
        let out;
        try {
          out = f.impl(args, ctx);
          if (out && typeof out.then === "function") out = await out;
        } catch (e) {
          if (!(e instanceof WflRuntimeError)) problems.push(`${shown}: host error ${e?.constructor?.name}: ${e?.message}`);
          else if (HOST_TEXT.test(e.message) || /INTERNAL/.test(e.message)) problems.push(`${shown}: host text in the message: ${e.message}`);
          continue;
        }
        if (out === undefined) {
          problems.push(`${shown}: returned undefined`);
          continue;
        }
        const text = formatValue(out);
        if (/undefined|Infinity/.test(text)) problems.push(`${shown}: host text in the result: ${text.slice(0, 80)}`);
        if (containsNaN(out) || (typeof out !== "number" && /NaN/.test(text))) {
          // NaN in, NaN out is IEEE arithmetic, for parameters declared `number` only.
          const nanIn = args.some((a, i) => a !== a && sig.params[Math.min(i, sig.params.length - 1)].kinds.includes("number"));
          const infIn = NAN_FROM_INF.has(name) && args.some((a) => a === Infinity || a === -Infinity);
          if (!nanIn && !infIn) problems.push(`${shown}: NaN in the result: ${text.slice(0, 80)}`);
        }
      }
    }
    if (Date.now() - started > 100) slow.push(`${name} ${Date.now() - started} ms`);
  }
  if (process.env.WFL_SWEEP_TIMES) console.log(slow.join("\n"));
  assert.deepEqual(problems, [], `${problems.length} problems in ${calls} calls`);
  assert.ok(calls > 5000, `the sweep made ${calls} calls`);
  console.log(`bad-argument sweep: ${calls} calls over ${lib.functions.size} builtins (${SKIPPED.size} skipped)`);
});

// The same sweep through the real CLI, in one WFL program: every call is `name of …` in its own
// try/catch, so the compiled call path, error locating and `error_message` are covered too.
// These names are statements as well (`replace … with … in`, `find … in`, `clear …`), so
// `name of …` does not reach the builtin; the in-process sweep covers them.
const NOT_CALLABLE_BY_NAME = new Set(["replace", "find", "clear"]);

test("the bad-argument sweep through the CLI: one program, every builtin by name, each call caught", () => {
  const VALUES = [
    ["nothing", "nothing"], ["NaN", "nn"], ["+inf", "big"], ["-inf", "nbig"], ["huge", "h"], ["negative", "neg"],
    ["empty text", '""'], ["empty list", "e"], ["map", "m"], ["number", "3"], ["text", '"abc"'],
  ];
  const GOOD = { text: '"abc"', list: "[1, 2]", map: "m", binary: '"abc"', boolean: "yes", nothing: "nothing", date: "d", time: "t", datetime: "dt", pattern: '"b"', file: '"abc"' };
  let src = [
    "store e as []", 'store m as parse_json of "{\\"a\\": 1}"', "store h as power of 10 and 308", "store neg as 0 minus 5",
    "store big as power of 10 and 400", "store nbig as 0 minus big", "store nn as big minus big",
    "store d as create_date of 2024 and 1 and 31", "store t as create_time of 12 and 30",
    "store dt as create_datetime of 2024 and 1 and 31 and 12 and 30 and 0", "",
  ].join("\n");
  const nanAllowed = new Map();
  for (const [name, f] of lib.functions) {
    if (SKIPPED.has(name) || NOT_CALLABLE_BY_NAME.has(name)) continue;
    const sig = lib.signatures.get(name);
    const param = (i) => sig.params[Math.min(i, sig.params.length - 1)];
    const top = Math.min(Number.isFinite(f.maxArity) ? f.maxArity : f.minArity + 1, f.minArity + 1);
    for (let n = f.minArity; n <= top; n++) {
      const base = Array.from({ length: n }, (_, i) => GOOD[param(i).kinds[0]] ?? "3");
      const lists = n === 0 ? [["no arguments", [], -1, null]] : [];
      for (let i = 0; i < n; i++) for (const [l, v] of VALUES) lists.push([`arg ${i + 1} ${l}`, base.map((b, j) => (j === i ? v : b)), i, l]);
      for (const [label, args, at, kind] of lists) {
        if (SLOW_BY_DESIGN.has(name) && args[0].startsWith('"')) continue;
        const tag = `${name}/${n} ${label}`;
        nanAllowed.set(tag, (kind === "NaN" && param(at).kinds.includes("number")) || (NAN_FROM_INF.has(name) && /inf/.test(kind ?? "")));
        src += `try:\n    display "ok ${tag}: " with (${n === 0 ? name : `${name} of ${args.join(" and ")}`})\ncatch:\n    display "err ${tag}: " with error_message\nend try\n`;
      }
    }
  }
  const r = run(src);
  assert.equal(r.signal, null, "not killed by a signal");
  assert.equal(r.code, 0, r.stderr.slice(0, 500));
  // The password verifiers answer `no` to an unreadable stored hash and say so once on stderr
  // (Docs/crypto.md); nothing else may be written there.
  assert.equal(r.stderr.replace(/^warning: \w+: a stored password hash could not be read \(.*\), so it does not verify\n/gm, ""), "");
  const results = r.stdout.split("\n").filter((l) => /^(ok|err) /.test(l));
  assert.equal(results.length, nanAllowed.size, "every call printed its answer or its error");
  const problems = [];
  for (const line of results) {
    const tag = /^(?:ok|err) (.*?): /.exec(line)?.[1];
    if (HOST_TEXT.test(line) || /INTERNAL/.test(line)) problems.push(`host text: ${line.slice(0, 160)}`);
    if (line.startsWith("ok ") && /NaN/.test(line.slice(tag.length + 5)) && !nanAllowed.get(tag)) problems.push(`NaN: ${line.slice(0, 160)}`);
  }
  assert.deepEqual(problems, []);
  console.log(`bad-argument sweep through the CLI: ${results.length} calls in one program`);
});
