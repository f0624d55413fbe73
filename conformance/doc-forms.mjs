// Every ```wfl block of the upstream Docs/, parsed as `wfl --parse` parses it (see parseBlocks).
// Used by test/doc-forms.test.mjs; run directly to list the blocks that fail:
//
//   node conformance/doc-forms.mjs            one line per failing block
//   node conformance/doc-forms.mjs --json     the same as JSON (key, file, line, error, source)
//
// A block is keyed by its doc file and a hash of its text (`file#hash`), so the key survives
// edits elsewhere in the file; `line` (the fence's line) is for people only.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { REPO_ROOT, mapLimit, runProcess, stripAnsi, upstreamDir, wflCommand } from "./lib.mjs";

export const DOCS_DIR = path.join(upstreamDir(), "Docs");

function markdownFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...markdownFiles(full));
    else if (entry.name.endsWith(".md")) out.push(full);
  }
  return out.sort();
}

export function blockHash(source) {
  return createHash("sha256").update(source).digest("hex").slice(0, 10);
}

/**
 * The ```wfl blocks of one Markdown text: [{line, source}] where line is the 1-based line of the
 * opening fence. Fences may be indented (inside list items); that indentation is removed from the
 * block's lines. Other fenced blocks (```bash, ```markdown …) are skipped whole.
 */
export function extractWflBlocks(text) {
  const lines = text.split(/\r?\n/);
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)(`{3,}|~{3,})\s*([^`\s]*)/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang] = open;
    const body = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = /^ *(`{3,}|~{3,})\s*$/.exec(lines[j]);
      if (close && close[1][0] === fence[0] && close[1].length >= fence.length) break;
      const line = lines[j];
      let k = 0;
      while (k < indent.length && line[k] === " ") k++;
      body.push(line.slice(k));
    }
    if (lang.toLowerCase() === "wfl") blocks.push({ line: i + 1, source: body.join("\n") + "\n" });
    i = j;
  }
  return blocks;
}

/** Every ```wfl block under Docs/: [{key, file, line, source}], file relative to Docs/. */
export function docBlocks(docsDir = DOCS_DIR) {
  const blocks = [];
  for (const full of markdownFiles(docsDir)) {
    const file = path.relative(docsDir, full).split(path.sep).join("/");
    for (const b of extractWflBlocks(readFileSync(full, "utf8"))) {
      blocks.push({ key: `${file}#${blockHash(b.source)}`, file, line: b.line, source: b.source });
    }
  }
  return blocks;
}

/** The first line of a parse diagnostic plus its location, e.g. "error[PARSE]: … (3:5)". */
function summarize(stderr, scratchFile) {
  const text = stripAnsi(stderr);
  const first = text.split("\n").find((l) => l.trim()) ?? "";
  const loc = new RegExp(`${scratchFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:(\\d+):(\\d+)`).exec(text);
  return loc ? `${first.trim()} (${loc[1]}:${loc[2]})` : first.trim();
}

/**
 * Parses every block (identical texts once) and returns a Map key -> {ok, error, errorLine}
 * (errorLine: the block's line the error points at).
 *
 * `wfl --parse` is `parse(source, file)` and nothing more (src/cli/main.ts), but one process per
 * block costs 25-45 ms of CPU, and 1,300 of them take 30-60 s here. So every block is parsed
 * in-process with the library's `parse` (dist/internal.js, the same code), and the CLI then runs on
 * every block that failed (the verdict and the error text reported are the CLI's), and on every
 * `sampleEvery`-th block that parsed; where the CLI and the library disagree the result says
 * so (`mismatch`). `cliAll` (or $WFL_DOC_FORMS_ALL_CLI=1) runs the CLI on every block.
 */
export async function parseBlocks(blocks, { jobs = Math.max(4, os.availableParallelism?.() ?? 4), sampleEvery = 20, cliAll = process.env.WFL_DOC_FORMS_ALL_CLI === "1" } = {}) {
  const { parse } = await import(pathToFileURL(path.join(REPO_ROOT, "dist", "internal.js")).href);
  const unique = new Map();
  for (const b of blocks) if (!unique.has(b.key)) unique.set(b.key, b);
  const inProcess = new Map();
  let passed = 0;
  const viaCli = [];
  for (const b of unique.values()) {
    const ok = Boolean(parse(b.source, "block.wfl").program);
    inProcess.set(b.key, ok);
    if (cliAll || !ok || passed++ % sampleEvery === 0) viaCli.push(b);
  }
  const results = new Map();
  for (const [key, ok] of inProcess) results.set(key, ok ? { ok: true } : { ok: false, error: "(library parse failed)", errorLine: null });
  const scratch = mkdtempSync(path.join(os.tmpdir(), "wfl-doc-forms-"));
  const [cmd, ...lead] = wflCommand();
  try {
    await mapLimit(viaCli, jobs, async (b, i) => {
      const file = path.join(scratch, `block${i}.wfl`);
      writeFileSync(file, b.source);
      const r = await runProcess(cmd, [...lead, "--parse", file], { timeoutMs: 30_000, maxOutputBytes: 64 << 20 });
      let result;
      if (r.code === 0) {
        result = { ok: true };
      } else {
        const error = r.timedOut ? "timed out" : summarize(r.stderr, file) || `exit ${r.code ?? r.signal}`;
        const m = / \((\d+):\d+\)$/.exec(error);
        result = { ok: false, error, errorLine: m ? Number(m[1]) : null };
      }
      if (result.ok !== inProcess.get(b.key)) result.mismatch = `wfl --parse ${result.ok ? "accepts" : "rejects"} it, the library's parse ${result.ok ? "rejects" : "accepts"} it`;
      results.set(b.key, result);
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return results;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const blocks = docBlocks();
  const results = await parseBlocks(blocks);
  const failing = [];
  const seen = new Set();
  for (const b of blocks) {
    const r = results.get(b.key);
    if (r.mismatch) console.error(`MISMATCH ${b.file}:${b.line} ${b.key}: ${r.mismatch}`);
    if (r.ok || seen.has(b.key)) continue;
    seen.add(b.key);
    const lines = b.source.split("\n");
    failing.push({ ...b, error: r.error, failingLine: r.errorLine ? lines[r.errorLine - 1] : null });
  }
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify(failing, null, 2));
  } else {
    for (const f of failing) console.log(`${f.file}:${f.line} ${f.key}\n    ${f.error}\n    | ${f.failingLine ?? ""}`);
    console.log(`${failing.length} of ${new Set(blocks.map((b) => b.key)).size} blocks fail to parse`);
  }
}
