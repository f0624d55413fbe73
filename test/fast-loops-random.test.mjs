// Random loop programs (from a fixed seed) must print the same output, diagnostics and exit code
// with fast loops as with closures only (WFL_FAST_LOOPS=0). The programs mix native and
// closure-compiled statements, nested loops, signals, errors caught and uncaught, and an action
// that changes the loop's variables behind its back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runWith } from "./support/fast-loops.mjs";

function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generator(rand) {
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const chance = (p) => rand() < p;
  let fresh = 0;
  const num = () => pick(["0", "1", "2", "3", "7", "10", "0.5", "-1"]);

  function expr(vars, depth) {
    if (depth > 2 || chance(0.3)) return chance(0.5) ? pick(vars.numbers) : num();
    switch (Math.floor(rand() * 9)) {
      case 0: return `(${expr(vars, depth + 1)} ${pick(["plus", "minus", "times", "divided by", "modulo"])} ${expr(vars, depth + 1)})`;
      case 1: return `(${expr(vars, depth + 1)} ${pick(["is greater than", "is less than", "is equal to", "is not equal to", "is less than or equal to"])} ${expr(vars, depth + 1)})`;
      case 2: return `xs[${chance(0.8) ? pick(["0", "1", "2"]) : expr(vars, depth + 1)}]`;
      case 3: return `(length of xs)`;
      case 4: return `(${pick(vars.texts)} with ${expr(vars, depth + 1)})`;
      case 5: return `(not ${expr(vars, depth + 1)})`;
      case 6: return `(${expr(vars, depth + 1)} and ${expr(vars, depth + 1)})`;
      case 7: return `m["${chance(0.9) ? pick(["k", "j"]) : "zz"}"]`;
      default: return pick(vars.numbers);
    }
  }

  function block(vars, indent, inLoop, depth) {
    const out = [];
    const n = 1 + Math.floor(rand() * 4);
    const local = { numbers: [...vars.numbers], texts: [...vars.texts] };
    for (let i = 0; i < n; i++) out.push(...stmt(local, indent, inLoop, depth));
    return out;
  }

  function stmt(vars, indent, inLoop, depth) {
    const p = " ".repeat(indent);
    const r = Math.floor(rand() * 18);
    if (r <= 1) {
      const name = `t${fresh++}`;
      const line = `${p}store ${name} as ${expr(vars, 0)}`;
      vars.numbers.push(name);
      return [line];
    }
    if (r === 2) return [`${p}change ${pick(["a", "b", "c"])} to ${expr(vars, 0)}`];
    if (r === 3) return [`${p}add ${expr(vars, 1)} to ${pick(["a", "b", "c"])}`];
    if (r === 4) return [`${p}subtract ${expr(vars, 1)} from ${pick(["a", "b"])}`];
    if (r === 5) return [`${p}push with xs and ${expr(vars, 1)}`];
    if (r === 6) return [`${p}change xs[${chance(0.8) ? pick(["0", "1", "2"]) : expr(vars, 1)}] to ${expr(vars, 1)}`];
    if (r === 7) return [`${p}display ${expr(vars, 0)}`];
    if (r === 8) return [`${p}bump`];
    if (r === 9 && depth < 3) {
      const lines = [`${p}check if ${expr(vars, 0)}:`, ...block(vars, indent + 4, inLoop, depth + 1)];
      if (chance(0.5)) lines.push(`${p}otherwise:`, ...block(vars, indent + 4, inLoop, depth + 1));
      lines.push(`${p}end check`);
      return lines;
    }
    if (r === 10 && depth < 3) {
      const lines = [`${p}try:`, ...block(vars, indent + 4, inLoop, depth + 1), `${p}catch:`, `${p}    display "caught " with error_message`, `${p}end try`];
      return lines;
    }
    if (r >= 11 && r <= 14 && depth < 3) return loop(vars, indent, depth);
    if (inLoop && r === 15) return [`${p}check if ${expr(vars, 1)}:`, `${p}    ${pick(["break", "continue", "exit loop"])}`, `${p}end check`];
    if (r === 16) return [`${p}change s to s with ${expr(vars, 1)}`];
    return [`${p}add 1 to c`];
  }

  function loop(vars, indent, depth) {
    const p = " ".repeat(indent);
    const inner = { numbers: [...vars.numbers], texts: [...vars.texts] };
    switch (Math.floor(rand() * 5)) {
      case 0: {
        inner.numbers.push("count");
        return [`${p}count from ${pick(["1", "0", "3"])} to ${pick(["3", "2", "a", "0"])}:`, ...block(inner, indent + 4, true, depth + 1), `${p}end count`];
      }
      case 1: {
        const v = `e${fresh++}`;
        inner.numbers.push(v);
        return [`${p}for each ${v} in ${pick(["xs", "[1, 2, 3]", "m"])}:`, ...block(inner, indent + 4, true, depth + 1), `${p}end for`];
      }
      case 2: {
        const g = `g${fresh++}`;
        return [`${p}store ${g} as 0`, `${p}repeat while ${g} is less than 3:`, `${p}    add 1 to ${g}`, ...block(inner, indent + 4, true, depth + 1), `${p}end repeat`];
      }
      case 3: {
        const g = `g${fresh++}`;
        return [`${p}store ${g} as 0`, `${p}repeat:`, `${p}    add 1 to ${g}`, ...block(inner, indent + 4, true, depth + 1), `${p}until ${g} is greater than 2`];
      }
      default: {
        const g = `g${fresh++}`;
        return [`${p}store ${g} as 0`, `${p}repeat forever:`, `${p}    add 1 to ${g}`, `${p}    check if ${g} is greater than 2:`, `${p}        break`, `${p}    end check`,
          ...block(inner, indent + 4, true, depth + 1), `${p}end repeat`];
      }
    }
  }

  return () => {
    fresh = 0;
    const vars = { numbers: ["a", "b", "c"], texts: ["s", `"x"`] };
    const lines = [
      "store a as 1", "store b as 2", "store c as 3", 'store s as ""', "store xs as [1, 2, 3]",
      "create map m:", "    k is 5", "    j is 6", "end map",
      "define action called bump:", "    add 10 to a", "    push with xs and a", "end action",
      ...loop(vars, 0, 0), ...loop(vars, 0, 0),
      "display a", "display b", "display c", "display s", "display xs",
    ];
    return lines.join("\n") + "\n";
  };
}

test("300 random loop programs behave the same with and without fast loops", async () => {
  const next = generator(mulberry32(20261123));
  let ranToEnd = 0;
  for (let i = 0; i < 300; i++) {
    const source = next();
    const fast = await runWith(source, true, "random.wfl");
    const slow = await runWith(source, false, "random.wfl");
    assert.deepEqual(fast, slow, `program ${i} differs:\n${source}`);
    if (process.env.SHOW_ERRORS && slow.code !== 0) console.log(slow.err.split("\n")[0]);
    if (slow.code === 0) ranToEnd++;
  }
  // Many programs must run to the end, not stop at their first error.
  assert.ok(ranToEnd > 100, `only ${ranToEnd} of 300 programs ran to the end`);
});
