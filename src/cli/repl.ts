// The interactive REPL: `wfl` with no file on a terminal. Built on node:readline (line editing,
// history recall, completion); entries run in a worker thread (src/cli/repl-worker.ts) against
// one persistent session (src/host/session.ts), so Ctrl-C can interrupt a running loop.
// Documented in Docs/cli.md.
import { createInterface, type Interface } from "node:readline";
import { Worker } from "node:worker_threads";
import { appendFileSync, existsSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { isIncomplete } from "../host/session.js";
import type { EntryResult } from "../host/session.js";
import type { FromWorker, ToWorker } from "./repl-worker.js";
import { K } from "../parser/keywords.js";
import { standardLibrary } from "../stdlib/index.js";
import { readProgramText } from "../host/run.js";

const PROMPT = "wfl> ";
const CONTINUE = "...  ";
const HISTORY_SIZE = 1000;
/** How long a running entry has to stop after Ctrl-C before the engine thread is restarted. */
const HARD_STOP_MS = 3000;

const HELP = `Commands:
  .help          Show this help
  .clear         Forget every variable and action (a fresh session)
  .load FILE     Run a file's code in this session
  .save FILE     Write this session's code (every entry that compiled) to a file
  .history       Show the lines typed so far
  .exit          Leave (also Ctrl-D)
Type WFL statements or expressions; an expression's value is shown. A block ('check if …:',
'define action …:', a loop) continues on the next lines ('...') until its 'end'.
Ctrl-C cancels the entry being typed, or stops the one running.
`;

/** The words Tab completes besides the session's own names. */
function staticWords(): string[] {
  const words = new Set<string>(Object.keys(K));
  for (const name of standardLibrary().functions.keys()) words.add(name);
  for (const name of standardLibrary().constants.keys()) words.add(name);
  return [...words];
}

function historyFile(): string {
  return join(process.env.HOME || homedir(), ".wfl_history");
}

function readHistory(file: string): string[] {
  try {
    const lines = readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "");
    return lines.slice(-HISTORY_SIZE).reverse(); // readline wants the newest first
  } catch {
    return [];
  }
}

/** dist/repl-worker.js, next to the bundle this runs from (dist/cli.js; bin/wfl starts it for the REPL). */
function workerPath(): string | null {
  const main = process.argv[1];
  if (!main || !main.endsWith(".js")) return null;
  const candidate = join(dirname(realpathSync(main)), "repl-worker.js");
  return existsSync(candidate) ? candidate : null;
}

