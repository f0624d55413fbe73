// The VS Code package (editors/vscode/): the TextMate grammar against the sample files with their
// scope assertions (vscode-tmgrammar-test), the language configuration's indentation rules, the
// manifest, and a .vsix built with @vscode/vsce.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const ext = join(root, "editors/vscode");
const bin = (name) => join(root, "node_modules/.bin", name);

test("the TextMate grammar gives the scopes the sample files assert (vscode-tmgrammar-test)", () => {
  const samples = readdirSync(join(ext, "test")).filter((f) => f.endsWith(".wfl"));
  assert.ok(samples.length >= 2);
  for (const s of samples) assert.match(readFileSync(join(ext, "test", s), "utf8"), /\^+ [a-z.-]+\.wfl/, `${s} has scope assertions`);
  const r = spawnSync(bin("vscode-tmgrammar-test"), ["-g", "syntaxes/wfl.tmLanguage.json", "test/*.wfl"], { cwd: ext, encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  for (const s of samples) assert.match(r.stdout, new RegExp(`✓ test/${s.replace(".", "\\.")}`));
});

test("a broken assertion fails the grammar test (the checker really checks)", () => {
  const dir = mkdtempSync(join(tmpdir(), "wfl-grammar-"));
  const bad = join(dir, "bad.wfl");
  spawnSync("sh", ["-c", `printf '// SYNTAX TEST "source.wfl"\\nstore x as 1\\n// <----- comment.line.double-slash.wfl\\n' > ${bad}`]);
  const r = spawnSync(bin("vscode-tmgrammar-test"), ["-g", join(ext, "syntaxes/wfl.tmLanguage.json"), bad], { encoding: "utf8" });
  assert.notEqual(r.status, 0);
});

test("the language configuration: // comments, brackets, indent after a trailing ':' and out on 'end …'/'otherwise'", () => {
  const conf = JSON.parse(readFileSync(join(ext, "language-configuration.json"), "utf8"));
  assert.equal(conf.comments.lineComment, "//");
  assert.deepEqual(conf.brackets, [["[", "]"], ["(", ")"], ["{", "}"]]);
  const inc = new RegExp(conf.indentationRules.increaseIndentPattern);
  const dec = new RegExp(conf.indentationRules.decreaseIndentPattern);
  for (const l of ["check if x is 1:", "define action called f with a:", "    for each item in items:", "try:  // comment"]) assert.ok(inc.test(l), `indent after '${l}'`);
  for (const l of ["display \"a:b\" with x", "// note:", "store x as 1"]) assert.ok(!inc.test(l), `no indent after '${l}'`);
  for (const l of ["end check", "    end action", "otherwise:", "when error:", "catch:", "finally:", "end"]) assert.ok(dec.test(l), `outdent on '${l}'`);
  for (const l of ["ending is 1", "display end_value"]) assert.ok(!dec.test(l), `no outdent on '${l}'`);
});

test("the manifest contributes the wfl language, its grammar and settings, and starts wfl-lsp", () => {
  const pkg = JSON.parse(readFileSync(join(ext, "package.json"), "utf8"));
  assert.deepEqual(pkg.contributes.languages[0].extensions, [".wfl"]);
  assert.equal(pkg.contributes.languages[0].id, "wfl");
  assert.equal(pkg.contributes.grammars[0].scopeName, "source.wfl");
  assert.ok(existsSync(join(ext, pkg.contributes.grammars[0].path)));
  assert.ok(existsSync(join(ext, pkg.contributes.languages[0].configuration)));
  assert.equal(pkg.contributes.configuration.properties["wfl.lspPath"].default, "wfl-lsp");
  assert.ok(pkg.scripts.package.includes("vsce package"));
  const src = readFileSync(join(ext, pkg.main), "utf8");
  assert.match(src, /require\("vscode-languageclient\/node"\)/);
  assert.match(src, /lspPath/);
  assert.equal(spawnSync(process.execPath, ["--check", join(ext, pkg.main)]).status, 0, "extension.js is valid JavaScript");
  const grammar = JSON.parse(readFileSync(join(ext, "syntaxes/wfl.tmLanguage.json"), "utf8"));
  for (const [name, rule] of Object.entries(grammar.repository)) {
    for (const p of rule.patterns ?? [rule]) if (p.match) assert.doesNotThrow(() => new RegExp(p.match.replace(/^\(\?i\)/, "")), name);
  }
});

/** The names in a zip archive (its central directory). */
function zipEntries(buf) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  assert.ok(eocd >= 0, "a zip archive");
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    const nameLen = buf.readUInt16LE(at + 28), extraLen = buf.readUInt16LE(at + 30), commentLen = buf.readUInt16LE(at + 32);
    names.push(buf.toString("utf8", at + 46, at + 46 + nameLen));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

test("vsce packages the extension into a .vsix (offline)", { timeout: 120_000 }, (t) => {
  const out = join(mkdtempSync(join(tmpdir(), "wfl-vsix-")), "wfl.vsix");
  // vscode-languageclient is the extension's one dependency; `npm install` in editors/vscode fetches
  // it. Without it, the package is built without dependencies (what can be checked offline).
  const withDeps = existsSync(join(ext, "node_modules/vscode-languageclient/package.json"));
  if (!withDeps) t.diagnostic("editors/vscode/node_modules is missing: packaging without dependencies (run npm install in editors/vscode for the full package)");
  const r = spawnSync(bin("vsce"), ["package", "--out", out, ...(withDeps ? [] : ["--no-dependencies"])], { cwd: ext, encoding: "utf8", timeout: 110_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const names = zipEntries(readFileSync(out));
  for (const n of ["extension/package.json", "extension/extension.js", "extension/syntaxes/wfl.tmLanguage.json", "extension/language-configuration.json", "extension.vsixmanifest"]) {
    assert.ok(names.includes(n), `${n} is in the .vsix`);
  }
  assert.ok(!names.some((n) => n.startsWith("extension/test/")), "the grammar samples stay out");
  if (withDeps) assert.ok(names.includes("extension/node_modules/vscode-languageclient/package.json"));
});
