// `wfl --test` over several files and folders: per-file results with timings, a summary, exit 1
// on any failure, JUnit XML (`--reporter junit [--output FILE]`); one file keeps its classic output.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";

const root = path.resolve(import.meta.dirname, "..");
const work = mkdtempSync(path.join(os.tmpdir(), "wfl-test-runner-"));
after(() => rmSync(work, { recursive: true, force: true }));

function wfl(args, cwd = work) {
  const r = spawnSync(path.join(root, "bin", "wfl"), args, { encoding: "utf8", cwd, env: { ...process.env, NO_COLOR: "1" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
function file(rel, text) {
  const p = path.join(work, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}

file("suite/math.wfl", `describe "Math":
    test "adds":
        expect 1 plus 1 to equal 2
    end test
    describe "Division":
        test "divides <exactly> & \\"well\\"":
            expect 6 divided by 3 to equal 2
        end test
    end describe
end describe
`);
file("suite/nested/text.wfl", `describe "Text":
    test "upper":
        expect touppercase of "a" to equal "A"
    end test
end describe
`);
file("suite/nested/helper.wfl", `display "not a test file: no describe"\n`);
file("failing/bad.wfl", `describe "Bad":
    test "passes":
        expect 1 to equal 1
    end test
    test "fails":
        expect 2 to equal 3
    end test
end describe
`);
file("failing/broken.wfl", `describe "Broken":
    test "never runs":
        expect 1 to equal 1
    end test
end describe
display undefined_name
`);

test("a folder is searched recursively for test files; each file gets a PASS line with its timing and the run a summary", () => {
  const r = wfl(["--test", "suite"]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split("\n");
  assert.match(lines[0], /^PASS suite\/math\.wfl \(2 tests, [\d.]+ ms\)$/);
  assert.match(lines[1], /^PASS suite\/nested\/text\.wfl \(1 test, [\d.]+ ms\)$/);
  assert.doesNotMatch(r.stdout, /helper\.wfl/, "files without describe are not test files");
  assert.match(r.stdout, /Test Results\n=+\nFiles: {2}2\nTotal: {2}3\nPassed: 3 ✓\nFailed: 0 ✗\nTime: {3}[\d.]+ ms\n/);
});

test("several files and folders: a failure shows the test, its message and line, and the exit status is 1", () => {
  const r = wfl(["--test", "suite/math.wfl", "failing"]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^PASS suite\/math\.wfl/m);
  assert.match(r.stdout, /^FAIL failing\/bad\.wfl \(1 of 2 tests failed, [\d.]+ ms\)\n {2}✗ Bad > fails\n {6}Expected value to equal 3, but got 2\n {6}at failing\/bad\.wfl:6\n/m);
  assert.match(r.stdout, /^FAIL failing\/broken\.wfl \(the file did not run to its end, [\d.]+ ms\)\n(.|\n)*Variable 'undefined_name' is not defined/m);
  assert.match(r.stdout, /Files: {2}3 \(2 failed\)\nTotal: {2}4\nPassed: 3 ✓\nFailed: 1 ✗/);
});

test("--reporter junit --output writes JUnit XML with a suite per file, a case per test, failures and file errors", () => {
  const out = path.join(work, "report.xml");
  const r = wfl(["--test", "suite", "failing", "--reporter", "junit", "--output", out]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /Test Results/);
  const xml = readFileSync(out, "utf8");
  assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="wfl" tests="6" failures="1" errors="1" time="[\d.]+">/);
  assert.match(xml, /<testsuite name="failing\/bad\.wfl" file="failing\/bad\.wfl" tests="2" failures="1" errors="0" skipped="0" time="[\d.]+">/);
  assert.match(xml, /<testcase name="fails" classname="failing\/bad\.wfl &gt; Bad" time="[\d.]+">\n {6}<failure message="Expected value to equal 3, but got 2" type="AssertionFailure">Expected value to equal 3, but got 2\nat failing\/bad\.wfl:6<\/failure>/);
  assert.match(xml, /<testcase name="divides &lt;exactly&gt; &amp; &quot;well&quot;" classname="suite\/math\.wfl &gt; Math &gt; Division"/);
  assert.match(xml, /<testcase name="\(file\)" classname="failing\/broken\.wfl" time="0\.000">\n {6}<error message="Variable &apos;undefined_name&apos; is not defined|<error message="Variable 'undefined_name' is not defined/);
  // Well-formed: parsed by a real XML parser when one is at hand.
  const py = spawnSync("python3", ["-c", "import sys,xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); print(r.get('tests'), len(r.findall('.//testcase')))", out], { encoding: "utf8" });
  if (py.status === 0) assert.equal(py.stdout.trim(), "6 6");
});

test("--reporter junit without --output writes the XML to stdout and the human report to stderr", () => {
  const r = wfl(["--test", "suite", "--reporter", "junit"]);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^<\?xml /);
  assert.match(r.stderr, /^PASS suite\/math\.wfl/m);
});

test("one file keeps the classic output exactly (the conformance rules parse its summary)", () => {
  const r = wfl(["--test", "failing/bad.wfl"]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, `Bad
  ✓ passes
  ✗ fails

============================================================
Test Results
============================================================
Total:  2
Passed: 1 ✓
Failed: 1 ✗

────────────────────────────────────────────────────────────
Failures:
────────────────────────────────────────────────────────────

1. fails
   Context: Bad
   Expected value to equal 3, but got 2
   at line 6

============================================================
`);
  assert.equal(r.stderr, "error[TEST]: 1 of 2 tests failed\n");
});

test("a missing path or a folder with no test files is an error", () => {
  const r = wfl(["--test", "suite", "nope-folder"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Cannot find 'nope-folder'/);
  mkdirSync(path.join(work, "empty"), { recursive: true });
  const e = wfl(["--test", "empty"]);
  assert.equal(e.status, 1);
  assert.match(e.stderr, /No test files found/);
});
