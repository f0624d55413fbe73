// Loading npm packages that stay outside the bundles (native addons, and libraries that load Node
// modules a start-up snapshot cannot hold, such as node:http). They are loaded on first use.
import { resolve as resolvePath } from "node:path";
import { WflRuntimeError } from "./errors.js";

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

/**
 * A package loaded once, on first use, from either start (snapshot or bundle): `get(fn, what)`
 * gives the module, or throws a WFL error naming the builtin (`fn`) and what is missing (`what`).
 * `importIt` is the bundle's dynamic `import(...)` of the package, giving the module (code restored from a snapshot has
 * no dynamic import, so there a require anchored at the blob is used).
 */
export function lazyPackage<T>(name: string, importIt: () => Promise<unknown>): (fn: string, what: string) => Promise<T> {
  let loaded: T | undefined;
  let loading: Promise<T | string> | undefined;
  const firstLine = (e: unknown): string => String(e instanceof Error ? e.message : e).split("\n")[0]!;
  const load = async (): Promise<T | string> => {
    const blob = snapshotBlobPath();
    if (blob !== undefined) {
      const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
      if (!getBuiltin) return "this Node.js has no process.getBuiltinModule";
      try {
        const mod = getBuiltin.call(process, "node:module") as typeof import("node:module");
        return mod.createRequire(resolvePath(blob))(name) as T;
      } catch (e) {
        return firstLine(e);
      }
    }
    try {
      return (await importIt()) as T;
    } catch (e) {
      return firstLine(e);
    }
  };
  return async (fn, what) => {
    if (loaded) return loaded;
    loading ??= load();
    const r = await loading;
    if (typeof r === "string") throw new WflRuntimeError(`${fn}: ${what} is not available (the ${name} package could not be loaded: ${r})`, "general");
    loaded = r;
    return r;
  };
}
