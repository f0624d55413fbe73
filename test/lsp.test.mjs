// The language server (`wfl lsp --stdio`), driven over stdio by a real JSON-RPC client
// (vscode-jsonrpc): every capability, rename across two files, positions in UTF-16 code units,
// and the latencies on a 5,000-line file (printed, not gated on).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "wfl-lsp-"));
const uriOf = (name) => pathToFileURL(join(dir, name)).href;

const LIB = `// A library the main program includes.
define action called greet with name:
    return "Hello, " with name
end action

store greeting_prefix as "Hi"
`;
const MAIN = `include from "lib.wfl"

store total as 10
display "😀 emoji first" with total
define action called add_tax with amount and rate:
    return amount plus amount times rate
end action

create container Person:
    property name: Text
    property age: Number
    action describe_me:
        display name
    end
end

create new Person as alice:
    name is "Alice"
    age is 30
end

check if total is greater than 5:
    display greet of "Ann"
    display length of "abc"
end check
store taxed as add_tax with total and 2
display greeting_prefix
`;
writeFileSync(join(dir, "lib.wfl"), LIB);
writeFileSync(join(dir, "main.wfl"), MAIN);

let proc, conn;
const diagnostics = new Map();
const waiters = [];
const versions = new Map();
/** Errors the server logged (a request that failed inside it). */
const serverErrors = [];

before(async () => {
  proc = spawn(process.execPath, [join(root, "dist/cli.js"), "lsp", "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
  conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  conn.onNotification("textDocument/publishDiagnostics", (p) => {
    diagnostics.set(p.uri, { at: performance.now(), diagnostics: p.diagnostics, version: p.version });
    for (const w of [...waiters]) if (w.uri === p.uri && (w.version === undefined || p.version === w.version)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(p);
    }
  });
  conn.onNotification("window/logMessage", (m) => { if (m.type === 1) serverErrors.push(m.message); });
  conn.onRequest("workspace/configuration", () => []);
  conn.onRequest("client/registerCapability", () => null);
  conn.listen();
  const init = await conn.sendRequest("initialize", {
    processId: process.pid, rootUri: pathToFileURL(dir).href, workspaceFolders: [{ uri: pathToFileURL(dir).href, name: "t" }],
    capabilities: { textDocument: { completion: { completionItem: { snippetSupport: true } } } },
  });
  assert.equal(init.serverInfo.name, "wfl-lsp");
  for (const cap of ["completionProvider", "hoverProvider", "definitionProvider", "referencesProvider", "renameProvider", "documentSymbolProvider", "foldingRangeProvider", "semanticTokensProvider", "signatureHelpProvider", "documentFormattingProvider"]) {
    assert.ok(init.capabilities[cap], `the server announces ${cap}`);
  }
  conn.sendNotification("initialized", {});
  await open("main.wfl", MAIN);
});

after(async () => {
  try {
    await conn.sendRequest("shutdown");
    conn.sendNotification("exit");
  } catch {}
  conn.dispose();
  proc.kill();
});

function waitForDiagnostics(uri, version) {
  return new Promise((resolve, reject) => {
    const w = { uri, version, resolve };
    waiters.push(w);
    setTimeout(() => reject(new Error(`no diagnostics for ${uri} v${version}`)), 5000).unref();
  });
}

async function open(name, text) {
  const uri = uriOf(name);
  versions.set(uri, 1);
  const p = waitForDiagnostics(uri, 1);
  conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "wfl", version: 1, text } });
  return p;
}

async function change(name, text) {
  const uri = uriOf(name);
  const v = versions.get(uri) + 1;
  versions.set(uri, v);
  const p = waitForDiagnostics(uri, v);
  const t0 = performance.now();
  conn.sendNotification("textDocument/didChange", { textDocument: { uri, version: v }, contentChanges: [{ text }] });
  const d = await p;
  return { diagnostics: d.diagnostics, ms: performance.now() - t0 };
}

/** The position of the nth occurrence of `needle` in `text` (+ `delta` characters), in UTF-16 code units. */
function pos(text, needle, delta = 0, nth = 0) {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
  assert.ok(i >= 0, `'${needle}' is in the text`);
  i += delta;
  const before = text.slice(0, i);
  const line = before.split("\n").length - 1;
  return { line, character: i - (before.lastIndexOf("\n") + 1) };
}

