// `.wflcfg`: `key = value` lines with `#` comments; the nearest file walking up from the script wins.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

export function loadConfig(scriptDir: string): Map<string, string> {
  const config = new Map<string, string>();
  let dir = scriptDir;
  for (let i = 0; i < 64; i++) {
    const file = join(dir, ".wflcfg");
    if (existsSync(file)) {
      try {
        for (const raw of readFileSync(file, "utf8").split(/\r?\n/)) {
          const line = raw.replace(/#.*$/, "").trim();
          const eq = line.indexOf("=");
          if (eq > 0) config.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
        }
      } catch {
        // An unreadable config is the same as none.
      }
      break;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return config;
}
