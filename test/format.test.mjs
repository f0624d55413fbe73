// The formatter (`wfl --format`, src/format/): one canonical layout that changes only whitespace.
// Over the whole upstream corpus and our TestPrograms: idempotent, the same tokens, and the same
// behaviour (stdout and exit status) as the original for every program that passes conformance.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, statSync, cpSync, rmSync, existsSync } from "node:fs";
import { tmpdir, availableParallelism } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { formatSource, tokenize } from "../dist/internal.js";
import { runProcess, wflCommand, upstreamDir } from "../conformance/lib.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const wfl = join(root, "bin/wfl");

test("indentation follows the block structure; spaces, blank lines and trailing whitespace are made canonical", () => {
  const src = [
    "",
    "store   x as 1   ",
    "",
    "",
    "",
    "define action called f with a:",
    "check if a is greater than 1:",
    "        return a",
    "  otherwise:",
    "return 0",
    "      end check",
    "end action",
    "try:",
    "display f of x",
    "when error:",
    "display error_message",
    "end try",
    "route x:",
    "when 1:",
    "display \"one\"",
    "otherwise:",
    "display \"other\"",
    "end route",
    "",
  ].join("\n");
  const want = [
    "store x as 1",
    "",
    "define action called f with a:",
    "    check if a is greater than 1:",
    "        return a",
    "    otherwise:",
    "        return 0",
    "    end check",
    "end action",
    "try:",
    "    display f of x",
    "when error:",
    "    display error_message",
    "end try",
    "route x:",
    "    when 1:",
    "        display \"one\"",
    "    otherwise:",
    "        display \"other\"",
    "end route",
    "",
  ].join("\n");
  const r = formatSource(src, "t.wfl");
  assert.equal(r.ok, true);
  assert.equal(r.text, want);
  assert.equal(formatSource(r.text, "t.wfl").text, want, "idempotent");
});

test("comments stay (with the indentation of the code after them); text literals spanning lines are untouched", () => {
  const src = "// head\ncount from 1 to 2:\n// inside\n  display   \"a   b\"  // trailing\nstore t as \"line one\n   keep   this\"\nend count\n";
  const r = formatSource(src, "t.wfl");
  assert.equal(r.text, "// head\ncount from 1 to 2:\n    // inside\n    display \"a   b\" // trailing\n    store t as \"line one\n   keep   this\"\nend count\n");
});

test("else-if chains stay flat; containers indent their properties and methods", () => {
  const src = "store n as 2\ncheck if n is 1:\ndisplay 1\notherwise check if n is 2:\ndisplay 2\notherwise:\ndisplay 3\nend check\ncreate container P:\nproperty name: Text\naction hi:\ndisplay name\nend\nend\n";
  const r = formatSource(src, "t.wfl");
  assert.equal(r.text, "store n as 2\ncheck if n is 1:\n    display 1\notherwise check if n is 2:\n    display 2\notherwise:\n    display 3\nend check\ncreate container P:\n    property name: Text\n    action hi:\n        display name\n    end\nend\n");
});

test("wfl --format prints, --check exits 1 when it would change, --in-place rewrites; a syntax error is reported", () => {
  const dir = mkdtempSync(join(tmpdir(), "wfl-format-"));
  const f = join(dir, "p.wfl");
  writeFileSync(f, "count from 1 to 2:\ndisplay count\nend count\n");
  const printed = spawnSync(wfl, ["--format", f], { encoding: "utf8" });
  assert.equal(printed.status, 0);
  assert.equal(printed.stdout, "count from 1 to 2:\n    display count\nend count\n");
  const check = spawnSync(wfl, ["--format", "--check", f], { encoding: "utf8" });
  assert.equal(check.status, 1);
  assert.match(check.stdout, /would be reformatted/);
  const inPlace = spawnSync(wfl, ["--format", "--in-place", f], { encoding: "utf8" });
  assert.equal(inPlace.status, 0);
  assert.equal(readFileSync(f, "utf8"), printed.stdout);
  assert.equal(spawnSync(wfl, ["--format", "--check", f], { encoding: "utf8" }).status, 0, "--check passes once formatted");
  writeFileSync(f, "check if:\n");
  const broken = spawnSync(wfl, ["--format", f], { encoding: "utf8" });
  assert.equal(broken.status, 1);
  assert.match(broken.stderr, /error\[PARSE\]/);
  assert.equal(readFileSync(f, "utf8"), "check if:\n", "a broken file is left alone");
});

function listWfl(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listWfl(p));
    else if (e.name.endsWith(".wfl")) out.push(p);
  }
  return out;
}

const upstream = upstreamDir();
const corpus = [...(existsSync(join(upstream, "TestPrograms")) ? listWfl(join(upstream, "TestPrograms")) : []), ...listWfl(join(root, "TestPrograms"))];
/** The token texts (a line break at the very end is the formatter's to add). */
const images = (src) => tokenize(src).tokens.map((t) => t.image).join("\u0000").replace(/(\u0000(\r\n|\r|\n))+$/, "").replace(/^(\r\n|\r|\n)$/, "");

