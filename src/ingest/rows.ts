/** Why a row was rejected; each reason is counted on its own in the build summary. */
export type RejectReason = 'invalid-row' | 'invalid-key' | 'invalid-value' | 'value-too-large' | 'duplicate-key';

/**
 * Where readers hand their rows. Readers know the syntax of their format; the sink validates and
 * stores. `pos` is the row's line number (or pair number for a JSON object), counted from 1.
 */
export interface RowSink {
  /** A row that has the shape of a pair; its key and value are not checked yet. */
  row(key: unknown, value: unknown, pos: number): void;
  /** A row the reader could not read as a pair at all (broken JSON line, wrong field count). */
  bad(pos: number, reason: RejectReason, why: string): void;
}

/** A sink that also takes pairs a reader has already checked and put in stored form, with no strings made. */
export interface StoredRowSink extends RowSink {
  /** A pair with a valid key (16 bytes) and its value's JSON string literal at `bytes[start..end)`. */
  stored(key: Uint8Array, bytes: Buffer, start: number, end: number, pos: number): void;
}

/** Limits readers enforce so that memory stays bounded whatever the input. */
export interface ReaderLimits {
  /** Longest row a reader buffers before giving up on the file (characters, or bytes for JSONL). */
  maxRowChars: number;
}
