// `wfl --lint`, `--lint --fix [--in-place]` and `--analyze`: every rule reports with its code and
// file:line:col, the safe fixes keep the program's behaviour, and nothing runs the program.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";

const root = path.resolve(import.meta.dirname, "..");
const work = mkdtempSync(path.join(os.tmpdir(), "wfl-lint-"));
after(() => rmSync(work, { recursive: true, force: true }));

function wfl(...args) {
  const r = spawnSync(path.join(root, "bin", "wfl"), args, { encoding: "utf8", cwd: work, env: { ...process.env, NO_COLOR: "1" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
function file(name, text) {
  const p = path.join(work, name);
  writeFileSync(p, text);
  return p;
}
/** The `warning[CODE]` lines with the position that follows each. */
function findings(stderr) {
  const out = [];
  const lines = stderr.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^warning\[([A-Z-]+)\]: (.*)$/.exec(lines[i]);
    if (!m) continue;
    const at = /┌─ .*:(\d+):(\d+)$/.exec(lines[i + 1] ?? "");
    out.push(`${m[1]} ${at ? `${at[1]}:${at[2]}` : "?"}`);
  }
  return out;
}

const SAMPLE = `store unused_thing as 1
store total as 0
store myValue as 3
store flag as yes
check if flag is equal to yes:
    store total as 5
    display total
end check
check if flag is no:
    display myValue
end check
define action called get_value with parameters n:
    return n
    display "never"
end action
display get_value of total
create container Point:
    property x: Number
    action describe_it:
        display "point"
    end
end
`;

test("--lint reports every rule with its code at file:line:col and exits 1; it never runs the program", () => {
  const p = file("sample.wfl", SAMPLE + 'create file at "side-effect.txt" with "ran"\n');
  const r = wfl("--lint", p);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, "");
  assert.deepEqual(findings(r.stderr), [
    "LINT-UNUSED 1:7",
    "LINT-NAME 3:7",
    "LINT-BOOL 5:10",
    "LINT-SHADOW 6:11",
    "LINT-BOOL 9:10",
    "LINT-UNREACHABLE 14:5",
    "LINT-END 21:5",
    "LINT-END 22:1",
  ]);
  assert.match(r.stderr, new RegExp(`┌─ ${p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:1:7`));
  assert.match(r.stderr, /'myValue' is not snake_case \(for example 'my_value'\)/);
  assert.ok(!existsSync(path.join(work, "side-effect.txt")), "linting does not run the program");
});

test("a clean program lints with no output and exit 0; several files are linted in one call", () => {
  const a = file("clean.wfl", 'store total as 2\ndisplay total\n');
  const b = file("clean2.wfl", 'define action called greet with parameters name:\n    display "hi " with name\nend action\ngreet with "x"\n');
  const r = wfl("--lint", a, b);
  assert.equal(r.stderr, "");
  assert.equal(r.status, 0);
  const both = wfl("--lint", a, file("bad.wfl", "store zz_unused as 1\n"));
  assert.equal(both.status, 1);
  assert.deepEqual(findings(both.stderr), ["LINT-UNUSED 1:7"]);
});

test("a break ends its loop: the statements after it are reported unreachable, and exit program too", () => {
  const p = file("loops.wfl", "count from 1 to 3:\n    break\n    display count\nend count\nexit program\ndisplay 1\n");
  assert.deepEqual(findings(wfl("--lint", p).stderr), ["LINT-UNREACHABLE 3:5", "LINT-UNREACHABLE 6:1"]);
});

const DEEP = 'store a as 1   \ncheck if a is 1:\n check if a is 1:\n  check if a is 1:\n   check if a is 1:\n    check if a is 1:\n     check if a is 1:\n      display "deep"\n     end check\n    end check\n   end check\n  end check\n end check\nend check\ndisplay "' + "x".repeat(120) + '"\n';

test("trailing whitespace (fixed), lines over 100 characters and blocks nested over 5 deep are reported", () => {
  const p = file("style.wfl", DEEP);
  assert.deepEqual(findings(wfl("--lint", p).stderr), ["LINT-WHITESPACE 1:13", "LINT-COMPLEX 7:6", "LINT-LENGTH 15:1"]);
  const r = wfl("--lint", "--fix", "--in-place", p);
  assert.deepEqual(findings(r.stderr), ["LINT-COMPLEX 7:6", "LINT-LENGTH 15:1"]);
  assert.match(readFileSync(p, "utf8"), /^store a as 1\n/);
});

test(".wflcfg's max_line_length, max_nesting_depth and trailing_whitespace set those rules", () => {
  const dir = mkdtempSync(path.join(work, "cfg-"));
  writeFileSync(path.join(dir, ".wflcfg"), "max_line_length = 200\nmax_nesting_depth = 6\ntrailing_whitespace = true\n");
  const p = path.join(dir, "style.wfl");
  writeFileSync(p, DEEP);
  const r = wfl("--lint", p);
  assert.equal(r.stderr, "");
  assert.equal(r.status, 0);
});

test(".wflcfg's snake_case_variables = false turns LINT-NAME off", () => {
  const dir = mkdtempSync(path.join(work, "cfg-"));
  writeFileSync(path.join(dir, ".wflcfg"), "snake_case_variables = false\n");
  const p = path.join(dir, "p.wfl");
  writeFileSync(p, "store myValue as 1\ndisplay myValue\n");
  assert.equal(wfl("--lint", p).status, 0);
});

test("--lint --fix --in-place applies the safe fixes, re-lints, and the program behaves as before", () => {
  const p = file("fixme.wfl", SAMPLE);
  const before = wfl(p);
  const r = wfl("--lint", "--fix", "--in-place", p);
  const fixed = readFileSync(p, "utf8");
  assert.match(fixed, /\ncheck if flag:\n/);
  assert.match(fixed, /\ncheck if not flag:\n/);
  assert.match(fixed, /\n {4}end action\nend container\n/);
  assert.equal(r.status, 1, "findings without a fix remain");
  assert.deepEqual(findings(r.stderr), ["LINT-UNUSED 1:7", "LINT-NAME 3:7", "LINT-SHADOW 6:11", "LINT-UNREACHABLE 14:5"]);
  const after = wfl(p);
  assert.equal(after.stdout, before.stdout);
  assert.equal(after.status, before.status);
  // Without --in-place the fixed text goes to standard output and the file is untouched.
  const q = file("print.wfl", "store ok as yes\ncheck if ok is equal to yes:\n    display 1\nend check\n");
  const printed = wfl("--lint", "--fix", q);
  assert.equal(printed.stdout, "store ok as yes\ncheck if ok:\n    display 1\nend check\n");
  assert.equal(printed.status, 0);
  assert.match(readFileSync(q, "utf8"), /is equal to yes/);
});

test("--analyze reports the resolver's errors without running; a clean file exits 0", () => {
  const bad = file("an.wfl", 'create file at "analyze-ran.txt" with "x"\ndisplay nowhere\nchange other to 1\n');
  const r = wfl("--analyze", bad);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /error\[ANALYZE-SEMANTIC\]: Variable 'nowhere' is not defined\n.*an\.wfl:2:9/);
  assert.match(r.stderr, /Variable 'other' is not defined/);
  assert.ok(!existsSync(path.join(work, "analyze-ran.txt")));
  assert.equal(wfl("--analyze", file("ok.wfl", "display 1\n")).status, 0);
  const syntax = wfl("--lint", file("syn.wfl", "check if 1 is 1:\n"));
  assert.equal(syntax.status, 1);
  assert.match(syntax.stderr, /error\[PARSE\]/);
});

test("every program in the upstream corpus lints without an internal error", () => {
  const dir = path.join(root, "..", "shared", "wfl-upstream", "TestPrograms");
  if (!existsSync(dir)) return;
  const files = spawnSync("sh", ["-c", `ls ${dir}/*.wfl`], { encoding: "utf8" }).stdout.trim().split("\n").slice(0, 40);
  const r = wfl("--lint", ...files);
  assert.doesNotMatch(r.stderr, /INTERNAL|at .*\.js:\d+/);
  assert.match(r.stderr, /warning\[LINT-/);
});
