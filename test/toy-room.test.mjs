// A toy statement family (test/fixtures/toy-room/greetings) added the way CONTRIBUTING.md says:
// its own room (three new files) plus one line or so in each of the three declarative tables. The
// test copies src/, adds the room and the table lines, typechecks and bundles the copy, and runs a
// program that uses the new statement and expression.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const fixture = join(root, "test", "fixtures", "toy-room");
// Inside the repository (build/ is ignored) so packages and types resolve from node_modules.
const work = join(root, "build", `toy-room-${process.pid}`);

/** The edits to the declarative tables: each adds the room and nothing else. */
const TABLE_EDITS = [
  {
    file: "src/features/syntax.ts",
    edits: [
      [/^(import \{ CoreParser \} from "\.\.\/parser\/core\.js";)$/m, '$1\nimport { greetingsSyntax } from "./greetings/syntax.js";'],
      [/const Rooms = ([\s\S]*?);\n/, "const Rooms = greetingsSyntax($1);\n"],
    ],
  },
  {
    file: "src/features/compile.ts",
    edits: [
      [/^(import type \{ ExprCompilers, StmtCompilers \} from "\.\.\/compiler\/tables\.js";)$/m, '$1\nimport { greetingsCompilers, greetingsExpressions } from "./greetings/compile.js";'],
      [/(export const FEATURE_STATEMENTS: StmtCompilers<FeatureStmt> = \{\n)/, "$1  ...greetingsCompilers,\n"],
      [/(export const FEATURE_EXPRESSIONS: ExprCompilers<FeatureExpr> = \{\n)/, "$1  ...greetingsExpressions,\n"],
    ],
  },
  {
    file: "src/ast/nodes.ts",
    edits: [
      [/^(import type \{ ErrorKind \} from "\.\.\/diagnostics\/catalogue\.js";)$/m, '$1\nimport type { GreetingsStmt, GreetingsExpr } from "../features/greetings/nodes.js";'],
      [/export type Expr = /, "export type Expr = GreetingsExpr | "],
      [/export type Stmt = /, "export type Stmt = GreetingsStmt | "],
    ],
  },
];

test("a toy statement family touches only its own room plus the declarative tables", async () => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    cpSync(join(root, "src"), join(work, "src"), { recursive: true });
    const room = join(work, "src", "features", "greetings");
    cpSync(join(fixture, "greetings"), room, { recursive: true });
    const added = readdirSync(room).map((f) => `src/features/greetings/${f}`);
    const changed = [];
    for (const { file, edits } of TABLE_EDITS) {
      let text = readFileSync(join(work, file), "utf8");
      for (const [pattern, replacement] of edits) {
        const next = text.replace(pattern, replacement);
        assert.notEqual(next, text, `${file}: the anchor ${pattern} is gone; update TABLE_EDITS and CONTRIBUTING.md`);
        text = next;
      }
      writeFileSync(join(work, file), text);
      changed.push(file);
    }
    // The whole change: three new files and three tables.
    assert.deepEqual(added.sort(), ["src/features/greetings/compile.ts", "src/features/greetings/nodes.ts", "src/features/greetings/syntax.ts"]);
    assert.equal(changed.length, 3);

    // TypeScript checks the tables are complete (every node kind compiles).
    writeFileSync(join(work, "tsconfig.json"), JSON.stringify({
      extends: join(root, "tsconfig.json"),
      compilerOptions: { rootDir: ".", noEmit: true, types: ["node"], typeRoots: [join(root, "node_modules", "@types")] },
      include: ["src/**/*.ts"],
      exclude: [],
    }));
    const tsc = spawnSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", work], { encoding: "utf8" });
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);

    await build({
      entryPoints: [join(work, "src", "cli", "entry.ts")], outfile: join(work, "cli.js"), bundle: true, platform: "node",
      format: "esm", target: "node20", logLevel: "silent", external: ["argon2", "better-sqlite3", "jose", "pg", "playwright-core", "ws"],
      banner: { js: "import { createRequire as __wflCreateRequire } from 'node:module'; const require = __wflCreateRequire(import.meta.url);" },
    });
    const run = spawnSync(process.execPath, [join(work, "cli.js"), join(fixture, "program.wfl")], { encoding: "utf8", env: { ...process.env, WFL_PARSER_VALIDATE: "1" } });
    assert.equal(run.stderr, "");
    assert.equal(run.stdout, readFileSync(join(fixture, "program.out"), "utf8"));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
