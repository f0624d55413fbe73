// The conformance runner itself: the per-program record, and intentional-error programs that must
// fail with the expected error (never by crashing some other way). Runs scripts/conformance.mjs
// and bin/wfl for real, on small corpora made here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { errorDiagnostics, expectedErrorProblems, goldenErrorProblems } from "../conformance/lib.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));

function wfl(source, name = "p.wfl") {
  const dir = mkdtempSync(join(tmpdir(), "wfl-conf-"));
  writeFileSync(join(dir, name), source);
  const r = spawnSync(join(root, "bin/wfl"), [name], { cwd: dir, encoding: "utf8" });
  return r.stderr;
}

function runner(args, env) {
  const r = spawnSync(process.execPath, ["scripts/conformance.mjs", "--jobs", "2", ...args], {
    cwd: root, encoding: "utf8", env: { ...process.env, ...env },
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

test("errorDiagnostics reads the kind, message and line of each error[KIND] diagnostic", () => {
  const d = errorDiagnostics(wfl("store x as 0\ndisplay 10 divided by x\n"));
  assert.equal(d.length, 1);
  assert.equal(d[0].kind, "RUNTIME");
  assert.equal(d[0].message, "Division by zero");
  assert.equal(d[0].lineNo, 2);
});

test("an intentional-error program passes only with the expected kind, message and line", () => {
  const stderr = wfl("store x as 0\ndisplay 10 divided by x\n");
  assert.deepEqual(expectedErrorProblems({ kind: "RUNTIME", message: ["division by zero"], line: 2 }, stderr), []);
  assert.match(expectedErrorProblems({ kind: "PARSE" }, stderr)[0], /expected error\[PARSE\], got error\[RUNTIME\]/);
  assert.match(expectedErrorProblems({ kind: "RUNTIME", message: ["countt"] }, stderr)[0], /lacks "countt"/);
  assert.match(expectedErrorProblems({ kind: "RUNTIME", line: 1 }, stderr)[0], /at line 1, got line 2/);
  assert.match(expectedErrorProblems(undefined, stderr)[0], /no expected error is declared/);
});

test("an error[INTERNAL] crash never counts as the expected error", () => {
  const crash = "error[INTERNAL]: Cannot read properties of undefined (reading 'kind')\nThis is a bug in wfl-ts; please report it with the program that caused it.\n";
  assert.match(expectedErrorProblems({ message: ["read"] }, crash)[0], /crashed/);
  assert.match(expectedErrorProblems({ kind: "INTERNAL" }, crash)[0], /crashed/);
  assert.match(goldenErrorProblems("error[INTERNAL]: Cannot read\n", crash)[0], /crashed/);
  // Nor does a run that prints no WFL diagnostic at all (a host trace, a signal, plain text).
  assert.match(expectedErrorProblems({ message: ["x"] }, "TypeError: x is not a function\n    at f (/a.js:1:2)\n")[0], /no error\[KIND\] diagnostic/);
});

test("a .err golden must name the error kind, and the program's first diagnostic must be that one", () => {
  const stderr = wfl("store x as 0\ndisplay 10 divided by x\n");
  assert.deepEqual(goldenErrorProblems("error[RUNTIME]: Division by zero\n", stderr), []);
  assert.match(goldenErrorProblems("Division by zero\n", stderr)[0], /must begin with the error\[KIND\]: line/);
  assert.match(goldenErrorProblems("error[PARSE]: Division by zero\n", stderr)[0], /expected "error\[PARSE\]/);
  assert.match(goldenErrorProblems("error[RUNTIME]: Division by zero\nnot there\n", stderr)[0], /lacks "not there"/);
});

test("our TestPrograms: a program whose .err expects one error fails when it fails with another", () => {
  const ours = mkdtempSync(join(tmpdir(), "wfl-ours-"));
  mkdirSync(join(ours, "TestPrograms"));
  writeFileSync(join(ours, "TestPrograms/wrong.wfl"), "store x as 0\ndisplay 10 divided by x\n");
  writeFileSync(join(ours, "TestPrograms/wrong.out"), "");
  writeFileSync(join(ours, "TestPrograms/wrong.err"), "error[PARSE]: Expected a value\n");
  const r = runner(["--ours"], { WFL_OURS_ROOT: ours });
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /FAIL TestPrograms\/wrong\.wfl: expected "error\[PARSE\]: Expected a value" first, got "error\[RUNTIME\]: Division by zero"/);
});

test("the record: a program recorded as passing that now fails fails the run; --update-record says so", () => {
  const up = mkdtempSync(join(tmpdir(), "wfl-up-"));
  mkdirSync(join(up, "TestPrograms"));
  writeFileSync(join(up, "TestPrograms/rec_good.wfl"), 'display "fine"\n');
  writeFileSync(join(up, "TestPrograms/rec_broken.wfl"), 'display "before"\ndisplay 1 divided by 0\n');
  writeFileSync(join(up, "TestPrograms/rec_new.wfl"), 'display "new"\n');
  const record = join(up, "record.json");
  const programs = { "TestPrograms/rec_good.wfl": { status: "pass" }, "TestPrograms/rec_broken.wfl": { status: "pass" } };
  writeFileSync(record, JSON.stringify({ programs }));
  const env = { WFL_UPSTREAM: up, WFL_CONFORMANCE_RECORD: record };

  // A filtered run (so the floor, meant for the real corpus, is not checked): only the record can fail it.
  const first = runner(["--upstream", "rec_"], env);
  assert.equal(first.code, 1, first.out);
  assert.match(first.out, /^REGRESSION TestPrograms\/rec_broken\.wfl: recorded as passing, now fail \(exit 1: error\[RUNTIME\]: Division by zero/m);
  assert.match(first.out, /\(1 REGRESSION against conformance\/record\.json\)/);
  assert.match(first.out, /note: TestPrograms\/rec_new\.wfl is not in conformance\/record\.json/);
  assert.doesNotMatch(first.out, /REGRESSION TestPrograms\/rec_good/);

  // Updating prints every change, the pass that became a fail loudly, and still fails this run.
  const update = runner(["--upstream", "--update-record", "rec_"], env);
  assert.equal(update.code, 1, update.out);
  assert.match(update.out, /^REGRESSION recorded: TestPrograms\/rec_broken\.wfl: pass -> fail \(/m);
  assert.match(update.out, /^record: TestPrograms\/rec_new\.wfl: not recorded -> pass$/m);
  const written = JSON.parse(readFileSync(record, "utf8")).programs;
  assert.equal(written["TestPrograms/rec_broken.wfl"].status, "fail");
  assert.match(written["TestPrograms/rec_broken.wfl"].reason, /Division by zero/);
  assert.deepEqual(written["TestPrograms/rec_good.wfl"], { status: "pass" });

  // Against the updated record the same results pass.
  const again = runner(["--upstream", "rec_"], env);
  assert.equal(again.code, 0, again.out);
  assert.doesNotMatch(again.out, /REGRESSION/);
});
