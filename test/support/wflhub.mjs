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
import Database from "better-sqlite3";
import { createHash, randomUUID } from "node:crypto";
import { SignJWT } from "jose";
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

/** The hub's database, opened by the test beside the hub ($1 placeholders on both engines). */
export async function openHubDb(engine, hub, url) {
  if (engine === "sqlite") {
    const d = new Database(path.join(hub.dataDir, "wflhub.db"));
    d.pragma("busy_timeout = 5000");
    const q = (sql) => d.prepare(sql.replace(/\$(\d+)/g, "@p$1"));
    const named = (params) => Object.fromEntries(params.map((v, i) => [`p${i + 1}`, v]));
    return {
      run: async (sql, params = []) => q(sql).run(named(params)),
      all: async (sql, params = []) => q(sql).all(named(params)),
      close: async () => d.close(),
    };
  }
  const c = new PgClient(url);
  await c.connect();
  return {
    run: async (sql, params = []) => c.query(sql, params),
    all: async (sql, params = []) => (await c.query(sql, params)).rows,
    close: async () => c.end(),
  };
}

/** A user row as lib/accounts.wfl writes one (verified unless told); {id, username}. */
export async function makeUser(db, username, { verified = true, admin = false } = {}) {
  const id = randomUUID();
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  await db.run("INSERT INTO users (id, username, email, password_hash, email_verified, is_admin, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    [id, username, `${username}@example.test`, "unused", verified ? 1 : 0, admin ? 1 : 0, now]);
  return { id, username };
}
/** An API token of `scope` for `user`, signed with TEST_SECRET and recorded as lib/auth.wfl records one. */
export async function makeToken(db, user, scope) {
  const jti = randomUUID();
  const exp = Math.floor(Date.now() / 1000) + 86400;
  const token = await new SignJWT({ sub: user.id, jti, scope, exp }).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(TEST_SECRET));
  const expires = new Date(exp * 1000).toISOString().replace(/\.\d+Z$/, "Z");
  await db.run("INSERT INTO api_tokens (id, user_id, token_hash, name, scope, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    [jti, user.id, createHash("sha256").update(token).digest("hex"), "test", scope, expires, "2026-01-01T00:00:00Z"]);
  return token;
}
