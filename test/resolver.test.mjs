// The resolver (src/analysis/): symbols, references, includes, may-wait and `NAME with …` calls,
// used directly (dist/internal.js) and through bin/wfl.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, resolveProgram, RUNTIME_GLOBALS } from "../dist/internal.js";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Writes the files into a fresh folder and runs the first one. */
function run(files) {
  const dir = mkdtempSync(join(tmpdir(), "wfl-resolve-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const r = spawnSync(join(root, "bin/wfl"), [join(dir, Object.keys(files)[0])], { cwd: dir, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Resolves `files[main]` with an in-memory include loader that counts its loads. */
function resolve(files, main = Object.keys(files)[0]) {
  const loads = [];
  const parsed = parse(files[main], main);
  assert.ok(parsed.program, JSON.stringify(parsed.diagnostics));
  const loadInclude = (path, fromFile) => {
    loads.push({ path, fromFile });
    const text = files[path];
    if (text === undefined) return null;
    return parse(text, path).program;
  };
  const resolution = resolveProgram(parsed.program, { loadInclude });
  return { resolution, loads, source: files[main] };
}

const at = (source, text, nth = 0) => {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = source.indexOf(text, i + 1);
  assert.ok(i >= 0, `'${text}' is in the source`);
  return i;
};

const LIB = `define action called slow_hello:
    wait for 10 milliseconds
    display "hi"
end action

define action called area with w and h:
    return w times h
end action
`;

test("may-wait ignores included files", () => {
  const r = run({
    "main.wfl": 'include from "lib.wfl"\ndefine action called caller:\n    slow_hello\nend action\ncaller\n',
    "lib.wfl": LIB,
  });
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "hi\n");
  assert.equal(r.code, 0);
});

test("may-wait ignores included files: an action that loads a module whose code waits", () => {
  const r = run({
    "main.wfl": 'define action called runner:\n    load module from "mod.wfl"\nend action\nrunner\ndisplay "done"\n',
    "mod.wfl": 'define action called pause_then_say:\n    wait for 5 milliseconds\n    display "from module"\nend action\ndefine action called relay:\n    pause_then_say\nend action\nrelay\n',
  });
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "from module\ndone\n");
});

test("a line's parse depends on a pre-scan of its own file", () => {
  const local = run({
    "main.wfl": "define action called area with w and h:\n    return w times h\nend action\ndisplay area with 10 and 20\n",
  });
  assert.equal(local.stderr, "");
  assert.equal(local.stdout, "200\n");
  const included = run({ "main.wfl": 'include from "lib.wfl"\ndisplay area with 10 and 20\n', "lib.wfl": LIB });
  assert.equal(included.stderr, "");
  assert.equal(included.stdout, "200\n");
  // Inside a loop (compiled to JavaScript by the fast loops) the decision holds too.
  const loop = run({
    "main.wfl": 'include from "lib.wfl"\ncount from 1 to 3:\n    display area with count and 2\nend count\n',
    "lib.wfl": LIB,
  });
  assert.equal(loop.stderr, "");
  assert.equal(loop.stdout, "2\n4\n6\n");
});

test("`with` after a name that is not an action still joins text", () => {
  const r = run({ "main.wfl": 'store area as "room "\ndisplay area with 10 and 20\nstore greeting as "hi"\ndisplay greeting with " there"\n' });
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "room yes\nhi there\n");
});

test("the parser no longer pre-scans for action names: `NAME with a and b` is a Concat", () => {
  const p = parse("define action called area with w and h:\n    return w times h\nend action\ndisplay area with 10 and 20\n", "m.wfl");
  const shown = p.program.body[1].values[0];
  assert.equal(shown.kind, "Concat");
  assert.equal(shown.left.kind, "Var");
  assert.equal(shown.right.kind, "Logical");
  const { resolution } = resolve({ "m.wfl": "define action called area with w and h:\n    return w times h\nend action\ndisplay area with 10 and 20\n" });
  const decided = [...resolution.calls.values()];
  assert.equal(decided.length, 1);
  assert.equal(decided[0].callee, "area");
  assert.deepEqual(decided[0].args.map((a) => a.value), [10, 20]);
});

