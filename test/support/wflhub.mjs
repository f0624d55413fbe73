// Running WFLHub (apps/wflhub/main.wfl) for a test, as an operator would: bin/wfl, settings by
// environment, a fresh data folder, SQLite by default or a PostgreSQL URL, e-mail to a real SMTP
// server on loopback (test/support/smtp.mjs).
//
//   const mail = await startMailServer();
//   const hub = await startHub({ mail });              // or { mail, databaseUrl: pg.url }
//   … fetch(hub.base + "/api/v1/search?q=x") … hub.dataDir … hub.io.err (its logs) …
//   await hub.stop();                                  // SIGTERM; resolves with the exit code
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { before, after } from "node:test";
import pgModule from "pg";
import { startServer, browserSession } from "./server.mjs";
import { startPostgres, PG_BIN } from "../../scripts/pg-test-server.mjs";

const PgClient = pgModule.Client;

export { browserSession };

export const root = fileURLToPath(new URL("../..", import.meta.url));
export const hubProgram = path.join(root, "apps/wflhub/main.wfl");
export const TEST_SECRET = "test-secret-test-secret-test-secret-0123456789";

/**
 * Start WFLHub on a free port. Options: `mail` (from startMailServer; without it e-mails go to
 * the log), `databaseUrl` (default: SQLite in the data folder), `dataDir` (default: a new
 * temporary folder, removed by stop()), `env` (more variables, e.g. WFLHUB_LIMIT_SEARCH_PER_MINUTE).
 */
export async function startHub({ mail, databaseUrl, dataDir, env = {} } = {}) {
  const ownData = !dataDir;
  const data = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "wflhub-data-"));
  const vars = {
    ...process.env,
    WFLHUB_PORT: "0",
    WFLHUB_DATA: data,
    WFLHUB_SECRET: TEST_SECRET,
    ...(databaseUrl ? { WFLHUB_DATABASE_URL: databaseUrl } : {}),
    ...(mail ? { WFLHUB_SMTP_URL: mail.url, NODE_EXTRA_CA_CERTS: mail.certFile } : {}),
    ...env,
  };
  const server = await startServer(hubProgram, { env: vars });
  server.dataDir = data;
  server.stop = async () => {
    if (server.child.exitCode === null) server.child.kill("SIGTERM");
    const code = await server.exited;
    if (ownData) fs.rmSync(data, { recursive: true, force: true });
    return code;
  };
  return server;
}

/**
 * A throw-away PostgreSQL 15 for this test file (scripts/pg-test-server.mjs): started before its
 * tests, stopped after them. WFL_SKIP_POSTGRES=1 skips it (`pg.skip`); without PostgreSQL
 * installed the file fails saying how to get it. `await pg.freshDatabase(name)` makes an empty
 * database and gives its URL.
 */
export function postgresForTests() {
  const pg = {
    skip: process.env.WFL_SKIP_POSTGRES === "1",
    server: null,
    async freshDatabase(name) {
      const client = new PgClient({ connectionString: pg.server.url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return pg.server.url.replace(/\/wfl_test$/, `/${name}`);
    },
  };
  before(async () => {
    if (pg.skip) return;
    pg.server = await startPostgres();
    if (!pg.server) throw new Error(`PostgreSQL 15 is not installed (${PG_BIN}/initdb is missing): .ci/run installs it; set WFL_SKIP_POSTGRES=1 to skip`);
  });
  after(async () => {
    if (pg.server) await pg.server.stop();
  });
  return pg;
}
