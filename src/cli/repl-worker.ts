// The REPL's engine thread (bundled to dist/repl-worker.js). Entries run here, so the terminal
// thread (src/cli/repl.ts) stays responsive while a loop runs: its Ctrl-C sets the shared
// interrupt flag, which the running loop checks at its next tick.
import { parentPort, workerData } from "node:worker_threads";
import { Session } from "../host/session.js";

export type ToWorker =
  | { type: "eval"; text: string }
  | { type: "interrupt" }
  | { type: "clear" }
  | { type: "source" };

export type FromWorker =
  | { type: "out"; text: string }
  | { type: "err"; text: string }
  | { type: "result"; result: import("../host/session.js").EntryResult; names: string[] }
  | { type: "cleared" }
  | { type: "source"; text: string };

const port = parentPort!;
const data = workerData as { interrupt: SharedArrayBuffer; color: boolean; directory: string };
const post = (m: FromWorker): void => port.postMessage(m);

const session = new Session({
  write: (text) => post({ type: "out", text }),
  writeError: (text) => post({ type: "err", text }),
  color: data.color,
  interrupt: new Int32Array(data.interrupt),
  directory: data.directory,
});

// Entries run one at a time, in the order they arrive.
let queue: Promise<void> = Promise.resolve();

port.on("message", (m: ToWorker) => {
  switch (m.type) {
    case "interrupt":
      // A loop sees the shared flag; a pause (`wait for`) ends here.
      session.interrupt();
      return;
    case "eval":
      queue = queue.then(async () => {
        let result;
        try {
          result = await session.evaluate(m.text);
        } catch (e) {
          post({ type: "err", text: `error[INTERNAL]: ${e instanceof Error ? e.message : String(e)}\n` });
          result = { kind: "done" as const, ok: false };
        }
        post({ type: "result", result, names: session.names() });
      });
      return;
    case "clear":
      queue = queue.then(() => {
        session.reset();
        post({ type: "cleared" });
      });
      return;
    case "source":
      queue = queue.then(() => post({ type: "source", text: session.source }));
      return;
  }
});
