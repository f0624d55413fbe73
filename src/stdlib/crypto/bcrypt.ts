// bcrypt password hashing through `bcryptjs` (pure JavaScript).
//
// Hashes are `$2b$12$<22-char salt><31-char hash>`. bcrypt reads at most the first 72 bytes of a
// password (a property of the algorithm). Verification accepts the $2a$, $2b$ and $2y$ forms,
// refuses costs above MAX_BCRYPT_COST (each step doubles the work, so a crafted stored hash could
// stall the program; the refusal answers false with a warning) and answers false for anything
// malformed.
//
// bcryptjs is JavaScript, so on the main thread it would hold up everything else for the whole
// hash (its async API only slices the work). The work runs in one worker thread instead, started
// on first use and not keeping the program alive when idle; if no worker can start, the sliced
// async API on the main thread is the fallback.
import { hash as hashSliced, compare as compareSliced } from "bcryptjs";
import { resolve as resolvePath } from "node:path";
import type { Worker as WorkerType } from "node:worker_threads";
import { snapshotBlobPath } from "../../runtime/packages.js";
import { overCap } from "./phc.js";

export const BCRYPT_COST = 12;
/** OWASP asks for a work factor of at least 10; 14 is 4× our default (about 2 s in bcryptjs). */
export const MAX_BCRYPT_COST = 14;
const BCRYPT_RE = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

export function isBcryptHash(stored: string): boolean {
  return /^\$2[abxy]\$/.test(stored);
}

// ---- the worker -------------------------------------------------------------------------------

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const bcrypt = require(workerData.bcryptjs);
parentPort.on("message", ({ id, op, password, arg }) => {
  try {
    const result = op === "hash" ? bcrypt.hashSync(password, arg) : bcrypt.compareSync(password, arg);
    parentPort.postMessage({ id, result });
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.message) || e) });
  }
});`;

type Job = { resolve(v: string | boolean): void; reject(e: Error): void };
let worker: WorkerType | null | undefined; // null: could not start, use the fallback
const jobs = new Map<number, Job>();
let nextId = 1;

function builtin<T>(id: string): T {
  return (process as unknown as { getBuiltinModule(id: string): T }).getBuiltinModule(id);
}

function bcryptjsPath(): string {
  const blob = snapshotBlobPath();
  if (blob !== undefined) return builtin<typeof import("node:module")>("node:module").createRequire(resolvePath(blob)).resolve("bcryptjs");
  const name = "bcryptjs"; // resolved at run time, beside wfl-ts (not bundled into the worker)
  return require.resolve(name);
}

function failAll(message: string): void {
  for (const job of jobs.values()) job.reject(new Error(message));
  jobs.clear();
}

function getWorker(): WorkerType | null {
  if (worker !== undefined) return worker;
  try {
    const { Worker } = builtin<typeof import("node:worker_threads")>("node:worker_threads");
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptjs: bcryptjsPath() }, execArgv: [], env: {} });
    w.on("message", (m: { id: number; result?: string | boolean; error?: string }) => {
      const job = jobs.get(m.id);
      if (!job) return;
      jobs.delete(m.id);
      if (jobs.size === 0) w.unref();
      if (m.error !== undefined) job.reject(new Error(m.error));
      else job.resolve(m.result!);
    });
    // A worker that fails (say, bcryptjs cannot be loaded there) is not started again: the
    // waiting jobs and every later one use the fallback.
    w.on("error", (e) => { worker = null; failAll(e.message); });
    w.on("exit", () => { if (worker === w) { worker = undefined; failAll("the bcrypt worker stopped"); } });
    w.unref();
    worker = w;
  } catch {
    worker = null;
  }
  return worker;
}

function inWorker(op: "hash" | "compare", password: string, arg: string | number): Promise<string | boolean> | null {
  const w = getWorker();
  if (!w) return null;
  const id = nextId++;
  return new Promise((resolve, reject) => {
    jobs.set(id, { resolve, reject });
    w.ref(); // a pending hash keeps the program alive until it answers
    w.postMessage({ id, op, password, arg });
  });
}

// ---- hashing and verification -----------------------------------------------------------------

/** `password` is the text given to bcrypt_hash (already checked against the length limit). */
export async function bcryptHash(password: string): Promise<string> {
  const r = inWorker("hash", password, BCRYPT_COST);
  if (r) {
    try {
      return (await r) as string;
    } catch {
      // The worker failed: hash here instead.
    }
  }
  return hashSliced(password, BCRYPT_COST);
}

export async function bcryptVerify(fn: string, password: string, stored: string): Promise<boolean> {
  const m = BCRYPT_RE.exec(stored);
  if (!m) return false;
  const cost = Number(m[1]);
  if (cost < 4 || cost > 31) return false;
  if (cost > MAX_BCRYPT_COST) return overCap(fn, "bcrypt", `cost ${cost} is above ${MAX_BCRYPT_COST}`);
  const r = inWorker("compare", password, stored);
  if (r) {
    try {
      return (await r) === true;
    } catch {
      // The worker failed: check here instead.
    }
  }
  try {
    return await compareSliced(password, stored);
  } catch {
    return false;
  }
}
