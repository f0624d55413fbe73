// Who the client is, behind a reverse proxy. A server behind nginx (or any proxy) sees every
// connection come from the proxy, so per-address rate limits and logs would lump all clients
// together. With `web_server_trusted_proxies` set in `.wflcfg` (addresses such as
// `127.0.0.1, ::1`), a request whose connection comes from one of them takes its `client_ip` from
// `X-Forwarded-For`: the nearest address in it that is not itself a trusted proxy (read from the
// right, since each proxy appends the address it saw; what the client wrote itself is on the left
// and never trusted past a proxy we do not know). A connection from anywhere else keeps its own
// address whatever it sends, so a client cannot choose its address by sending the header.
import type * as http from "node:http";
import { isIP } from "node:net";
import { rawHeader, type Config } from "./middleware/headers.js";

/** An address as compared: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as plain IPv4, lower case. */
function canonical(address: string): string {
  const a = address.trim().toLowerCase();
  return a.startsWith("::ffff:") && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}

/** The trusted proxies `.wflcfg` names, or null when it names none (the usual case). */
export function trustedProxiesFrom(config: Config | undefined): ReadonlySet<string> | null {
  const listed = (config?.get("web_server_trusted_proxies") ?? "")
    .split(",")
    .map(canonical)
    .filter((a) => isIP(a) !== 0);
  return listed.length === 0 ? null : new Set(listed);
}

/** The request's client address (see above). */
export function clientAddress(req: http.IncomingMessage, trusted: ReadonlySet<string> | null): string {
  const peer = req.socket.remoteAddress ?? "";
  if (trusted === null || !trusted.has(canonical(peer))) return peer;
  const forwarded = rawHeader(req.rawHeaders, "x-forwarded-for");
  if (forwarded === undefined) return peer;
  const hops = forwarded.split(",");
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = canonical(hops[i]!);
    if (isIP(hop) === 0) return peer; // not an address: the header is not to be believed
    if (!trusted.has(hop)) return hop;
  }
  return peer; // every hop is a trusted proxy
}
