/** A source range as offsets into the file text; lines and columns are computed only when shown. */
export interface Span {
  readonly start: number;
  readonly end: number;
}