const req = (method, name, extra) => conn.sendRequest(method, { textDocument: { uri: uriOf(name) }, ...extra });

test("diagnostics: every syntax and analysis error with its range and code, re-published after an edit", async () => {
  const bad = "store a as 1\ndisplay b\nstore as\ncheck if a is 1:\n    display a\nend check\n";
  const d1 = await open("bad.wfl", bad);
  const codes = d1.diagnostics.map((d) => d.code).sort();
  assert.ok(codes.includes("E0002"), `a syntax error (E0002) is reported: ${JSON.stringify(d1.diagnostics)}`);
  assert.ok(codes.includes("E0003"), "an analysis error (E0003: 'b' is not defined) is reported");
  const undef = d1.diagnostics.find((d) => d.code === "E0003");
  assert.deepEqual(undef.range, { start: { line: 1, character: 8 }, end: { line: 1, character: 9 } });
  assert.match(undef.message, /'b' is not defined/);
  const syntax = d1.diagnostics.find((d) => d.code === "E0002");
  assert.equal(syntax.range.start.line, 2);
  const fixed = await change("bad.wfl", "store a as 1\ndisplay a\n");
  assert.deepEqual(fixed.diagnostics, []);
  assert.ok(fixed.ms < 1000, `diagnostics re-published (${fixed.ms.toFixed(1)} ms)`);
});

test("diagnostics: the main program has none, and names from the included file resolve", async () => {
  const d = diagnostics.get(uriOf("main.wfl"));
  assert.deepEqual(d.diagnostics, []);
});

test("completion: keywords valid at the cursor, names in scope, actions with their parameters, builtins", async () => {
  const text = MAIN + "\n";
  await change("main.wfl", text);
  const atEnd = { line: text.split("\n").length - 1, character: 0 };
  const items = await req("textDocument/completion", "main.wfl", { position: atEnd });
  const labels = new Set(items.map((i) => i.label));
  for (const k of ["store", "display", "check", "define", "create"]) assert.ok(labels.has(k), `keyword '${k}' at a statement start`);
  for (const n of ["total", "taxed", "alice", "greet", "greeting_prefix", "add_tax"]) assert.ok(labels.has(n), `name '${n}' in scope`);
  assert.ok(labels.has("length") && labels.has("touppercase"), "builtins from the registry");
  const addTax = items.find((i) => i.label === "add_tax");
  assert.equal(addTax.detail, "define action called add_tax with amount and rate");
  assert.equal(addTax.insertText, "add_tax with ${1:amount} and ${2:rate}");
  const len = items.find((i) => i.label === "length");
  assert.equal(len.detail, "length of list|text|binary|file");
  const resolved = await conn.sendRequest("completionItem/resolve", len);
  assert.match(resolved.documentation.value, /How many items/, "a builtin's documentation comes with completionItem/resolve");
  // After `store x`, only `as` (and name words) may follow: no statement keywords.
  const mid = await change("main.wfl", MAIN + "store x ");
  void mid;
  const after = await req("textDocument/completion", "main.wfl", { position: { line: MAIN.split("\n").length - 1, character: 8 } });
  const afterLabels = new Set(after.map((i) => i.label));
  assert.ok(afterLabels.has("as"), "'as' after 'store x'");
  assert.ok(!afterLabels.has("display"), "no statement keyword after 'store x'");
  // Inside an action, its parameters are in scope.
  await change("main.wfl", MAIN);
  const inAction = await req("textDocument/completion", "main.wfl", { position: pos(MAIN, "return amount", 7) });
  assert.ok(inAction.some((i) => i.label === "rate"), "parameters inside the action");
  assert.ok(!(await req("textDocument/completion", "main.wfl", { position: pos(MAIN, "store total", 0) })).some((i) => i.label === "rate"), "parameters not outside it");
});