test("every corpus program: formatting is idempotent and changes nothing but whitespace", () => {
  assert.ok(corpus.length > 100, `the corpus is there (${corpus.length} files)`);
  let formatted = 0;
  for (const file of corpus) {
    const src = readFileSync(file, "utf8");
    const r = formatSource(src, file);
    if (!r.ok) continue; // a program with a syntax error on purpose
    formatted++;
    assert.equal(formatSource(r.text, file).text, r.text, `idempotent: ${file}`);
    assert.equal(images(r.text), images(src), `same tokens: ${file}`);
    assert.equal(r.text.replace(/\s+/g, ""), src.replace(/\s+/g, ""), `only whitespace changes: ${file}`);
  }
  assert.ok(formatted > 100);
});

/** Copies `srcRoot` into a fresh folder and formats every .wfl file in the copy (never writes into the source). */
function formattedCopy(srcRoot, name) {
  const dir = mkdtempSync(join(tmpdir(), `wfl-format-${name}-`));
  cpSync(srcRoot, join(dir, "TestPrograms"), { recursive: true });
  for (const f of listWfl(join(dir, "TestPrograms"))) {
    const r = formatSource(readFileSync(f, "utf8"), f);
    if (r.ok) writeFileSync(f, r.text);
  }
  return dir;
}

test("the formatted upstream corpus behaves as the original: same stdout and exit status for every program that passes conformance", { timeout: 600_000 }, async () => {
  const record = JSON.parse(readFileSync(join(root, "conformance/record.json"), "utf8")).programs;
  const passing = Object.entries(record).filter(([, r]) => r.status === "pass").map(([rel]) => rel);
  assert.ok(passing.length > 80, `${passing.length} programs pass conformance`);
  const fmtDir = formattedCopy(join(upstream, "TestPrograms"), "up");
  const origDir = mkdtempSync(join(tmpdir(), "wfl-format-orig-"));
  cpSync(join(upstream, "TestPrograms"), join(origDir, "TestPrograms"), { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), "wfl-format-run-"));
  const [cmd, ...lead] = wflCommand();
  let n = 0;
  /** Runs `rel` inside a fresh copy of `tree` (as the conformance runner does: programs write files). */
  const runIn = async (tree, rel, tag) => {
    const dir = join(scratch, `${tag}-${n++}`);
    execFileSync("cp", ["-R", tree, dir]);
    const src = readFileSync(join(dir, rel), "utf8");
    const flags = /^[ \t]*describe "/m.test(src) ? ["--test"] : [];
    const res = await runProcess(cmd, [...lead, ...flags, rel], { cwd: dir, timeoutMs: 60_000 });
    rmSync(dir, { recursive: true, force: true });
    // Paths of the copy and timings are not the program's behaviour.
    const norm = (s) => s.split(dir).join("<dir>").replace(/\b\d+(\.\d+)? ?(ms|milliseconds|seconds|s)\b/g, "<t>");
    return { code: res.code, stdout: norm(res.stdout) };
  };
  const mismatches = [];
  let ran = 0;
  const queue = [...passing];
  // Most programs spend their time starting up or sleeping, so more jobs than cores pays.
  const jobs = Math.max(4, Math.min(8, availableParallelism() * 3));
  await Promise.all(Array.from({ length: jobs }, async () => {
    while (queue.length) {
      const rel = queue.shift();
      // A program the formatter leaves as it is behaves as it did.
      if (readFileSync(join(origDir, rel), "utf8") === readFileSync(join(fmtDir, rel), "utf8")) continue;
      ran++;
      const [a, b] = [await runIn(origDir, rel, "o"), await runIn(fmtDir, rel, "f")];
      if (a.code !== b.code || a.stdout !== b.stdout) {
        // A program whose output varies from run to run (times, random values) shows it on a second run of the original.
        const again = await runIn(origDir, rel, "o");
        if (again.code === a.code && again.stdout === a.stdout) mismatches.push(`${rel}: exit ${a.code} → ${b.code}; stdout ${a.stdout === b.stdout ? "same" : "differs"}`);
      }
    }
  }));
  rmSync(scratch, { recursive: true, force: true });
  console.log(`format: ${ran} of ${passing.length} passing upstream programs change when formatted; each ran before and after`);
  assert.ok(ran > 0, "some programs change when formatted");
  assert.deepEqual(mismatches, []);
});

test("the formatted TestPrograms still match their golden output (conformance --ours on the formatted copy)", { timeout: 600_000 }, () => {
  const dir = formattedCopy(join(root, "TestPrograms"), "ours");
  const r = spawnSync(process.execPath, [join(root, "scripts/conformance.mjs"), "--ours"], { cwd: root, encoding: "utf8", env: { ...process.env, WFL_OURS_ROOT: dir } });
  assert.equal(r.status, 0, r.stdout.split("\n").filter((l) => /FAIL|fail/.test(l)).slice(0, 10).join("\n") + r.stderr);
  assert.match(r.stdout, /our TestPrograms/);
});
