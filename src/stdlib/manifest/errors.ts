// Rejections of the wflpkg manifest grammar: a stable code (§6 of the grammar, plus the registry's
// own schema codes documented in Docs/manifests.md), one plain sentence and a byte offset.

export type ManifestCode =
  // Gate B: bytes
  | "MG-B01" | "MG-B02" | "MG-B03" | "MG-B04" | "MG-B05" | "MG-B06" | "MG-B07"
  // Gate L: lexical / span
  | "MG-L01" | "MG-L02" | "MG-L03" | "MG-L04" | "MG-L05" | "MG-L06" | "MG-L07" | "MG-L08" | "MG-L09" | "MG-L10" | "MG-L11" | "MG-L12"
  // Gate S: structure
  | "MG-S01" | "MG-S02" | "MG-S03" | "MG-S04" | "MG-S05" | "MG-S06" | "MG-S07"
  // Gate I: identity
  | "MG-I01" | "MG-I02" | "MG-I03"
  // Ours: the version envelope (§9) and the registry schema.
  | "MG-E01" | "MG-E02"
  | "MG-R01" | "MG-R02" | "MG-R03" | "MG-R04" | "MG-R05" | "MG-R06" | "MG-R07";

/** Every code a rejection can carry (the fuzz test checks results against this list). */
export const MANIFEST_CODES: readonly ManifestCode[] = [
  "MG-B01", "MG-B02", "MG-B03", "MG-B04", "MG-B05", "MG-B06", "MG-B07",
  "MG-L01", "MG-L02", "MG-L03", "MG-L04", "MG-L05", "MG-L06", "MG-L07", "MG-L08", "MG-L09", "MG-L10", "MG-L11", "MG-L12",
  "MG-S01", "MG-S02", "MG-S03", "MG-S04", "MG-S05", "MG-S06", "MG-S07",
  "MG-I01", "MG-I02", "MG-I03",
  "MG-E01", "MG-E02",
  "MG-R01", "MG-R02", "MG-R03", "MG-R04", "MG-R05", "MG-R06", "MG-R07",
];

export class ManifestError extends Error {
  constructor(
    readonly code: ManifestCode,
    message: string,
    /** Byte offset into the UTF-8 document. */
    readonly offset: number,
    /** The bytes the offset counts in, when they are not the document's (text with a lone surrogate). */
    readonly prefix?: Uint8Array,
  ) {
    super(message);
  }
}

/**
 * The limits §6 (MG-B06, MG-L12, MG-S07) refers to. §7 of the grammar names no numbers except the
 * string (64 KiB), key (256 bytes) and list (4 096) limits; the others are ours.
 */
export const LIMITS = {
  documentBytes: 1024 * 1024,
  stringBytes: 64 * 1024,
  keyBytes: 256,
  listItems: 4096,
  entriesPerRecord: 1024,
  records: 4096,
  nodes: 65536,
} as const;

/** 1-based line and column (in characters) of a byte offset. */
export function lineColumn(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, bytes.length);
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) { line++; lineStart = i + 1; }
  let column = 1;
  for (let i = lineStart; i < end; i++) if ((bytes[i]! & 0xc0) !== 0x80) column++;
  return { line, column };
}