test("symbols carry their kind and declaration span", () => {
  const src = [
    "store total as 0",
    "store new constant limit as 10",
    "define action called sum_of with a and b:",
    "    return a plus b",
    "end action",
    "count from 1 to 3:",
    "    change total to sum_of with total and count",
    "end count",
    "for each item in [1, 2]:",
    "    display item",
    "end for",
    "create container Box:",
    "    property size",
    "end",
    "create pattern digits:",
    "    one or more digit",
    "end pattern",
    "",
  ].join("\n");
  const { resolution } = resolve({ "m.wfl": src });
  const find = (name, kind) => resolution.symbols.find((s) => s.name === name && s.kind === kind);
  const total = find("total", "variable");
  assert.ok(total);
  assert.equal(total.span.start, at(src, "total"));
  assert.equal(total.file, "m.wfl");
  assert.ok(find("limit", "constant"));
  const add = find("sum_of", "action");
  assert.equal(add.span.start, at(src, "sum_of with a"));
  assert.equal(find("a", "parameter").scope.kind, "action");
  assert.equal(find("b", "parameter").scope.parent, resolution.scopes[0]);
  assert.equal(find("count", "loop variable").scope.kind, "loop");
  assert.equal(find("item", "loop variable").scope.kind, "loop");
  assert.ok(find("Box", "container"));
  assert.ok(find("size", "property"));
  assert.ok(find("digits", "pattern"));
  assert.equal(resolution.scopes[0].kind, "program");
  assert.deepEqual(resolution.diagnostics, []);
  assert.equal(resolution.incomplete, false);
});

test("references point at their symbols; builtins and undefined names have none", () => {
  const src = "store total as 1\ndisplay total plus 1\ndisplay length of [1, 2]\ndisplay nope\n";
  const { resolution } = resolve({ "m.wfl": src });
  const total = resolution.symbols.find((s) => s.name === "total");
  const reads = resolution.references.filter((r) => r.name === "total");
  assert.equal(reads.length, 1);
  assert.equal(reads[0].symbol, total);
  assert.equal(reads[0].span.start, at(src, "total", 1));
  const length = resolution.references.find((r) => r.name === "length");
  assert.equal(length.builtin, true);
  assert.equal(length.symbol, null);
  assert.equal(length.use, "call");
  const nope = resolution.references.find((r) => r.name === "nope");
  assert.equal(nope.symbol, null);
  assert.equal(nope.builtin, false);
});

test("implicit bindings: runtime globals, error_message in handlers, request fields after wait for request", () => {
  const src = [
    "display program_name",
    "try:",
    "    display 1 divided by 0",
    "catch:",
    "    display error_message",
    "end try",
    "listen on port 8080 as server",
    "wait for request comes in on server as req",
    "display path",
    "display method",
    "",
  ].join("\n");
  const { resolution } = resolve({ "m.wfl": src });
  assert.deepEqual(resolution.diagnostics, []);
  const ref = (name) => resolution.references.find((r) => r.name === name);
  for (const g of RUNTIME_GLOBALS) assert.ok(resolution.symbols.some((s) => s.name === g && s.kind === "implicit" && s.span === null), g);
  assert.equal(ref("program_name").symbol.kind, "implicit");
  assert.equal(ref("error_message").symbol.kind, "implicit");
  assert.equal(ref("error_message").symbol.scope.kind, "handler");
  assert.equal(ref("path").symbol.kind, "implicit");
  assert.equal(ref("method").symbol.kind, "implicit");
  assert.equal(resolution.symbols.find((s) => s.name === "req").kind, "variable");
  // Outside the handler, error_message is not defined.
  const outside = resolve({ "m.wfl": "try:\n    display 1\ncatch:\n    display 2\nend try\ndisplay error_message\n" }).resolution;
  assert.deepEqual(outside.diagnostics.map((d) => d.message), ["Variable 'error_message' is not defined"]);
});

test("included programs are loaded once, by the resolver, and their actions resolve", () => {
  const files = {
    "main.wfl": 'include from "lib.wfl"\ndefine action called caller:\n    slow_hello\nend action\ncaller\ndisplay area with 2 and 3\n',
    "lib.wfl": LIB,
  };
  const { resolution, loads } = resolve(files);
  assert.deepEqual(loads, [{ path: "lib.wfl", fromFile: "main.wfl" }]);
  assert.equal(resolution.includes.size, 1);
  const [[stmt, program]] = [...resolution.includes];
  assert.equal(stmt.kind, "Include");
  assert.equal(program.file, "lib.wfl");
  const slow = resolution.symbols.find((s) => s.name === "slow_hello");
  assert.equal(slow.file, "lib.wfl");
  assert.equal(resolution.references.find((r) => r.name === "slow_hello").symbol, slow);
  // may-wait crosses the include: the local caller can wait because the included action waits.
  assert.ok(resolution.mayWait.has("slow_hello"));
  assert.ok(resolution.mayWait.has("caller"));
  assert.ok(!resolution.mayWait.has("area"));
  assert.deepEqual(resolution.diagnostics, []);
});