test("completion: container members after `object.`", async () => {
  const text = MAIN + "alice.\n";
  await change("main.wfl", text);
  const items = await req("textDocument/completion", "main.wfl", { position: { line: MAIN.split("\n").length - 1, character: 6 } });
  const labels = items.map((i) => i.label).sort();
  assert.deepEqual(labels, ["age", "describe_me", "name"]);
  await change("main.wfl", MAIN);
});

test("hover: kind and declaration of a name, documentation of a builtin from the one table", async () => {
  const h = await req("textDocument/hover", "main.wfl", { position: pos(MAIN, "total\nd", 1) });
  assert.match(h.contents.value, /\(variable\) \*\*total\*\*/);
  assert.match(h.contents.value, /store total as 10/);
  assert.match(h.contents.value, /line 3/);
  const b = await req("textDocument/hover", "main.wfl", { position: pos(MAIN, "length of", 2) });
  assert.match(b.contents.value, /length of list\|text\|binary\|file/);
  assert.match(b.contents.value, /How many items a list has/);
  const act = await req("textDocument/hover", "main.wfl", { position: pos(MAIN, "greet of", 1) });
  assert.match(act.contents.value, /\(action\) \*\*greet\*\*/);
  assert.match(act.contents.value, /define action called greet with name/);
  assert.match(act.contents.value, /lib\.wfl, line 2/);
});

test("positions are UTF-16 code units: a name after an emoji on its line", async () => {
  // `display "😀 emoji first" with total`: the emoji is two code units.
  const p = pos(MAIN, "with total", 5);
  assert.equal(p.character, "display \"😀 emoji first\" with ".length);
  const h = await req("textDocument/hover", "main.wfl", { position: p });
  assert.ok(h, "hover answers at the UTF-16 position");
  assert.deepEqual(h.range, { start: p, end: { line: p.line, character: p.character + 5 } });
  const refs = await req("textDocument/references", "main.wfl", { position: p, context: { includeDeclaration: true } });
  assert.ok(refs.some((r) => r.range.start.line === p.line && r.range.start.character === p.character));
});

test("go to definition: in the same file and across `include`", async () => {
  const local = await req("textDocument/definition", "main.wfl", { position: pos(MAIN, "add_tax with total", 2) });
  assert.equal(local[0].uri, uriOf("main.wfl"));
  assert.deepEqual(local[0].range.start, pos(MAIN, "add_tax with amount"));
  const remote = await req("textDocument/definition", "main.wfl", { position: pos(MAIN, "greet of", 1) });
  assert.equal(remote[0].uri, uriOf("lib.wfl"));
  assert.deepEqual(remote[0].range, { start: pos(LIB, "greet"), end: pos(LIB, "greet", 5) });
  const param = await req("textDocument/definition", "main.wfl", { position: pos(MAIN, "amount times", 1) });
  assert.deepEqual(param[0].range.start, pos(MAIN, "amount and rate"));
});

test("find references and rename across two files (include)", async () => {
  const refs = await req("textDocument/references", "main.wfl", { position: pos(MAIN, "greeting_prefix", 2), context: { includeDeclaration: true } });
  const where = refs.map((r) => `${r.uri === uriOf("lib.wfl") ? "lib" : "main"}:${r.range.start.line}`).sort();
  assert.deepEqual(where, ["lib:5", "main:26"]);
  const edit = await req("textDocument/rename", "main.wfl", { position: pos(MAIN, "greet of", 0), newName: "welcome" });
  const files = Object.keys(edit.changes).sort();
  assert.deepEqual(files, [uriOf("lib.wfl"), uriOf("main.wfl")].sort());
  assert.deepEqual(edit.changes[uriOf("lib.wfl")].map((e) => e.range.start), [pos(LIB, "greet")]);
  assert.deepEqual(edit.changes[uriOf("main.wfl")].map((e) => e.range.start), [pos(MAIN, "greet of")]);
  assert.ok(edit.changes[uriOf("main.wfl")].every((e) => e.newText === "welcome"));
  // From the library side (open in the editor too), the same rename reaches the program that includes it.
  await open("lib.wfl", LIB);
  const fromLib = await req("textDocument/rename", "lib.wfl", { position: pos(LIB, "greet", 1), newName: "welcome" });
  assert.deepEqual(Object.keys(fromLib.changes).sort(), files);
  const prepare = await req("textDocument/prepareRename", "main.wfl", { position: pos(MAIN, "total", 1) });
  assert.deepEqual(prepare.start, pos(MAIN, "total"));
  await assert.rejects(req("textDocument/rename", "main.wfl", { position: pos(MAIN, "total", 1), newName: "store" }), /cannot name/);
});

