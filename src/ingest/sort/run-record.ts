import { UUID_BYTES } from '../../uuid.js';

/**
 * The record of one pair in a run, in memory and in run files alike (so spilling and intermediate
 * merges copy records as they are): 16 key bytes, the pair's sequence number (its place in the
 * input, the tie-break between equal keys) as a varint, the value's length as a varint, then the
 * stored value bytes. Varints keep the run files smaller than the snapshot they become.
 */
export const KEY_BYTES = UUID_BYTES;

/** Most bytes a varint of a safe integer takes (7 bits a byte). */
const MAX_VARINT_BYTES = 8;

/** Most bytes a record's fields other than its value take. */
export const MAX_RECORD_HEADER = KEY_BYTES + 2 * MAX_VARINT_BYTES;

/** Writes `v` (a safe integer >= 0) as a varint at `at`; returns the offset after it. */
export function putVarint(b: Buffer, at: number, v: number): number {
  while (v >= 0x80) {
    b[at++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  b[at++] = v;
  return at;
}

/** Writes a record's key, sequence number and value length at `at`; returns where its value goes. */
export function putRecordHeader(b: Buffer, at: number, key: Uint8Array, seq: number, valueBytes: number): number {
  b.set(key, at);
  return putVarint(b, putVarint(b, at + KEY_BYTES, seq), valueBytes);
}

/** The fields of a record as read from a buffer; `end` is 0 when the buffer ends inside the record. */
export interface RecordView {
  seq: number;
  valueAt: number;
  end: number;
}

/** Where the varint readVarint read last ended, or -1 when the bytes ran out inside it. */
let varintEnd = 0;

/** Reads the varint at `i` of `b`, whose bytes end at `limit`; its end goes to `varintEnd`. */
function readVarint(b: Buffer, i: number, limit: number): number {
  let v = 0;
  for (let scale = 1; i < limit; scale *= 0x80) {
    const byte = b[i++]!;
    v += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      varintEnd = i;
      return v;
    }
  }
  varintEnd = -1;
  return 0;
}

/**
 * Reads the record at `at` from `b`, which holds bytes up to `limit`, into `view`. Plain byte
 * arithmetic: Buffer's read methods check their arguments on every call, a cost the merge feels.
 */
export function readRecord(b: Buffer, at: number, limit: number, view: RecordView): void {
  view.end = 0;
  const seq = readVarint(b, at + KEY_BYTES, limit);
  if (varintEnd < 0) return;
  const len = readVarint(b, varintEnd, limit);
  if (varintEnd < 0 || varintEnd + len > limit) return;
  view.seq = seq;
  view.valueAt = varintEnd;
  view.end = varintEnd + len;
}

/** The key's first four bytes as an unsigned number: most key comparisons end with it. */
export function keyHead(b: Uint8Array, at: number): number {
  return b[at]! * 0x1000000 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
}

/**
 * Compares the keys at `a[i..]` and `b[j..]` from their fifth byte on (callers compare keyHead
 * first): a loop, as a Buffer#compare call with offsets costs more than comparing 12 bytes.
 */
export function compareKeyTails(a: Uint8Array, i: number, b: Uint8Array, j: number): number {
  for (let k = 4; k < KEY_BYTES; k++) {
    const d = a[i + k]! - b[j + k]!;
    if (d !== 0) return d;
  }
  return 0;
}