test("the compiler does not load includes again (one parse per include)", () => {
  // An included file that prints when it runs shows it runs (and is compiled) once.
  const r = run({ "main.wfl": 'include from "lib.wfl"\ninclude from "lib2.wfl"\n', "lib.wfl": 'display "lib"\n', "lib2.wfl": 'display "lib2"\n' });
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "lib\nlib2\n");
});

test("diagnostics: undefined names, store of an existing name, change of a constant, undefined actions", () => {
  const src = [
    "display absent",
    "store x as 1",
    "store x as 2",
    "store new constant k as 3",
    "change k to 4",
    "nowhere",
    "display nothing_here of 1 and 2",
    "try:",
    "    display also_absent",
    "catch:",
    "    display 0",
    "end try",
    "",
  ].join("\n");
  const { resolution } = resolve({ "m.wfl": src });
  const got = resolution.diagnostics.map((d) => [d.message, d.span.start]);
  assert.deepEqual(got, [
    ["Variable 'absent' is not defined", at(src, "absent")],
    ["Variable 'x' is already defined. Use 'change x to …' to give it a new value", at(src, "x", 1)],
    ["Cannot modify constant 'k'", at(src, "change k")],
    ["Action 'nowhere' is not defined", at(src, "nowhere")],
    ["Action 'nothing_here' is not defined", at(src, "nothing_here")],
  ]);
  for (const d of resolution.diagnostics) assert.equal(d.file, "m.wfl");
});

test("the compiler leaves the resolver's diagnostics to it: each is reported once", () => {
  const src = "display absent\nstore x as 1\nstore x as 2\nstore new constant k as 3\nchange k to 4\nnowhere\nchange y to 1\n";
  const r = run({ "main.wfl": src });
  assert.equal(r.code, 1);
  const reported = r.stderr.split("\n").filter((l) => l.startsWith("error[")).map((l) => l.replace(/^error\[[A-Z-]+\]: /, ""));
  assert.deepEqual(reported, [
    "Variable 'absent' is not defined",
    "Variable 'x' is already defined. Use 'change x to …' to give it a new value",
    "Cannot modify constant 'k'",
    "Action 'nowhere' is not defined",
    "Variable 'y' is not defined. Use 'store y as …' to create it first",
  ]);
});

test("the resolver never throws on a partial or odd program", () => {
  const odd = [
    { body: [], source: "", file: "empty.wfl" },
    { body: [{ kind: "Store", name: "x", nameSpan: { start: 0, end: 1 }, value: null, constant: false, span: { start: 0, end: 1 } }], source: "", file: "a.wfl" },
    { body: [{ kind: "ActionDef", name: "f", nameSpan: { start: 0, end: 1 }, params: null, body: null, span: { start: 0, end: 1 } }, null], source: "", file: "b.wfl" },
    { body: [{ kind: "Mystery" }, { kind: "ExprStmt", expr: { kind: "Concat", left: { kind: "Var", name: "f", span: { start: 0, end: 1 } }, right: null, span: { start: 0, end: 1 } } }], source: "", file: "c.wfl" },
    { body: null, source: "", file: "d.wfl" },
  ];
  for (const p of odd) assert.doesNotThrow(() => resolveProgram(p, {}), p.file);
  assert.equal(resolveProgram(odd[0], {}).incomplete, false);
  assert.doesNotThrow(() => resolveProgram(null));
  assert.doesNotThrow(() => resolveProgram({ body: [{ kind: "Include", path: "x.wfl", isolated: false, span: { start: 0, end: 1 } }], source: "", file: "i.wfl" }, undefined));
  // A loader that throws, and a absent include, are not the resolver's crash either.
  const p = parse('include from "x.wfl"\ninclude from "y.wfl"\ndisplay 1\n', "m.wfl").program;
  const r = resolveProgram(p, { loadInclude: (path) => { if (path === "x.wfl") throw new Error("boom"); return null; } });
  assert.equal(r.includes.size, 0);
  // Deep nesting stops gracefully.
  let deep = "1";
  for (let i = 0; i < 20000; i++) deep = { kind: "Not", operand: deep === "1" ? { kind: "Number", value: 1, span: { start: 0, end: 1 } } : deep, span: { start: 0, end: 1 } };
  assert.equal(resolveProgram({ body: [{ kind: "Display", values: [deep], span: { start: 0, end: 1 } }], source: "", file: "deep.wfl" }, {}).incomplete, true);
});

test("a circular include is reported by the resolver", () => {
  const files = { "a.wfl": 'include from "b.wfl"\n', "b.wfl": 'include from "a.wfl"\n' };
  const { resolution } = resolve(files);
  assert.deepEqual(resolution.diagnostics.map((d) => [d.message, d.file]), [["Circular include: 'a.wfl' is already being included", "b.wfl"]]);
});
