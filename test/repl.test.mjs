// The REPL driven through a real pseudo-terminal (tmux): multi-line blocks, state across
// entries, an expression's value, errors that do not end the session, Tab completion, history
// recall across two sessions (HOME is a temporary directory), Ctrl-C inside `repeat forever`
// and during a pause, `.save`, `.load`, `.clear` and `.exit`. Piped standard input runs as a
// program without prompts.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";

const root = path.resolve(import.meta.dirname, "..");
const wfl = path.join(root, "bin", "wfl");
const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
const skip = hasTmux ? false : "tmux is not installed: the REPL tests need a real pseudo-terminal (apt-get install tmux)";
const home = mkdtempSync(path.join(os.tmpdir(), "wfl-repl-home-"));
const socket = `wfl-repl-test-${process.pid}`;

function tmux(...args) {
  const r = spawnSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
  return r.stdout;
}
after(() => {
  if (hasTmux) tmux("kill-server");
  rmSync(home, { recursive: true, force: true });
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Terminal {
  constructor(name) {
    this.name = name;
    tmux("new-session", "-d", "-s", name, "-x", "150", "-y", "200", "-c", home);
    tmux("set-option", "-t", name, "remain-on-exit", "on");
    // The exit status is printed by the shell after the REPL ends (tmux 3.3's #{pane_dead_status}
    // is empty for a pane whose process exited normally).
    tmux("respawn-pane", "-k", "-t", name, `env HOME=${home} NO_COLOR=1 ${wfl}; echo "[exit $?]"`);
  }
  screen() {
    return tmux("capture-pane", "-p", "-S", "-", "-t", this.name);
  }
  /** Wait until the screen matches (a count of occurrences of `what`, or a predicate). */
  async waitFor(what, count = 1, ms = 10_000) {
    const t0 = Date.now();
    for (;;) {
      const s = this.screen();
      const n = typeof what === "string" ? s.split(what).length - 1 : (s.match(new RegExp(what.source, "g")) ?? []).length;
      if (n >= count) return s;
      if (Date.now() - t0 > ms) assert.fail(`timed out waiting for ${what} (×${count}); the screen:\n${s}`);
      await sleep(50);
    }
  }
  prompts() {
    return this.screen().split("wfl>").length - 1;
  }
  /** Type one line and wait for the next prompt (`wfl> `, or `...  ` in a block). */
  async line(text, { prompt = "wfl>" } = {}) {
    const before = this.screen().split(prompt).length - 1;
    this.keys(text, "Enter");
    return this.waitFor(prompt, before + 1);
  }
  keys(...keys) {
    tmux("send-keys", "-t", this.name, ...keys);
  }
  literal(text) {
    tmux("send-keys", "-l", "-t", this.name, text);
  }
  dead() {
    return tmux("display-message", "-p", "-t", this.name, "#{pane_dead}").trim() === "1";
  }
}

test("the REPL keeps state across entries, continues blocks until their end, shows values and survives errors", { skip }, async () => {
  const t = new Terminal("a");
  await t.waitFor("wfl>");
  await t.line("store price as 5");
  let s = await t.line("price times 3");
  assert.match(s, /price times 3\n15\n/);
  // A block continues with the continuation prompt until `end check`, decided by the parser.
  await t.line("check if price is greater than 3:", { prompt: "..." });
  await t.line('    display "expensive"', { prompt: "..." });
  s = await t.line("end check");
  assert.match(s, /end check\nexpensive\n/);
  // An action defined in one entry is called (with its parameters) from later ones.
  await t.line("define action called double with parameters n:", { prompt: "..." });
  await t.line("    return n times 2", { prompt: "..." });
  await t.line("end action");
  s = await t.line("double of price");
  assert.match(s, /double of price\n10\n/);
  // A variable an action changes is the session's variable.
  await t.line("store calls as 0");
  await t.line("define action called bump:", { prompt: "..." });
  await t.line("    change calls to calls plus 1", { prompt: "..." });
  await t.line("end action");
  await t.line("bump");
  await t.line("bump");
  s = await t.line("calls");
  assert.match(s, /> calls\n2\n/);
  // An error shows the usual diagnostic and the session goes on.
  s = await t.line("display missing_name plus 1");
  assert.match(s, /error\[ANALYZE-SEMANTIC\]: Variable 'missing_name' is not defined/);
  s = await t.line("display price");
  assert.match(s, /display price\n5\n/);
  s = await t.line("display 1 divided by 0");
  assert.match(s, /error\[RUNTIME\]/);
  s = await t.line("price plus 1");
  assert.match(s, /price plus 1\n6\n/);
  // Tab completes names in scope, builtins and keywords.
  t.literal("dou");
  t.keys("Tab");
  await t.waitFor("wfl> double");
  t.literal(" of 21");
  s = await t.line("");
  assert.match(s, /double of 21\n42\n/);
  t.literal("touppe");
  t.keys("Tab");
  await t.waitFor("wfl> touppercase");
  t.literal(' of "abc"');
  s = await t.line("");
  assert.match(s, /\nABC\n/);
  // .save writes every entry that compiled; .clear forgets; .load runs a file in the session.
  const saved = path.join(home, "saved.wfl");
  s = await t.line(`.save ${saved}`);
  assert.match(s, /Saved to/);
  const text = readFileSync(saved, "utf8");
  assert.match(text, /define action called double with parameters n:\n {4}return n times 2\nend action/);
  assert.doesNotMatch(text, /missing_name/);
  await t.line(".clear");
  s = await t.line("display price");
  assert.match(s, /Variable 'price' is not defined/);
  await t.line(`.load ${saved}`);
  s = await t.line("double of calls");
  assert.match(s, /double of calls\n4\n/);
  s = await t.line(".help");
  assert.match(s, /\.load FILE/);
  t.keys(".exit", "Enter");
  for (let i = 0; i < 100 && !t.dead(); i++) await sleep(50);
  assert.ok(t.dead(), ".exit ends the REPL");
  assert.match(t.screen(), /\[exit 0\]/, `exit status 0; the screen:\n${t.screen()}`);
});

test("Ctrl-C stops a running `repeat forever` and a pause, and cancels a half-typed block, without leaving", { skip }, async () => {
  const t = new Terminal("b");
  await t.waitFor("wfl>");
  await t.line("store n as 0");
  await t.line("repeat forever:", { prompt: "..." });
  await t.line("    change n to n plus 1", { prompt: "..." });
  const before = t.prompts();
  t.keys("end repeat", "Enter");
  await sleep(600);
  assert.equal(t.prompts(), before, "the loop is still running");
  t.keys("C-c");
  let s = await t.waitFor("wfl>", before + 1);
  assert.match(s, /Interrupted/);
  s = await t.line("n is greater than 1000");
  assert.match(s, /n is greater than 1000\nyes\n/, "the loop ran, and its changes are kept");
  const p = t.prompts();
  t.keys("wait for 30 seconds", "Enter");
  await sleep(400);
  t.keys("C-c");
  await t.waitFor("wfl>", p + 1, 5000);
  await t.line("check if yes:", { prompt: "..." });
  t.keys("C-c");
  s = await t.waitFor("wfl>", p + 2);
  s = await t.line("display n is greater than 0");
  assert.match(s, /\nyes\n/);
  assert.ok(!t.dead());
  t.keys("C-d");
  for (let i = 0; i < 100 && !t.dead(); i++) await sleep(50);
  assert.ok(t.dead(), "Ctrl-D on an empty line leaves");
});

test("history is kept in ~/.wfl_history and recalled with the up arrow in the next session", { skip }, async () => {
  const first = new Terminal("c1");
  await first.waitFor("wfl>");
  await first.line('store greeting as "hello from the first session"');
  await first.line("length of greeting");
  first.keys(".exit", "Enter");
  for (let i = 0; i < 100 && !first.dead(); i++) await sleep(50);
  const history = readFileSync(path.join(home, ".wfl_history"), "utf8");
  assert.match(history, /store greeting as "hello from the first session"\nlength of greeting\n/);

  const second = new Terminal("c2");
  await second.waitFor("wfl>");
  second.keys("Up");
  await second.waitFor("wfl> .exit");
  second.keys("Up");
  await second.waitFor("wfl> length of greeting");
  second.keys("Up");
  await second.waitFor('wfl> store greeting as "hello from the first session"');
  const s = await second.line("");
  await second.line("greeting");
  assert.match(second.screen(), /> greeting\nhello from the first session\n/);
  assert.ok(s);
  second.keys(".exit", "Enter");
});

test("piped standard input runs as a program, without prompts", () => {
  const r = spawnSync(wfl, [], { input: 'store x as 20\ndisplay x plus 1\ndisplay "done"\n', encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "21\ndone\n");
  const bad = spawnSync(wfl, [], { input: "display nope\n", encoding: "utf8" });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /<stdin>:1:9/);
  assert.doesNotMatch(bad.stdout, /wfl>/);
});

test("a loaded file that does not exist is an error and the session goes on", { skip }, async () => {
  const t = new Terminal("d");
  await t.waitFor("wfl>");
  const s = await t.line(`.load ${path.join(home, "nope.wfl")}`);
  assert.match(s, /error: Cannot find the file/);
  writeFileSync(path.join(home, "defs.wfl"), "define action called triple with parameters n:\n    return n times 3\nend action\n");
  await t.line(`.load ${path.join(home, "defs.wfl")}`);
  assert.match(await t.line("triple of 3"), /triple of 3\n9\n/);
  // An included file's actions stay defined in later entries; its statements ran once.
  writeFileSync(path.join(home, "lib.wfl"), 'display "lib loaded"\ndefine action called halve with parameters n:\n    return n divided by 2\nend action\n');
  assert.match(await t.line('include from "lib.wfl"'), /include from "lib.wfl"\nlib loaded\n/);
  const s2 = await t.line("halve of 10");
  assert.match(s2, /halve of 10\n5\n/);
  assert.equal(s2.split("lib loaded").length - 1, 1);
  t.keys(".exit", "Enter");
});

test("the session engine: completeness comes from the parser, definitions are replaced, values persist, an interrupt stops a loop", async () => {
  const { Session, isIncomplete } = await import("../dist/internal.js");
  assert.equal(isIncomplete("check if 1 is 1:"), true);
  assert.equal(isIncomplete("check if 1 is 1:\n    display 1"), true);
  assert.equal(isIncomplete("display (1 plus"), true);
  assert.equal(isIncomplete("check if 1 is 1:\n    display 1\nend check"), false);
  assert.equal(isIncomplete('display "never closed'), false, "an unclosed text is an error, not more input");
  assert.equal(isIncomplete("display 1 plus"), false, "an incomplete line is an error, not more input");
  assert.equal(isIncomplete("        display 1"), false, "indentation decides nothing");
  let out = "", err = "";
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const s = new Session({ write: (t) => { out += t; }, writeError: (t) => { err += t; }, interrupt: flag, directory: home });
  try {
    assert.deepEqual(await s.evaluate("store x as 2"), { kind: "done", ok: true });
    assert.deepEqual(await s.evaluate("define action called f with parameters n:\n    return n plus x\nend action"), { kind: "done", ok: true });
    assert.deepEqual(await s.evaluate("f of 1"), { kind: "done", ok: true, value: "3" });
    assert.deepEqual(await s.evaluate("define action called f with parameters n:\n    return n times x\nend action"), { kind: "done", ok: true });
    assert.deepEqual(await s.evaluate("f of 5"), { kind: "done", ok: true, value: "10" }, "the later definition replaces the earlier");
    assert.equal((await s.evaluate("store x as 3")).ok, false);
    assert.match(err, /Variable 'x' is already defined/);
    await s.evaluate("change x to 4");
    assert.deepEqual(await s.evaluate("f of 5"), { kind: "done", ok: true, value: "20" }, "actions see the session's current values");
    assert.deepEqual(s.names().filter((n) => ["f", "x"].includes(n)), ["f", "x"]);
    // An interrupt (another thread's Ctrl-C) stops a running loop; its changes stay.
    await s.evaluate("store n as 0");
    setTimeout(() => Atomics.store(flag, 0, 1), 200);
    err = "";
    const r = await Promise.race([
      s.evaluate("repeat forever:\n    change n to n plus 1\n    wait for 0 seconds\nend repeat"),
      new Promise((resolve) => setTimeout(() => resolve("not interrupted"), 8000)),
    ]);
    assert.deepEqual(r, { kind: "done", ok: false });
    assert.equal(err, "Interrupted\n");
    assert.deepEqual(await s.evaluate("n is greater than 0"), { kind: "done", ok: true, value: "yes" });
    assert.match(s.source, /^store x as 2\ndefine action called f/);
    // An included file's definitions stay; a later entry's definition replaces an included one.
    writeFileSync(path.join(home, "inc.wfl"), 'display "inc ran"\ndefine action called g with parameters n:\n    return n plus 100\nend action\n');
    out = "";
    assert.deepEqual(await s.evaluate('include from "inc.wfl"'), { kind: "done", ok: true });
    assert.deepEqual(await s.evaluate("g of 1"), { kind: "done", ok: true, value: "101" });
    assert.deepEqual(await s.evaluate("define action called g with parameters n:\n    return n plus 200\nend action"), { kind: "done", ok: true });
    assert.deepEqual(await s.evaluate("g of 1"), { kind: "done", ok: true, value: "201" });
    assert.deepEqual(await s.evaluate('include from "inc.wfl"'), { kind: "done", ok: true });
    assert.deepEqual(await s.evaluate("g of 1"), { kind: "done", ok: true, value: "101" });
    assert.equal(out, "inc ran\ninc ran\n");
    out = "";
    s.reset();
    assert.equal((await s.evaluate("display x")).ok, false);
    assert.equal(out, "");
  } finally {
    s.close();
  }
});