test("document symbols: actions, containers with members, top-level variables", async () => {
  const syms = await req("textDocument/documentSymbol", "main.wfl", {});
  const names = syms.map((s) => `${s.name}:${s.kind}`);
  assert.deepEqual(names, ["total:13", "add_tax:12", "Person:5", "alice:13", "taxed:13"]);
  const person = syms.find((s) => s.name === "Person");
  assert.deepEqual(person.children.map((c) => c.name), ["name", "age", "describe_me"]);
});

test("folding ranges: blocks and comment runs", async () => {
  const ranges = await req("textDocument/foldingRange", "main.wfl", {});
  const lines = MAIN.split("\n");
  const startOf = (t) => lines.findIndex((l) => l.startsWith(t));
  assert.ok(ranges.some((r) => r.startLine === startOf("define action") && r.endLine === startOf("end action")));
  assert.ok(ranges.some((r) => r.startLine === startOf("check if") && r.endLine === startOf("end check")));
  assert.ok(ranges.some((r) => r.startLine === startOf("create container") && r.endLine === lines.indexOf("end", startOf("create container"))));
});

test("semantic tokens: keywords, strings, numbers, comments, actions, parameters, builtins", async () => {
  const text = "// note\nstore n as 1\ndefine action called f with x:\n    return x plus length of \"ab\"\nend action\n";
  await open("sem.wfl", text);
  const legend = ["keyword", "string", "number", "comment", "variable", "parameter", "function", "property", "class", "operator", "interface"];
  const { data } = await req("textDocument/semanticTokens/full", "sem.wfl", {});
  const toks = [];
  let line = 0, ch = 0;
  for (let i = 0; i < data.length; i += 5) {
    line += data[i];
    ch = data[i] === 0 ? ch + data[i + 1] : data[i + 1];
    toks.push({ text: text.split("\n")[line].slice(ch, ch + data[i + 2]), type: legend[data[i + 3]], mods: data[i + 4] });
  }
  const typeOf = (t) => toks.find((x) => x.text === t)?.type;
  assert.equal(typeOf("// note"), "comment");
  assert.equal(typeOf("store"), "keyword");
  assert.equal(typeOf("1"), "number");
  assert.equal(typeOf("\"ab\""), "string");
  assert.equal(typeOf("f"), "function");
  assert.equal(typeOf("x"), "parameter");
  assert.equal(typeOf("plus"), "operator");
  const len = toks.find((x) => x.text === "length");
  assert.equal(len.type, "function");
  assert.equal(len.mods & 4, 4, "builtins carry defaultLibrary");
  assert.equal(toks.find((x) => x.text === "n").mods & 1, 1, "a declaration carries declaration");
});

test("signature help for action calls and builtins", async () => {
  const text = MAIN + "store t2 as add_tax with total and ";
  await change("main.wfl", text);
  const last = { line: text.split("\n").length - 1, character: "store t2 as add_tax with total and ".length };
  const sh = await req("textDocument/signatureHelp", "main.wfl", { position: last });
  assert.equal(sh.signatures[0].label, "define action called add_tax with amount and rate");
  assert.deepEqual(sh.signatures[0].parameters.map((p) => p.label), ["amount", "rate"]);
  assert.equal(sh.activeParameter, 1);
  const text2 = MAIN + "store t3 as substring of \"hello\" and ";
  await change("main.wfl", text2);
  const sh2 = await req("textDocument/signatureHelp", "main.wfl", { position: { line: text2.split("\n").length - 1, character: text2.split("\n").at(-1).length } });
  assert.equal(sh2.signatures[0].label, "substring of text and number and number?");
  assert.equal(sh2.activeParameter, 1);
  await change("main.wfl", MAIN);
});

