import { jsonType, preview } from '../errors.js';
import { formatUuid, parseUuid, UUID_BYTES } from '../uuid.js';
import type { Rejection } from './rejects.js';
import type { RejectReason, StoredRowSink } from './rows.js';
import type { RunSorter } from './sort/run-sorter.js';

/** How an input names a row's place: a line number, or the pair number inside a JSON object. */
export type PositionUnit = 'line' | 'pair';

/** Formats a row's place for messages: `file:12` or `file, pair #12`. */
export function describePlace(file: string, unit: PositionUnit, pos: number): string {
  return unit === 'line' ? `${file}:${pos}` : `${file}, pair #${pos}`;
}

/** Where rejected rows go: the build's RejectLog, or a worker thread's list sent back to it. */
export interface RejectSink {
  add(where: string, rejection: Rejection): void;
}

/**
 * The sink for one input: checks each row (key a canonical UUIDv4, value a string within the size
 * limit) and hands valid pairs, in stored form, to the sorter; bad rows go to the reject log.
 */
export class PairValidator implements StoredRowSink {
  private readonly key = new Uint8Array(UUID_BYTES);
  /** Rows seen, good or bad. */
  rows = 0;
  /** The last position seen: the input's positions are `seqBase + 1 ..= seqBase + lastPos`. */
  lastPos = 0;

  constructor(
    private readonly seqBase: number,
    private readonly file: string,
    private readonly unit: PositionUnit,
    private readonly sorter: RunSorter,
    private readonly rejects: RejectSink,
    private readonly maxValueBytes: number,
  ) {}

  row(key: unknown, value: unknown, pos: number): void {
    this.rows++;
    this.lastPos = pos;
    if (typeof key !== 'string') {
      const why = key === undefined ? 'row has no "key" field' : `key must be a string UUIDv4, found ${jsonType(key)}`;
      return this.reject(pos, 'invalid-key', why);
    }
    if (parseUuid(key, this.key) === undefined) {
      return this.reject(pos, 'invalid-key', `key ${preview(key)} is not a canonical UUIDv4`, key);
    }
    if (typeof value !== 'string') {
      const why =
        value === undefined
          ? `key ${key} has no "value" field`
          : `value of key ${key} must be a string, found ${jsonType(value)}`;
      return this.reject(pos, 'invalid-value', why, key);
    }
    // A UTF-16 unit is at most 3 UTF-8 bytes: only long values need their exact size counted.
    if (value.length * 3 > this.maxValueBytes) {
      const bytes = Buffer.byteLength(value, 'utf8');
      if (bytes > this.maxValueBytes) {
        return this.reject(
          pos,
          'value-too-large',
          `value of key ${key} has ${bytes} bytes, over the limit of ${this.maxValueBytes} (--max-value-bytes)`,
          key,
        );
      }
    }
    this.sorter.add(this.key, this.seqBase + pos, JSON.stringify(value));
  }

  stored(key: Uint8Array, bytes: Buffer, start: number, end: number, pos: number): void {
    this.rows++;
    this.lastPos = pos;
    // The literal has no escapes (the reader's fast path guarantees it): its content is the value.
    const size = end - start - 2;
    if (size > this.maxValueBytes) {
      const k = formatUuid(key);
      return this.reject(
        pos,
        'value-too-large',
        `value of key ${k} has ${size} bytes, over the limit of ${this.maxValueBytes} (--max-value-bytes)`,
        k,
      );
    }
    this.sorter.addBytes(key, this.seqBase + pos, bytes, start, end);
  }

  bad(pos: number, reason: RejectReason, why: string): void {
    this.rows++;
    this.lastPos = pos;
    this.reject(pos, reason, why);
  }

  private reject(pos: number, reason: RejectReason, message: string, key?: string): void {
    this.rejects.add(describePlace(this.file, this.unit, pos), {
      file: this.file,
      line: pos,
      reason,
      ...(key === undefined ? {} : { key }),
      message,
    });
  }
}
