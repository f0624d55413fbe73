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