test("formatting goes through the formatter (whitespace only) and leaves broken programs alone", async () => {
  const messy = "store a as 1\n\n\n\ncheck if a is 1:\ndisplay   a\n  end check\n";
  await open("messy.wfl", messy);
  const edits = await req("textDocument/formatting", "messy.wfl", { options: { tabSize: 4, insertSpaces: true } });
  assert.equal(edits.length, 1);
  assert.equal(edits[0].newText, "store a as 1\n\ncheck if a is 1:\n    display a\nend check\n");
  await open("broken.wfl", "check if:\n");
  assert.deepEqual(await req("textDocument/formatting", "broken.wfl", { options: { tabSize: 4, insertSpaces: true } }), []);
});

test("a 5,000-line file: completion and hover latency, diagnostics after an edit (measured, printed)", async () => {
  const lines = [];
  for (let i = 0; i < 1000; i++) {
    lines.push(`define action called step_${i} with value:`, `    store local_${i} as value plus ${i}`, `    return local_${i}`, "end action", `store result_${i} as step_${i} of ${i}`);
  }
  const big = lines.join("\n") + "\n";
  assert.equal(big.split("\n").length - 1, 5000);
  const t0 = performance.now();
  const first = await open("big.wfl", big);
  const firstMs = performance.now() - t0;
  assert.deepEqual(first.diagnostics, []);
  const time = async (run, n = 20) => {
    const ms = [];
    for (let i = 0; i < n; i++) {
      const s = performance.now();
      await run();
      ms.push(performance.now() - s);
    }
    ms.sort((a, b) => a - b);
    return { median: ms[n >> 1], max: ms[n - 1] };
  };
  const lastLine = { line: 4999, character: 0 };
  const completion = await time(() => req("textDocument/completion", "big.wfl", { position: lastLine }));
  const hover = await time(() => req("textDocument/hover", "big.wfl", { position: { line: 4997, character: 10 } }));
  const edit = [];
  for (let i = 0; i < 5; i++) {
    const r = await change("big.wfl", big + `display result_${i}\n`);
    assert.deepEqual(r.diagnostics, []);
    edit.push(r.ms);
  }
  const middle = [];
  await change("big.wfl", big);
  const target = pos(big, "store result_500 as step_500 of 500", "store result_500 as step_500 of ".length);
  for (let i = 0; i < 5; i++) {
    // An edit in the middle of the file, sent as an editor sends it (a range and its new text):
    // the statements after it move.
    const uri = uriOf("big.wfl");
    const v = versions.get(uri) + 1;
    versions.set(uri, v);
    const p = waitForDiagnostics(uri, v);
    const t0 = performance.now();
    const range = { start: target, end: { line: target.line, character: target.character + 3 } };
    conn.sendNotification("textDocument/didChange", { textDocument: { uri, version: v }, contentChanges: [{ range, text: String(600 + i) }] });
    const d = await p;
    assert.deepEqual(d.diagnostics, []);
    middle.push(performance.now() - t0);
  }
  const hoverAfter = await req("textDocument/hover", "big.wfl", { position: { line: target.line, character: 7 } });
  assert.match(hoverAfter.contents.value, /store result_500 as step_500 of 604/, "the edits reached the server's text");
  middle.sort((a, b) => a - b);
  const broken = await change("big.wfl", big + "display nope\n");
  assert.equal(broken.diagnostics.length, 1);
  edit.push(broken.ms);
  edit.sort((a, b) => a - b);
  const report = `lsp timing on a 5,000-line file: open+first diagnostics ${firstMs.toFixed(0)} ms; ` +
    `completion median ${completion.median.toFixed(1)} ms (max ${completion.max.toFixed(1)}); ` +
    `hover median ${hover.median.toFixed(1)} ms (max ${hover.max.toFixed(1)}); ` +
    `edit → diagnostics re-published median ${edit[edit.length >> 1].toFixed(0)} ms (max ${edit.at(-1).toFixed(0)}, debounce included); ` +
    `an edit in the middle: median ${middle[middle.length >> 1].toFixed(0)} ms (max ${middle.at(-1).toFixed(0)})`;
  console.log(report);
  writeFileSync(join(dir, "timing.txt"), report);
  assert.ok(readFileSync(join(dir, "timing.txt"), "utf8").includes("completion"));
});

