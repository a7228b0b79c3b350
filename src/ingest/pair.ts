/** A pair as a reader found it, before validation, with where it came from for error messages. */
export interface RawPair {
  key: unknown;
  value: unknown;
  /** Human location: `file:line` or `file, key #n`. */
  where: string;
}
