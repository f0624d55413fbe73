// Loading npm packages that stay outside the bundles (native addons, and libraries that load Node
// modules a start-up snapshot cannot hold, such as node:http). They are loaded on first use.
import { resolve as resolvePath } from "node:path";

/** The blob path when this process was started from a start-up snapshot. */
export function snapshotBlobPath(): string | undefined {
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--snapshot-blob" && i + 1 < argv.length) return argv[i + 1];
    if (a.startsWith("--snapshot-blob=")) return a.slice("--snapshot-blob=".length);
  }
  return undefined;
}

/**
 * `require` a CommonJS package from the node_modules beside wfl-ts. Started from the snapshot, the
 * snapshot's own require knows only built-in modules, so a require anchored at the blob (in dist/)
 * is made; in the ESM bundles the banner's `require` (anchored at the bundle) is used.
 */
export function requirePackage<T>(name: string): T {
  const blob = snapshotBlobPath();
  if (blob !== undefined) {
    const mod = (process as unknown as { getBuiltinModule(id: string): typeof import("node:module") }).getBuiltinModule("node:module");
    return mod.createRequire(resolvePath(blob))(name) as T;
  }
  return require(name) as T;
}
