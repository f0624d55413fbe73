// gzip/brotli compression of whole (not streamed) bodies, off by default. A body is compressed
// when it is at least `web_server_compression_min_size` bytes, its type is compressible (text,
// JSON, JavaScript, XML, SVG, …), the client's `Accept-Encoding` allows brotli or gzip, and the
// response is none of: already encoded, 204/206/304, marked `Cache-Control: no-transform`.
// Responses of a compressible type say `Vary: Accept-Encoding` whether or not this one was
// compressed, so caches keep the two apart. A strong ETag becomes weak (the bytes changed).
import type * as zlibTypes from "node:zlib";
import type { Exchange, HeaderMap, Middleware } from "../exchange.js";
import { type Config, addVary, cfgBool, cfgInt, cfgList, getHeader, headerKey, requestHeader, setHeader } from "./headers.js";

let zlibModule: typeof zlibTypes | undefined;
function zlib(): typeof zlibTypes {
  zlibModule ??= (process as unknown as { getBuiltinModule(id: string): typeof zlibTypes }).getBuiltinModule("node:zlib");
  return zlibModule;
}

const COMPRESSIBLE = /^(text\/|application\/(json|javascript|ecmascript|xml|xhtml\+xml|rss\+xml|atom\+xml|ld\+json|manifest\+json|graphql|x-javascript|x-www-form-urlencoded|wasm|yaml|toml|csv)|image\/(svg\+xml|x-icon|bmp)|font\/(ttf|otf)|[a-z]+\/[^;]*\+(json|xml))/i;

export function isCompressible(contentType: string | undefined): boolean {
  return contentType !== undefined && COMPRESSIBLE.test(contentType.trim());
}

export type Coding = "br" | "gzip";

/**
 * The coding to use for `accept` (an `Accept-Encoding` value) among `offered` (in the server's
 * order of preference), or null: the highest q wins, ties go to the server's preference, `q=0`
 * refuses, and `*` stands for any coding not named.
 */
export function chooseCoding(accept: string | undefined, offered: readonly Coding[]): Coding | null {
  if (accept === undefined || accept.trim() === "") return null;
  const q = new Map<string, number>();
  for (const part of accept.split(",")) {
    const [name, ...params] = part.trim().split(";");
    const coding = name!.trim().toLowerCase();
    if (coding === "") continue;
    let weight = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) weight = Number(m[1]);
    }
    if (Number.isFinite(weight)) q.set(coding === "x-gzip" ? "gzip" : coding, weight);
  }
  let best: Coding | null = null;
  let bestQ = 0;
  for (const c of offered) {
    const w = q.get(c) ?? q.get("*") ?? 0;
    if (w > bestQ) {
      best = c;
      bestQ = w;
    }
  }
  return best;
}

export interface CompressionSettings {
  minSize: number;
  codings: Coding[];
  gzipLevel: number;
  brotliQuality: number;
}

export function compressionSettings(config: Config): CompressionSettings | null {
  if (!cfgBool(config, "web_server_compression", false)) return null;
  const codings = cfgList(config, "web_server_compression_encodings", ["br", "gzip"])
    .map((c) => c.toLowerCase())
    .filter((c): c is Coding => c === "br" || c === "gzip");
  if (codings.length === 0) return null;
  return {
    minSize: cfgInt(config, "web_server_compression_min_size", 1024),
    codings,
    gzipLevel: Math.min(9, cfgInt(config, "web_server_compression_gzip_level", 6, 1)),
    brotliQuality: Math.min(11, cfgInt(config, "web_server_compression_brotli_quality", 4, 1)),
  };
}

export function compress(body: Buffer, coding: Coding, s: CompressionSettings): Buffer {
  const z = zlib();
  if (coding === "gzip") return z.gzipSync(body, { level: s.gzipLevel });
  return z.brotliCompressSync(body, {
    params: {
      [z.constants.BROTLI_PARAM_QUALITY]: s.brotliQuality,
      [z.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      [z.constants.BROTLI_PARAM_MODE]: z.constants.BROTLI_MODE_TEXT,
    },
  });
}

export function compression(config: Config): Middleware | null {
  const s = compressionSettings(config);
  if (s === null) return null;
  return {
    name: "compression",
    transformBody(ex: Exchange, status: number, headers: HeaderMap, body: Buffer): Buffer {
      if (status < 200 || status === 204 || status === 206 || status === 304) return body;
      if (!isCompressible(getHeader(headers, "Content-Type"))) return body;
      if (headerKey(headers, "Content-Range") !== undefined) return body;
      const existing = getHeader(headers, "Content-Encoding");
      if (existing !== undefined && existing.trim().toLowerCase() !== "identity") return body;
      addVary(headers, "Accept-Encoding");
      if (/(^|,)\s*no-transform\s*(,|$)/i.test(getHeader(headers, "Cache-Control") ?? "")) return body;
      if (body.length < s.minSize) return body;
      const coding = chooseCoding(requestHeader(ex.req.headers, "accept-encoding"), s.codings);
      if (coding === null) return body;
      const packed = compress(body, coding, s);
      if (packed.length >= body.length) return body;
      setHeader(headers, "Content-Encoding", coding);
      setHeader(headers, "Content-Length", String(packed.length));
      const etag = getHeader(headers, "ETag");
      if (etag !== undefined && etag.startsWith('"')) setHeader(headers, "ETag", `W/${etag}`);
      return packed;
    },
  };
}
