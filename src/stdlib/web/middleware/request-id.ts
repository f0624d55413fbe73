// A request id on every response (`X-Request-Id`) and in every access-log line. An id the client
// (or a proxy in front) sent is kept when it is sane — 1 to 128 characters of letters, digits
// and `-_.:@+=/` — so one id follows a request through several services; otherwise the
// exchange's own (a random UUID) is used.
import { randomUUID } from "node:crypto";
import type { Exchange, HeaderMap, Middleware } from "../exchange.js";
import { type Config, cfgBool, rawHeader, setHeader } from "./headers.js";

const SANE_ID = /^[A-Za-z0-9\-_.:@+=/]{1,128}$/;

export function isSaneRequestId(id: string | undefined): id is string {
  return id !== undefined && SANE_ID.test(id);
}

export function requestId(config: Config): Middleware {
  const trustIncoming = cfgBool(config, "web_server_trust_request_id", true);
  return {
    name: "request-id",
    onRequest(ex: Exchange): boolean {
      if (trustIncoming) {
        // The header as the program will see it, read from Node's raw list (the program's
        // `headers` map is only made when the program reads it).
        const incoming = rawHeader(ex.req.rawHeaders, "x-request-id");
        // `id` is read-only for everyone else: only this middleware, first in the list, replaces
        // it, before the program or any other middleware has seen the exchange.
        if (isSaneRequestId(incoming)) (ex as { id: string }).id = incoming;
      }
      return false;
    },
    onHeaders(ex: Exchange | null, _status: number, headers: HeaderMap): void {
      // Answers given before an exchange exists (a malformed request) get a fresh id.
      setHeader(headers, "X-Request-Id", ex?.id ?? randomUUID());
    },
  };
}
