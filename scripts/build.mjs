// Bundles the CLI and the embedding API into dist/ (one file each: fast start-up).
import { build } from "esbuild";

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
  packages: "bundle",
  // Native addons and heavy optional libraries stay external.
  external: ["argon2", "better-sqlite3", "pg", "playwright-core"],
  banner: { js: "import { createRequire as __wflCreateRequire } from 'node:module'; const require = __wflCreateRequire(import.meta.url);" },
};

await build({ ...common, entryPoints: ["src/cli/main.ts"], outfile: "dist/cli.js" });
await build({ ...common, entryPoints: ["src/index.ts"], outfile: "dist/index.js" });
