// Multipart forms (`multipart/form-data`): read by busboy while the request body streams in, with
// a limit on the whole body and on each file; `parse multipart from req` hands the form over.
import type http from "node:http";
import type { Readable } from "node:stream";
import { WflObject, type Value, typeName } from "../../runtime/values.js";
import { WflRuntimeError } from "../../runtime/errors.js";
import { lazyPackage } from "../../runtime/packages.js";

type BusboyFactory = (config: {
  headers: http.IncomingHttpHeaders;
  limits?: { fileSize?: number; fieldSize?: number; fields?: number; files?: number; parts?: number };
  preservePath?: boolean;
  defParamCharset?: string;
}) => NodeJS.WritableStream & {
  on(ev: "file", cb: (name: string, stream: Readable & { truncated?: boolean }, info: { filename: string | undefined; mimeType: string }) => void): unknown;
  on(ev: "field", cb: (name: string, value: string, info: { valueTruncated: boolean; nameTruncated: boolean; mimeType: string }) => void): unknown;
  on(ev: "partsLimit" | "filesLimit" | "fieldsLimit" | "close", cb: () => void): unknown;
  on(ev: "error", cb: (e: unknown) => void): unknown;
};

const busboyPackage = lazyPackage<BusboyFactory | { default: BusboyFactory }>("busboy", () => import("busboy"));

/** One file part: its bytes, the name the client gave it (never used as a path) and its type. */
export interface FilePart {
  data: Uint8Array;
  filename: string | null;
  contentType: string | null;
}

/**
 * A parsed form. It is a map of field name to value (text for text fields, Binary for files), so
 * `field "k" of form`, `keys of`, `display` and the like work on it; `file`, `filename` and
 * `content type` read the file parts' details.
 */
export class MultipartForm extends WflObject {
  readonly files = new Map<string, FilePart>();
}

export function isMultipart(contentType: string | undefined): boolean {
  return typeof contentType === "string" && /^\s*multipart\/form-data\b/i.test(contentType);
}

/** What reading a request's multipart body produced: the form, or why it could not be read. */
export type FormResult = MultipartForm | { error: string };

export interface MultipartLimits {
  maxBytes: number;
  maxFileBytes: number;
  maxFieldBytes: number;
}

/**
 * Streams `req` through busboy. `onTooLarge` is called (once) as soon as a limit is passed (the
 * caller answers 413); otherwise `done` is called once the whole body has been read, with the form
 * or the error that made it unreadable. `raw` receives the body's chunks while they stay under
 * `keepRawUpTo` bytes in total (so small forms keep `body_bytes`), and null once it is passed.
 */
export function readMultipart(
  req: http.IncomingMessage,
  limits: MultipartLimits,
  keepRawUpTo: number,
  onTooLarge: (why: string) => void,
  done: (form: FormResult, raw: Buffer[] | null) => void,
): void {
  let raw: Buffer[] | null = [];
  let size = 0;
  let finished = false;
  const tooLarge = (why: string): void => {
    if (finished) return;
    finished = true;
    req.unpipe();
    onTooLarge(why);
  };
  let settled = false;
  const finish = (form: FormResult): void => {
    if (finished || settled) return;
    settled = true;
    const deliver = (): void => {
      if (finished) return;
      finished = true;
      done(form, raw);
    };
    if (req.readableEnded) deliver();
    else {
      // An unreadable form: read (and drop) the rest of the body before answering.
      req.unpipe();
      req.on("end", deliver);
      req.resume();
    }
  };
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    tooLarge(`the body is ${declared} bytes, more than the ${limits.maxBytes} allowed`);
    return;
  }
  req.on("data", (c: Buffer) => {
    size += c.length;
    if (size > limits.maxBytes) {
      tooLarge(`the body is more than the ${limits.maxBytes} bytes allowed`);
      return;
    }
    if (raw !== null) {
      if (size <= keepRawUpTo) raw.push(c);
      else raw = null;
    }
  });
  req.pause();
  busboyPackage("parse multipart", "multipart parsing").then((mod) => {
    const factory = typeof mod === "function" ? mod : mod.default;
    let bb: ReturnType<BusboyFactory>;
    try {
      bb = factory({
        headers: req.headers,
        limits: { fileSize: limits.maxFileBytes, fieldSize: limits.maxFieldBytes, fields: 10000, files: 1000, parts: 11000 },
        preservePath: false,
        defParamCharset: "utf8",
      });
    } catch (e) {
      finish({ error: e instanceof Error ? e.message : String(e) });
      return;
    }
    const form = new MultipartForm();
    bb.on("file", (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => { chunks.push(c); });
      stream.on("error", () => {}); // busboy reports the same error on the form too
      stream.on("limit", () => tooLarge(`the file "${name}" is more than the ${limits.maxFileBytes} bytes allowed`));
      stream.on("end", () => {
        if (finished) return;
        const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
        form.set(name, bytes);
        form.files.set(name, { data: bytes, filename: info.filename ?? null, contentType: info.mimeType ?? null });
      });
    });
    bb.on("field", (name, value, info) => {
      if (info.valueTruncated) {
        tooLarge(`the field "${name}" is more than the ${limits.maxFieldBytes} bytes allowed`);
        return;
      }
      form.set(name, value);
      form.files.delete(name);
    });
    bb.on("partsLimit", () => tooLarge("the form has too many parts"));
    bb.on("filesLimit", () => tooLarge("the form has too many files"));
    bb.on("fieldsLimit", () => tooLarge("the form has too many fields"));
    bb.on("error", (e) => finish({ error: e instanceof Error ? e.message : String(e) }));
    bb.on("close", () => finish(form));
    req.pipe(bb);
  }, (e) => finish({ error: e instanceof Error ? e.message : String(e) }));
}