export async function startRepl(version: string): Promise<number> {
  const path = workerPath();
  if (!path) {
    process.stderr.write("error: the REPL cannot start from the start-up snapshot; start it with 'node dist/cli.js' from the built package\n");
    return 1;
  }
  const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const interrupt = new SharedArrayBuffer(4);
  const flag = new Int32Array(interrupt);
  const words = staticWords();
  let names: string[] = [];
  const histFile = historyFile();
  const typed: string[] = readHistory(histFile).reverse();

  const rl: Interface = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: true,
    prompt: PROMPT,
    history: readHistory(histFile),
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    completer: (line: string): [string[], string] => {
      const m = /[A-Za-z_][A-Za-z0-9_]*$/.exec(line);
      const part = m ? m[0] : "";
      if (part === "") return [[], ""];
      const hits = [...new Set([...names, ...words])].filter((w) => w.startsWith(part)).sort();
      return [hits, part];
    },
  });

  let worker: Worker;
  let busy = false;
  let hardStop: NodeJS.Timeout | undefined;
  let buffer: string[] = [];
  const pending: string[] = []; // lines typed while an entry runs
  let onSource: ((text: string) => void) | null = null;
  let exitCode = 0;
  let closed = false;
  let done!: (code: number) => void;
  const finished = new Promise<number>((r) => { done = r; });

  const send = (m: ToWorker): void => worker.postMessage(m);
  const startWorker = (): void => {
    worker = new Worker(path, { workerData: { interrupt, color, directory: process.cwd() } });
    worker.on("message", (m: FromWorker) => {
      switch (m.type) {
        case "out": process.stdout.write(m.text); return;
        case "err": process.stderr.write(m.text); return;
        case "result": names = m.names; finishEntry(m.result); return;
        case "cleared": names = []; return;
        case "source": onSource?.(m.text); onSource = null; return;
      }
    });
    worker.on("error", (e) => {
      process.stderr.write(`error[INTERNAL]: the REPL's engine failed (${e.message}); starting a fresh session\n`);
      restart();
    });
  };
  const restart = (): void => {
    void worker.terminate();
    names = [];
    startWorker();
    if (busy) finishEntry({ kind: "done", ok: false });
  };
  startWorker();

  const finishEntry = (r: EntryResult): void => {
    busy = false;
    if (hardStop) clearTimeout(hardStop);
    hardStop = undefined;
    if (r.kind === "done" && r.value !== undefined) process.stdout.write(r.value + "\n");
    if (r.kind === "exit") {
      exitCode = r.code;
      rl.close();
      return;
    }
    if (closed) return;
    rl.setPrompt(PROMPT);
    rl.prompt();
    while (!busy && pending.length > 0) handleLine(pending.shift()!);
  };

  const runEntry = (text: string): void => {
    busy = true;
    Atomics.store(flag, 0, 0);
    send({ type: "eval", text });
  };

  const command = (line: string): boolean => {
    const [cmd, ...rest] = line.trim().split(/\s+/);
    const arg = rest.join(" ");
    switch (cmd) {
      case ".help": process.stdout.write(HELP); break;
      case ".exit": rl.close(); return true;
      case ".clear": send({ type: "clear" }); process.stdout.write("Session cleared\n"); break;
      case ".history": typed.forEach((l, i) => process.stdout.write(`${String(i + 1).padStart(4)}  ${l}\n`)); break;
      case ".load": {
        if (!arg) { process.stderr.write("error: .load needs a file\n"); break; }
        const text = readProgramText(resolve(arg));
        if (typeof text !== "string") { process.stderr.write(`error: ${text.error}\n`); break; }
        runEntry(text);
        return true;
      }
      case ".save": {
        if (!arg) { process.stderr.write("error: .save needs a file\n"); break; }
        busy = true;
        onSource = (text) => {
          try {
            writeFileSync(resolve(arg), text === "" ? "" : text + "\n");
            process.stdout.write(`Saved to ${arg}\n`);
          } catch (e) {
            process.stderr.write(`error: cannot write '${arg}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
          }
          finishEntry({ kind: "done", ok: true });
        };
        send({ type: "source" });
        return true;
      }
      default:
        process.stderr.write(`error: unknown command '${cmd}' (type .help)\n`);
    }
    return false;
  };

  const handleLine = (line: string): void => {
    if (busy) {
      pending.push(line);
      return;
    }
    if (line.trim() !== "") {
      typed.push(line);
      try {
        appendFileSync(histFile, line.replace(/\n/g, " ") + "\n", { mode: 0o600 });
      } catch {
        // no history file (read-only home): recall still works within the session
      }
    }
    if (buffer.length === 0 && line.trim().startsWith(".")) {
      if (command(line)) return;
      rl.prompt();
      return;
    }
    buffer.push(line);
    const text = buffer.join("\n");
    if (text.trim() !== "" && isIncomplete(text)) {
      rl.setPrompt(CONTINUE);
      rl.prompt();
      return;
    }
    buffer = [];
    if (text.trim() === "") {
      rl.setPrompt(PROMPT);
      rl.prompt();
      return;
    }
    runEntry(text);
  };

  rl.on("line", handleLine);
  rl.on("SIGINT", () => {
    if (busy) {
      // Stop the running entry: the loop sees the flag at its next tick, a pause ends at once.
      Atomics.store(flag, 0, 1);
      send({ type: "interrupt" });
      if (!hardStop) {
        hardStop = setTimeout(() => {
          process.stderr.write("The entry did not stop; the session was restarted (its variables are gone)\n");
          restart();
        }, HARD_STOP_MS);
      }
      return;
    }
    // Cancel what is being typed; the session goes on.
    const had = buffer.length > 0 || rl.line !== "";
    buffer = [];
    process.stdout.write(had ? "^C\n" : "^C (type .exit or press Ctrl-D to leave)\n");
    const editor = rl as unknown as { line: string; cursor: number };
    editor.line = "";
    editor.cursor = 0;
    rl.setPrompt(PROMPT);
    rl.prompt();
  });
  rl.on("close", () => {
    closed = true;
    process.stdout.write("\n");
    void worker.terminate().then(() => done(exitCode));
  });

  process.stdout.write(`WFL ${version} REPL - type .help for commands or .exit to quit\n`);
  rl.prompt();
  return finished;
}
