// Starting a WFL server program under bin/wfl for a test: resolves once the program says which
// port it listens on (the `WebServer::127.0.0.1:PORT` line its `display` of the server prints).
import { spawn } from "node:child_process";
import * as net from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const started = [];

/** Kills every server still running (for an `after` hook: a failing test leaves none behind). */
export function killServers() {
  for (const c of started) if (c.exitCode === null) c.kill();
}

/**
 * Start `program` with `args` (in `cwd`, the repository by default; `env`, this process's by
 * default); resolves once its output matches `pattern` (by default its `WebServer::127.0.0.1:PORT`
 * line; the first group is the port) with its port, `base` URL, child process, output so far and
 * exit (a promise of the code).
 */
export async function startServer(program, { cwd = root, env = process.env, args = [], pattern = /WebServer::127\.0\.0\.1:(\d+)/ } = {}) {
  const child = spawn(join(root, "bin/wfl"), [program, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  started.push(child);
  const io = { out: "", err: "" };
  child.stderr.on("data", (d) => (io.err += d));
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const port = await new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      io.out += d;
      const m = pattern.exec(io.out);
      if (m) resolve(m[1]);
    });
    child.on("exit", () => reject(new Error(`server exited early: ${io.out}\n${io.err}`)));
  });
  return { port: Number(port), base: `http://127.0.0.1:${port}`, io, child, exited };
}

/** fetch with a cookie jar, as a browser would: keeps what Set-Cookie sets, sends Cookie, never follows redirects. */
export function browserSession(base) {
  const jar = new Map();
  return async (p, { method = "GET", form, headers = {} } = {}) => {
    const h = { ...headers };
    if (jar.size) h.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    let body;
    if (form) { body = new URLSearchParams(form).toString(); h["content-type"] = "application/x-www-form-urlencoded"; }
    const res = await fetch(base + p, { method, headers: h, body, redirect: "manual" });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) jar.delete(name);
      else jar.set(name, pair.slice(eq + 1).trim());
    }
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
}

/** A loopback port nothing listens on right now (for a program that needs its port on its command line). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Whether a loopback port is free (a fixed-port program may only run when it is). */
export function portIsFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}
