// Embedding WFL in a Node.js program (Docs/embedding.md): host actions, captured output and
// diagnostics, a time limit. Run it with `node Docs/examples/embed.mjs` after `npm run build`;
// test/embedding-guide.test.mjs runs it and compares what it prints with the guide.
import { run } from "../../dist/index.js"; // in your project: import { run } from "wfl-ts";

// 1. Host actions: JavaScript functions WFL calls by name. Arguments and results convert
//    (numbers, text, yes/no, lists, maps); an async function is awaited.
const prices = new Map([["apple", 0.5], ["pear", 0.75]]);
const events = [];
const actions = {
  price_of: async (item) => {
    if (!prices.has(item)) throw new Error(`no price for ${item}`);
    return prices.get(item);
  },
  record: (name, detail) => {
    events.push({ name, detail });
    return null;
  },
};

const shop = `
store basket as ["apple", "pear", "apple"]
store total as 0
for each item in basket:
    change total to total plus price_of of item
end for
call record with "checkout" and total
display "Total: " with total
try:
    display price_of of "durian"
catch:
    display "No price: " with error_message
end try
`;

// 2. Output: without a `write` option it is collected in `result.output`;
//    diagnostics are always in `result.diagnostics`.
const first = await run(shop, { actions, timeoutMs: 2000 });
console.log("exit code:", first.exitCode);
console.log("output:", JSON.stringify(first.output));
console.log("events:", JSON.stringify(events));

// 3. Streaming: `write` and `writeError` receive text as the program writes it.
const lines = [];
const second = await run('display "one"\ndisplay "two"\nstore per_item as 10 divided by 0', {
  file: "report.wfl", // the name used in diagnostics
  write: (text) => lines.push(text),
  writeError: () => {},
});
console.log("exit code:", second.exitCode, "streamed:", JSON.stringify(lines));
console.log("diagnostic:", second.diagnostics.split("\n")[0]);
console.log("at:", second.diagnostics.split("\n")[1].trim());

// 4. A time limit stops even a loop that never ends; the host's own process goes on.
const started = Date.now();
const third = await run("store n as 0\nrepeat forever:\n    change n to n plus 1\nend repeat", { timeoutMs: 300 });
console.log("exit code:", third.exitCode, "stopped in time:", Date.now() - started < 5000);
console.log("diagnostic:", third.diagnostics.split("\n")[0]);

// 5. An AbortSignal stops a run from outside (here: a program waiting on a host action).
const controller = new AbortController();
setTimeout(() => controller.abort(), 100);
const fourth = await run("display wait_forever of 1", {
  actions: { wait_forever: () => new Promise(() => {}) },
  signal: controller.signal,
});
console.log("exit code:", fourth.exitCode, "diagnostic:", fourth.diagnostics.split("\n")[0]);
