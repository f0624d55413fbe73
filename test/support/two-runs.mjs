// The acceptance scenario, in one Node process of its own (it sends itself SIGINT):
// two programs run at once through the embedding API, each with a web server and a SIGINT
// handler. Prints one JSON line with what happened. test/embedding.test.mjs runs it with
// WFL_TWO_RUNS=1 (without it, as when `node --test test/` loads every file here, it does nothing).
import { startServerRun, namedServer } from "./embed.mjs";

if (process.env.WFL_TWO_RUNS !== "1") process.exit(0);

const text = async (port, path) => {
  try {
    const r = await fetch(`http://127.0.0.1:${port}${path}`);
    return `${r.status} ${await r.text()}`;
  } catch {
    return "refused";
  }
};

if (process.argv[2] === "both") {
  // One SIGINT while both runs have a handler: each run's own handler runs, each run ends.
  const a = await startServerRun(namedServer("A"));
  const b = await startServerRun(namedServer("B"));
  const before = process.listenerCount("SIGINT");
  process.kill(process.pid, "SIGINT");
  const [ra, rb] = await Promise.all([a.result, b.result]);
  console.log(JSON.stringify({
    before, after: process.listenerCount("SIGINT"),
    a: { exitCode: ra.exitCode, output: a.io.out }, b: { exitCode: rb.exitCode, output: b.io.out },
  }));
  process.exit(0);
}

const hostSigint = [];
const hostListener = () => hostSigint.push("host");
if (process.argv[2] === "with-host-listener") process.on("SIGINT", hostListener);

const a = await startServerRun(namedServer("A"));
const b = await startServerRun(namedServer("B"));
const steps = {};
steps.aFirst = await text(a.port, "/one");
steps.bFirst = await text(b.port, "/one");
// A ends (its program finishes); B must keep serving.
steps.aStop = await text(a.port, "/stop");
const aResult = await a.result;
steps.aAfterEnd = await text(a.port, "/again");
steps.bAfterAEnded = await text(b.port, "/two");
steps.sigintListenersBefore = process.listenerCount("SIGINT");
// SIGINT now reaches only B (A's handler went with A): B's handler runs and B ends.
process.kill(process.pid, "SIGINT");
const bResult = await b.result;
steps.bAfterEnd = await text(b.port, "/three");
steps.sigintListenersAfter = process.listenerCount("SIGINT");
steps.hostListenerKept = process.listeners("SIGINT").includes(hostListener);
steps.hostSigint = hostSigint;
process.removeListener("SIGINT", hostListener);
console.log(JSON.stringify({
  steps,
  a: { exitCode: aResult.exitCode, output: a.io.out.replace(/\d{2,5}\n/, "PORT\n"), diagnostics: aResult.diagnostics },
  b: { exitCode: bResult.exitCode, output: b.io.out.replace(/\d{2,5}\n/, "PORT\n"), diagnostics: bResult.diagnostics },
}));
// The host process itself goes on: it ends on its own here, with the code it chooses.
process.exitCode = 7;