test("a partial re-parse (only the statements an edit touched) gives exactly the tree of a full parse", async () => {
  const { Workspace, parse } = await import("../dist/internal.js");
  const { TextDocument } = await import("vscode-languageserver-textdocument");
  const { readdirSync } = await import("node:fs");
  const corpus = join(root, "../shared/wfl-upstream/TestPrograms");
  const files = (() => { try { return readdirSync(corpus).filter((f) => f.endsWith(".wfl")); } catch { return []; } })();
  const sources = files.map((f) => readFileSync(join(corpus, f), "utf8"));
  sources.push(Array.from({ length: 40 }, (_, i) => `store v_${i} as ${i}\ncheck if v_${i} is 1:\n    display v_${i}\nend check`).join("\n") + "\n");
  let seed = 7;
  const rand = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  let partial = 0, checked = 0;
  for (const [n, src] of sources.entries()) {
    if (!parse(src, "x.wfl").program) continue;
    const ws = new Workspace();
    const uri = pathToFileURL(join(dir, `incr-${n}.wfl`)).href;
    let doc = TextDocument.create(uri, "wfl", 1, src);
    ws.openDocument(doc);
    ws.analyse(uri);
    for (let k = 0; k < 12; k++) {
      const lines = doc.getText().split("\n");
      const li = rand(lines.length);
      const op = rand(5);
      if (op === 0) lines.splice(li, 1);
      else if (op === 1) lines.splice(li, 0, lines[rand(lines.length)]);
      else if (op === 2) lines[li] += " x";
      else if (op === 3) lines.splice(li, 0, "display 1");
      else lines[li] = lines[li].slice(0, rand(lines[li].length + 1));
      doc = TextDocument.create(uri, "wfl", doc.version + 1, lines.join("\n"));
      ws.openDocument(doc);
      const a = ws.analyse(uri);
      const full = parse(a.text, a.file);
      checked++;
      if (a.parseMode === "partial") partial++;
      assert.equal(!!a.parsed.program, !!full.program, `same verdict (${n}, edit ${k})`);
      if (full.program) assert.deepEqual(a.parsed.program.body, full.program.body, `same tree (${n}, edit ${k})`);
      else if (!a.approximate) assert.deepEqual(a.parsed.diagnostics, full.diagnostics);
    }
  }
  assert.ok(partial > 50, `${partial} of ${checked} edits were re-parsed in part`);
});

test("every request on every corpus program, whole and cut in half, at many positions: answers without an internal error", { timeout: 120_000 }, async () => {
  const { readdirSync } = await import("node:fs");
  const corpus = join(root, "../shared/wfl-upstream/TestPrograms");
  let files = [];
  try { files = readdirSync(corpus).filter((f) => f.endsWith(".wfl")).slice(0, 40); } catch {}
  let requests = 0;
  for (const [n, f] of files.entries()) {
    const whole = readFileSync(join(corpus, f), "utf8");
    for (const [k, text] of [whole, whole.slice(0, whole.length >> 1)].entries()) {
      const name = `fuzz-${n}-${k}.wfl`;
      await open(name, text);
      const lines = text.split("\n");
      const calls = [
        req("textDocument/documentSymbol", name, {}), req("textDocument/foldingRange", name, {}),
        req("textDocument/semanticTokens/full", name, {}), req("textDocument/formatting", name, { options: { tabSize: 4, insertSpaces: true } }),
      ];
      for (let i = 0; i < 6; i++) {
        const line = Math.floor((lines.length * i) / 6);
        const position = { line, character: Math.min(lines[line]?.length ?? 0, 3 + i * 7) };
        for (const m of ["textDocument/hover", "textDocument/definition", "textDocument/completion", "textDocument/signatureHelp", "textDocument/prepareRename"]) calls.push(req(m, name, { position }));
        calls.push(req("textDocument/references", name, { position, context: { includeDeclaration: true } }));
      }
      requests += calls.length;
      await Promise.all(calls);
      conn.sendNotification("textDocument/didClose", { textDocument: { uri: uriOf(name) } });
    }
  }
  assert.ok(files.length === 0 || requests > 1000, `${requests} requests`);
  assert.deepEqual(serverErrors, []);
});