/** The form of `parse multipart from req`, or a WFL error saying why there is none. */
export function formFrom(result: FormResult | undefined, contentType: Value): MultipartForm {
  if (result === undefined) {
    const ct = typeof contentType === "string" && contentType !== "" ? `its Content-Type is ${contentType}` : "it has no Content-Type";
    throw new WflRuntimeError(`The request is not a multipart form (${ct}); parse multipart needs multipart/form-data`, "general");
  }
  if (result instanceof MultipartForm) return result;
  const why = result.error.replace(/^Multipart: /, "").replace(/\.$/, "");
  throw new WflRuntimeError(`The multipart form could not be read: ${why.charAt(0).toLowerCase()}${why.slice(1)}`, "general");
}

export function formOf(v: Value, what: string): MultipartForm {
  if (v instanceof MultipartForm) return v;
  throw new WflRuntimeError(`${what} needs a multipart form (from 'parse multipart from req'), got ${typeName(v)}`, "type");
}

/**
 * Upstream's `parse_multipart of body and content_type`: the parts of a whole multipart body
 * already in memory (so within the plain body limit), as a list of objects with `name`,
 * `filename`, `content_type`, `content` (text) and `content_bytes` (Binary).
 */
export function parseMultipartBody(body: Uint8Array, contentType: string): WflObject[] {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!m) throw new WflRuntimeError("parse_multipart: the content type has no boundary (expected multipart/form-data; boundary=…)", "general");
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delim = Buffer.from(`--${m[1] ?? m[2]}`, "latin1");
  const next = Buffer.from(`\r\n--${m[1] ?? m[2]}`, "latin1");
  const bad = (why: string): never => { throw new WflRuntimeError(`parse_multipart: the multipart body could not be read: ${why}`, "general"); };
  let pos = buf.subarray(0, delim.length).equals(delim) ? 0 : buf.indexOf(next);
  if (pos < 0) bad("no boundary line found");
  if (pos > 0) pos += 2;
  const parts: WflObject[] = [];
  for (;;) {
    pos += delim.length;
    if (buf[pos] === 0x2d && buf[pos + 1] === 0x2d) return parts; // the closing boundary
    const lineEnd = buf.indexOf("\r\n", pos);
    if (lineEnd < 0) bad("unexpected end of form");
    const headEnd = buf.indexOf("\r\n\r\n", lineEnd);
    if (headEnd < 0) bad("unexpected end of form");
    const headers = buf.toString("utf8", lineEnd + 2, headEnd).split("\r\n");
    const end = buf.indexOf(next, headEnd + 4);
    if (end < 0) bad("unexpected end of form");
    let name: string | null = null;
    let filename: string | null = null;
    let type: string | null = null;
    for (const h of headers) {
      const colon = h.indexOf(":");
      if (colon < 0) continue;
      const key = h.slice(0, colon).trim().toLowerCase();
      const value = h.slice(colon + 1).trim();
      if (key === "content-type") type = value;
      if (key === "content-disposition") {
        name = /;\s*name="([^"]*)"/i.exec(value)?.[1] ?? /;\s*name=([^;\s]+)/i.exec(value)?.[1] ?? null;
        const fn = /;\s*filename="([^"]*)"/i.exec(value)?.[1] ?? /;\s*filename=([^;\s]+)/i.exec(value)?.[1];
        // Never a path: only the name's last part is kept.
        if (fn !== undefined) filename = fn.split(/[\\/]/).pop() ?? "";
      }
    }
    const bytes = new Uint8Array(buf.subarray(headEnd + 4, end));
    const part = new WflObject();
    part.set("name", name);
    part.set("filename", filename);
    part.set("content_type", type);
    part.set("content", Buffer.from(bytes).toString("utf8"));
    part.set("content_bytes", bytes);
    parts.push(part);
    pos = end + 2;
  }
}
