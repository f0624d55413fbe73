// Docs that run: every ```wfl block in our Docs/ (every page, including pages added later) is
// extracted and run as a program of its own. The convention (Docs/README.md, CONTRIBUTING.md):
//   ```wfl            runs, and must exit 0 with nothing on stderr
//   ```wfl test       runs with `wfl --test` (a block of describe/test blocks)
//   ```wfl fails      must fail: exit 1 with a diagnostic (error[…]) and no host stack trace
//   ```wfl no-run     is not run; the text around it says why (it needs a server, a database,
//                     a file, or it is a fragment)
// A ```output block that follows a runnable block (only blank lines between) is its output:
// standard output must equal it (for `fails`, standard output then standard error).
// (test/doc-forms.test.mjs is about the upstream documentation; this file is about ours.)
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";

const root = path.resolve(import.meta.dirname, "..");
const docs = path.join(root, "Docs");
const MODES = new Set(["", "test", "fails", "no-run"]);

/** The fenced blocks of a Markdown text, with their info strings and lines. */
export function fencedBlocks(text) {
  const lines = text.split("\n");
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang, rest] = open;
    const body = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      if (lines[j].trimStart().startsWith(fence) && lines[j].trim().replace(/^[`~]+/, "") === "") break;
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
    }
    blocks.push({ lang, info: rest.trim(), line: i + 1, endLine: j + 1, body: body.join("\n") + "\n" });
    i = j;
  }
  return blocks;
}

/** The runnable examples of one page: each ```wfl block with its mode and the output it shows. */
export function examples(text) {
  const blocks = fencedBlocks(text);
  const lines = text.split("\n");
  const out = [];
  blocks.forEach((b, k) => {
    if (b.lang !== "wfl") return;
    const next = blocks[k + 1];
    const between = next ? lines.slice(b.endLine, next.line - 1) : [];
    const shown = next && next.lang === "output" && between.every((l) => l.trim() === "") ? next.body : null;
    out.push({ line: b.line, mode: b.info.split(/\s+/)[0] ?? "", source: b.body, output: shown });
  });
  return out;
}

const work = mkdtempSync(path.join(os.tmpdir(), "wfl-docs-run-"));
after(() => rmSync(work, { recursive: true, force: true }));

const pages = readdirSync(docs).filter((f) => f.endsWith(".md")).sort();

test("the docs-run convention finds the blocks, their modes and the output that follows them", () => {
  const ex = examples("x\n```wfl\ndisplay 1\n```\n\n```output\n1\n```\n```wfl no-run\nwait\n```\n```wfl test\ndescribe \"a\":\nend describe\n```\ntext\n```output\nnot this one\n```\n");
  assert.deepEqual(ex.map((e) => [e.line, e.mode, e.output]), [[2, "", "1\n"], [9, "no-run", null], [12, "test", null]]);
});

for (const page of pages) {
  const text = readFileSync(path.join(docs, page), "utf8");
  const ex = examples(text);
  if (ex.length === 0) continue;
  test(`Docs/${page}: every \`\`\`wfl block runs as documented`, () => {
    const problems = [];
    for (const e of ex) {
      const where = `Docs/${page}:${e.line}`;
      if (!MODES.has(e.mode)) {
        problems.push(`${where}: unknown mode '${e.mode}' (use \`\`\`wfl, \`\`\`wfl test, \`\`\`wfl fails or \`\`\`wfl no-run)`);
        continue;
      }
      if (e.mode === "no-run") continue;
      const dir = mkdtempSync(path.join(work, "ex-"));
      const file = path.join(dir, "example.wfl");
      writeFileSync(file, e.source);
      const args = e.mode === "test" ? ["--test", file] : [file];
      const r = spawnSync(path.join(root, "bin", "wfl"), args, { cwd: dir, encoding: "utf8", timeout: 20_000, env: { ...process.env, NO_COLOR: "1" } });
      const stdout = r.stdout ?? "";
      const stderr = r.stderr ?? "";
      if (r.error || r.signal) {
        problems.push(`${where}: did not finish (${r.error?.message ?? r.signal}); mark it \`\`\`wfl no-run and say why`);
        continue;
      }
      if (/\n\s+at .*:\d+:\d+\)?\n|node:internal/.test(stderr)) problems.push(`${where}: a host stack trace reached the user:\n${stderr}`);
      if (e.mode === "fails") {
        if (r.status === 0) problems.push(`${where}: marked 'fails' but ran successfully`);
        else if (!/^error\[[A-Z-]+\]/m.test(stderr)) problems.push(`${where}: failed without a diagnostic:\n${stderr}`);
        if (e.output !== null && (stdout + stderr).trimEnd() !== e.output.trimEnd()) {
          problems.push(`${where}: the output shown differs from the real output:\n--- shown\n${e.output}--- real\n${stdout}${stderr}`);
        }
        continue;
      }
      if (r.status !== 0 || stderr !== "") {
        problems.push(`${where}: exited ${r.status}${stderr ? ` with:\n${stderr}` : ""}(a block that cannot run on its own is marked \`\`\`wfl no-run, with the reason in the text)`);
        continue;
      }
      if (e.output !== null && stdout.replace(/[ \t]+$/gm, "").trimEnd() !== e.output.replace(/[ \t]+$/gm, "").trimEnd()) {
        problems.push(`${where}: the output shown differs from the real output:\n--- shown\n${e.output}--- real\n${stdout}`);
      }
    }
    assert.deepEqual(problems, [], problems.join("\n\n"));
  });
}
