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

/** Settings whose smaller value allows less, with the value that applies when none is set. */
const AT_MOST = new Map<string, number>([
  ["max_call_depth", 1000],
  ["max_execute_file_depth", 4],
  ["max_file_read_size", 50 * 1024 * 1024],
  ["max_buffer_size_bytes", 10 * 1024 * 1024],
  ["web_server_max_body_size", 1024 * 1024],
  ["web_server_request_queue_bound", 256],
  ["web_server_multipart_max_size", 50 * 1024 * 1024],
  ["web_server_multipart_max_file_size", 50 * 1024 * 1024],
  ["web_socket_max_message_size", 1024 * 1024],
  ["web_server_max_response_size", 64 * 1024 * 1024],
  ["web_server_max_concurrent_requests", 100],
]);
/** `shell_execution_mode`s, from the one that allows least. */
const MODES = ["forbidden", "allowlist_only", "sanitized", "unrestricted"];
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);
/**
 * Web middleware settings a child cannot change at all (its parent's value, or the default,
 * applies): response security policies, and where access logs are written (a child naming a
 * file would append to any file the process can write).
 */
const PARENT_ONLY = new Set([
  "web_server_content_security_policy", "web_server_frame_options", "web_server_referrer_policy",
  "web_server_hsts_max_age", "web_server_hsts_include_subdomains", "web_server_hsts_preload",
  "web_server_cors_allowed_methods", "web_server_cors_allowed_headers", "web_server_cors_exposed_headers",
  "web_server_cors_max_age_seconds", "web_server_access_log_file", "web_server_trust_request_id",
]);
/** Web middleware switches a child may turn on but never off (they are on by default). */
const ONLY_ON = new Set(["web_server_security_headers", "web_server_hsts"]);

/**
 * The configuration of a program started by `execute wfl file`: its parent's, narrowed (never
 * widened) by the child's own `.wflcfg`. A child can turn subprocesses off, choose a stricter
 * mode, drop commands from the allow-list, lower limits and bind to loopback only; it cannot
 * turn on, loosen or raise anything its parent did not allow.
 */
export function narrowConfig(parent: ReadonlyMap<string, string>, own: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map(parent);
  for (const [key, value] of own) {
    const had = parent.get(key);
    const byDefault = AT_MOST.get(key);
    if (byDefault !== undefined) {
      const v = Number(value);
      const p = Number(had);
      if (!(Number.isFinite(v) && v > 0)) continue; // an invalid value never replaces a valid one
      if (v < (had !== undefined && Number.isFinite(p) && p > 0 ? p : byDefault)) out.set(key, value);
      continue;
    }
    if (PARENT_ONLY.has(key)) continue;
    if (ONLY_ON.has(key)) {
      if (/^(true|yes|on|1)$/i.test(value.trim())) out.set(key, "true");
      continue;
    }
    switch (key) {
      case "web_server_cors_allowed_origins": {
        // Only origins the parent allowed; a parent without CORS lets no child turn it on.
        if (had === undefined) break;
        const theirs = had.split(",").map((o) => o.trim().toLowerCase().replace(/\/+$/, "")).filter(Boolean);
        const mine = value.split(",").map((o) => o.trim().toLowerCase().replace(/\/+$/, "")).filter(Boolean);
        if (mine.includes("*")) break; // any origin: as many as the parent allows
        out.set(key, theirs.includes("*") ? mine.join(",") : mine.filter((o) => theirs.includes(o)).join(","));
        break;
      }
      case "web_server_cors_allow_credentials":
        if (!/^(true|yes|on|1)$/i.test(value.trim())) out.set(key, "false");
        break;
      case "allow_shell_execution":
        if (!/^(true|yes|1)$/i.test(value)) out.set(key, "false");
        break;
      case "shell_execution_mode": {
        const p = MODES.indexOf((had ?? "forbidden").trim());
        const v = MODES.indexOf(value.trim());
        if (v >= 0 && v < (p < 0 ? 0 : p)) out.set(key, value.trim());
        else if (p < 0) out.set(key, "forbidden");
        break;
      }
      case "allowed_shell_commands": {
        const mine = value.split(",").map((s) => s.trim()).filter(Boolean);
        // With an allow-list the parent could run only its commands; without one, any (in the
        // modes that do not use the list), so the child's list is narrower either way.
        if (had !== undefined) {
          const theirs = new Set(had.split(",").map((s) => s.trim()).filter(Boolean));
          out.set(key, mine.filter((c) => theirs.has(c)).join(","));
        } else if ((parent.get("shell_execution_mode") ?? "forbidden").trim() !== "allowlist_only") {
          out.set(key, mine.join(","));
        }
        break;
      }
      case "web_server_bind_address":
        if (LOOPBACK.has(value.trim())) out.set(key, value.trim());
        break;
      default:
        // Settings that allow nothing (timeouts that are not read, unknown keys): the parent's
        // value wins when it has one.
        if (had === undefined) out.set(key, value);
    }
  }
  return out;
}
