import { endianness } from 'node:os';
import { KEY_BYTES, keyHead } from './run-record.js';

/**
 * Sorting a run's records by key with a native typed-array sort: each record gets a 64-bit sort
 * word, the key's first KEY_PREFIX_BITS bits above the record's index, and BigUint64Array#sort
 * orders the words. Records whose prefixes tie are put right by a full key comparison afterwards.
 */
const INDEX_BITS = 22;
/** Most records a run holds: the record index must fit the sort word's low bits. */
export const MAX_RUN_RECORDS = 1 << INDEX_BITS;
const INDEX_MASK = MAX_RUN_RECORDS - 1;
/** Bits of the key's fifth and sixth bytes that fit in the low half beside the index. */
const LOW_KEY_BITS = 32 - INDEX_BITS;

// The words are written and read as two u32 halves through a Uint32Array view: which half is the
// high one depends on the machine's byte order.
const HIGH = endianness() === 'LE' ? 1 : 0;
const LOW = 1 - HIGH;

/** Sort words for up to MAX_RUN_RECORDS records, and the sorted order they yield. */
export class RunOrder {
  private readonly words = new BigUint64Array(MAX_RUN_RECORDS);
  private readonly halves = new Uint32Array(this.words.buffer);
  /** Record indexes in key order, after `sort`. */
  readonly order = new Uint32Array(MAX_RUN_RECORDS);

  /** Sets record `n`'s sort word from its key at `data[at..]`. */
  set(n: number, data: Buffer, at: number): void {
    this.halves[2 * n + HIGH] = keyHead(data, at);
    this.halves[2 * n + LOW] = ((((data[at + 4]! << 8) | data[at + 5]!) >>> (16 - LOW_KEY_BITS)) << INDEX_BITS) | n;
  }

  /**
   * Sorts records 0..count-1 into `order` by key; equal keys keep index order, or the reverse with
   * `newestFirst`. `offsets[i]` is where record i's key starts in `data`.
   */
  sort(count: number, data: Buffer, offsets: Uint32Array, newestFirst: boolean): void {
    this.words.subarray(0, count).sort();
    const h = this.halves;
    const order = this.order;
    for (let i = 0; i < count; i++) order[i] = h[2 * i + LOW]! & INDEX_MASK;
    const sign = newestFirst ? -1 : 1;
    const byKey = (a: number, b: number): number =>
      data.compare(data, offsets[b], offsets[b]! + KEY_BYTES, offsets[a], offsets[a]! + KEY_BYTES) || sign * (a - b);
    for (let i = 0; i < count;) {
      let j = i + 1;
      while (
        j < count &&
        h[2 * j + HIGH] === h[2 * i + HIGH] &&
        h[2 * j + LOW]! >>> INDEX_BITS === h[2 * i + LOW]! >>> INDEX_BITS
      )
        j++;
      if (j - i > 1) order.subarray(i, j).sort(byKey);
      i = j;
    }
  }
}
