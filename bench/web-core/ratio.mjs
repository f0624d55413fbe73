#!/usr/bin/env node
// The web core against bare node:http, alternately, with autocannon on loopback:
//   node bench/web-core/ratio.mjs [--duration S] [--rounds N] [--connections C]
// Prints requests/second and p99 for each run, and the WFL/node ratios (median of the rounds).
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { readFileSync } from "node:fs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const arg = (name, d) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : d; };
const duration = arg("duration", 5), rounds = arg("rounds", 3), connections = arg("connections", 50);
/** CPU seconds the process has used (user + system), from /proc (Linux). */
function cpuOf(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}
const BODY = JSON.stringify({ user: "ada", tags: ["a", "b", "c"], n: 42, nested: { ok: true, list: [1, 2, 3] } });

function start(cmd, args) {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => { out += d; const m = /127\.0\.0\.1:(\d+)/.exec(out); if (m) resolve({ child, port: Number(m[1]) }); });
    child.on("exit", () => reject(new Error("server exited")));
  });
}

async function measure(kind, impl) {
  const s = impl === "wfl" ? await start(path.join(root, "bin/wfl"), [path.join(here, `${kind}.wfl`)]) : await start(process.execPath, ["--max-semi-space-size=32", path.join(here, "bare.mjs"), kind]) // the V8 flags bin/wfl uses;
  const opts = { url: `http://127.0.0.1:${s.port}/`, connections, duration };
  if (kind === "echo") Object.assign(opts, { method: "POST", body: BODY, headers: { "content-type": "application/json" } });
  await new Promise((r) => autocannon({ ...opts, duration: 1 }, r)); // warm-up
  const cpu0 = cpuOf(s.child.pid);
  const r = await new Promise((res, rej) => autocannon(opts, (e, x) => (e ? rej(e) : res(x))));
  const cpu = cpuOf(s.child.pid) - cpu0;
  s.child.kill("SIGTERM");
  await new Promise((res) => s.child.on("exit", res));
  if (r.non2xx || r.errors) throw new Error(`${impl} ${kind}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, p99: r.latency.p99, cpuUs: (cpu / r.requests.total) * 1e6 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const kind of ["hello", "echo"]) {
  const ratios = [];
  const cpuRatios = [];
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? ["wfl", "node"] : ["node", "wfl"];
    const got = {};
    for (const impl of order) got[impl] = await measure(kind, impl);
    const ratio = got.wfl.rps / got.node.rps;
    const cpuRatio = got.wfl.cpuUs / got.node.cpuUs;
    ratios.push(ratio);
    cpuRatios.push(cpuRatio);
    console.log(`${kind} round ${i + 1}: wfl ${Math.round(got.wfl.rps)} req/s p99 ${got.wfl.p99} ms ${got.wfl.cpuUs.toFixed(0)} µs CPU/req | node ${Math.round(got.node.rps)} req/s p99 ${got.node.p99} ms ${got.node.cpuUs.toFixed(0)} µs CPU/req | throughput ratio ${ratio.toFixed(2)}, CPU per request ×${cpuRatio.toFixed(2)}`);
  }
  console.log(`${kind}: median throughput ratio ${median(ratios).toFixed(2)} (${ratios.map((r) => r.toFixed(2)).join(", ")}); median CPU per request ×${median(cpuRatios).toFixed(2)}`);
}
