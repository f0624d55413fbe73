// A throw-away PostgreSQL 15 server for the tests: `initdb` into a temporary directory, started on
// a free loopback port with trust authentication, stopped and deleted by `stop()`.
//
//   import { startPostgres } from "../scripts/pg-test-server.mjs";
//   const pg = await startPostgres();   // null when PostgreSQL is not installed
//   … pg.url (postgres://wfl_test:s3cret-pw@127.0.0.1:PORT/wfl_test) …
//   await pg.stop();
//
// Run alone (`node scripts/pg-test-server.mjs`) it starts a server, prints its URL and stops it on
// Ctrl-C. PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user
// (`runuser -u postgres --`) in a directory that user owns.
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const PG_BIN = process.env.WFL_PG_BIN ?? "/usr/lib/postgresql/15/bin";

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Start a server; null when the PostgreSQL binaries are missing. */
export async function startPostgres() {
  if (!existsSync(join(PG_BIN, "initdb"))) return null;
  const asRoot = process.getuid?.() === 0;
  let uid = -1, gid = -1;
  if (asRoot) {
    uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  }
  const dir = mkdtempSync(join(tmpdir(), "wfl-pg-"));
  if (asRoot) chownSync(dir, uid, gid);
  const data = join(dir, "data");
  const run = (bin, args) => {
    const [cmd, all] = asRoot ? ["runuser", ["-u", "postgres", "--", join(PG_BIN, bin), ...args]] : [join(PG_BIN, bin), args];
    return execFileSync(cmd, all, { stdio: ["ignore", "pipe", "pipe"], cwd: dir, timeout: 60_000 }).toString();
  };
  const port = await freePort();
  let started = false;
  const stopNow = () => {
    process.off("exit", stopNow);
    try {
      if (started) run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
    } catch {
      // already gone
    }
    started = false;
    rmSync(dir, { recursive: true, force: true });
  };
  const stop = async () => stopNow();
  // Also when the process ends without calling stop() (a crash, process.exit): no server is left behind.
  process.on("exit", stopNow);
  try {
    const pwfile = join(dir, "pw");
    writeFileSync(pwfile, "s3cret-pw\n");
    if (asRoot) chownSync(pwfile, uid, gid);
    run("initdb", ["-D", data, "-U", "wfl_test", "--pwfile", pwfile, "--auth-local=trust", "--auth-host=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
    // Loopback only, trust authentication for 127.0.0.1, no fsync (a test server).
    writeFileSync(join(data, "pg_hba.conf"), "local all all trust\nhost all all 127.0.0.1/32 trust\n");
    run("pg_ctl", ["-D", data, "-l", join(dir, "log"), "-w", "-t", "30", "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`, "start"]);
    started = true;
    run("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "wfl_test", "wfl_test"]);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url: `postgres://wfl_test:s3cret-pw@127.0.0.1:${port}/wfl_test`, port, password: "s3cret-pw", dir, stop };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const pg = await startPostgres();
  if (!pg) {
    console.error(`PostgreSQL is not installed (${PG_BIN}/initdb is missing)`);
    process.exit(1);
  }
  console.log(pg.url);
  const end = async () => { await pg.stop(); process.exit(0); };
  process.on("SIGINT", end);
  process.on("SIGTERM", end);
  setInterval(() => {}, 1 << 30);
}
