// Bundles the CLI, the embedding API (dist/index.js) and the internals the tests use
// (dist/internal.js) into dist/ (one file each: fast start-up).
import { build } from "esbuild";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
  packages: "bundle",
  // No comments or indentation: a smaller bundle parses faster and, being ASCII, is stored in the
  // start-up snapshot at one byte per character.
  minifyWhitespace: true,
  // Native addons and heavy optional libraries stay external.
  external: ["argon2", "better-sqlite3", "busboy", "jose", "pg", "playwright-core", "ws", "tar-stream", "markdown-it"],
  banner: { js: "import { createRequire as __wflCreateRequire } from 'node:module'; const require = __wflCreateRequire(import.meta.url);" },
};

await build({ ...common, entryPoints: ["src/cli/entry.ts"], outfile: "dist/cli.js" });
await build({ ...common, entryPoints: ["src/cli/repl-worker.ts"], outfile: "dist/repl-worker.js" });
await build({ ...common, entryPoints: ["src/index.ts"], outfile: "dist/index.js" });
// Internal modules for tools and tests (the resolver), not part of the embedding API.
await build({ ...common, entryPoints: ["src/internal.ts"], outfile: "dist/internal.js" });
// The language server (wfl-lsp, `wfl lsp`): a bundle of its own, loaded only when asked for, so
// vscode-languageserver adds nothing to the start-up of `wfl prog.wfl`.
await build({ ...common, entryPoints: ["src/lsp/main.ts"], outfile: "dist/lsp.js" });

// The start-up snapshot: a CommonJS bundle whose top level builds the parser and the standard
// library, captured by `node --build-snapshot` (with the same V8 flags bin/wfl runs with). It is tied to this exact Node version, so its name
// carries the version and bin/wfl falls back to dist/cli.js when none matches.
// V8 refuses a snapshot built with other flags, --stack-size included: bin/wfl lowers the stack
// size when the real stack (ulimit -s) is small, and then starts from dist/cli.js instead.
await build({ ...common, format: "cjs", banner: {}, entryPoints: ["src/cli/snapshot.ts"], outfile: "dist/snapshot.cjs" });
for (const f of readdirSync("dist")) if (f.endsWith(".blob") || f === "snapshot.node") rmSync(join("dist", f));
const blobName = `wfl-${process.version}.blob`;
const r = spawnSync(process.execPath, ["--stack-size=3900", "--max-semi-space-size=32", "--snapshot-blob", join("dist", blobName), "--build-snapshot", "dist/snapshot.cjs"], { encoding: "utf8" });
if (r.status !== 0) {
  console.warn(`build: no start-up snapshot (programs still run, starting more slowly):\n${(r.stderr || "").split("\n").slice(0, 5).join("\n")}`);
} else {
  // bin/wfl reads which Node built the snapshot (the only one that can load it) from here, so
  // starting a program needs no `node --version` first.
  writeFileSync(join("dist", "snapshot.node"), `${process.execPath}\n${blobName}\n`);
}
