// JSON access logs, off by default: one line per request, written when its response has ended,
// to stderr or (`web_server_access_log_file`) appended to a file:
//   {"time":"2026-11-29T21:00:00.000Z","id":"…","method":"GET","path":"/users/7","status":200,
//    "duration_ms":1.234,"bytes":512,"client_ip":"127.0.0.1"}
// `bytes` is the body as sent (after compression); it is null for a streamed answer whose
// length was not known. `path` is the request target's path, without the query (which may carry
// secrets such as tokens).
import type { WriteStream } from "node:fs";
import type { Exchange, HeaderMap, Middleware } from "../exchange.js";
import { type Config, cfgBool, cfgText, getHeader } from "./headers.js";

const HEADERS_KEY = "access-log.headers";

export interface AccessLogSink {
  write(line: string): void;
}

function fsLib(): typeof import("node:fs") {
  return (process as unknown as { getBuiltinModule(id: string): typeof import("node:fs") }).getBuiltinModule("node:fs");
}

/** Where lines go: stderr, or an append-only file stream opened once per server. */
export function accessLogSink(config: Config): AccessLogSink {
  const file = cfgText(config, "web_server_access_log_file", "");
  if (file === "" || file === "-" || file.toLowerCase() === "stderr") return { write: (line) => void process.stderr.write(line) };
  let stream: WriteStream | null = fsLib().createWriteStream(file, { flags: "a" });
  stream.on("error", (e) => {
    // A log file that cannot be written must not take the server down: say so once, then
    // write to stderr.
    process.stderr.write(`access log: cannot write ${file} (${e.message}); logging to stderr\n`);
    stream = null;
  });
  return { write: (line) => void (stream ? stream.write(line) : process.stderr.write(line)) };
}

function requestPath(url: string | undefined): string {
  const u = url ?? "/";
  const q = u.indexOf("?");
  return q < 0 ? u : u.slice(0, q);
}

export function accessLog(config: Config, sink?: AccessLogSink): Middleware | null {
  if (!cfgBool(config, "web_server_access_log", false)) return null;
  const out = sink ?? accessLogSink(config);
  return {
    name: "access-log",
    onHeaders(ex: Exchange | null, _status: number, headers: HeaderMap): void {
      // The same object is written as the head, so Content-Length read at the end is the one
      // that was sent, whatever later stages changed.
      if (ex !== null) ex.locals.set(HEADERS_KEY, headers);
    },
    onFinish(ex: Exchange, status: number): void {
      const headers = ex.locals.get(HEADERS_KEY) as HeaderMap | undefined;
      const length = headers ? getHeader(headers, "Content-Length") : undefined;
      const bytes = length !== undefined && /^\d+$/.test(length) ? Number(length) : null;
      const entry = {
        time: new Date().toISOString(),
        id: ex.id,
        method: ex.req.method ?? "",
        path: requestPath(ex.req.url),
        status,
        duration_ms: Math.round((performance.now() - ex.startedAt) * 1000) / 1000,
        bytes: ex.req.method === "HEAD" || status === 204 || status === 304 ? 0 : bytes,
        client_ip: String(ex.request.get("client_ip") ?? ex.req.socket.remoteAddress ?? ""),
      };
      out.write(`${JSON.stringify(entry)}\n`);
    },
  };
}
