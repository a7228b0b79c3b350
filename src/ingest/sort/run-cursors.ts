import { closeSync, openSync, readSync } from 'node:fs';
import { viewOf } from '../../bytes.js';
import type { PairView } from '../../snapshot/lmdb-file.js';
import { keyHead, readRecord, type RecordView } from './run-record.js';
import type { RunWriter } from './run-writer.js';

/** A pair coming out of a merge, in place in the merge's buffers: valid until the merge moves on. */
export interface MergedPair extends PairView {
  bytes: Buffer;
  /** The pair's sequence number: its place in the input, in input order. */
  seq: number;
}

/** A sorted run read in order during a merge; its fields describe the current record. */
export interface Cursor extends MergedPair {
  /** The key's first four bytes as a number: most comparisons end here. */
  head: number;
  /** Moves to the next record; false at the end of the run. */
  advance(): boolean;
  /** Appends the current record, as it is, to a run file. */
  copyTo(writer: RunWriter): void;
  close(): void;
}

/** The current record of a cursor, read from a record's bytes. */
abstract class RecordCursor implements Cursor {
  bytes: Buffer = Buffer.alloc(0);
  dataView: DataView = viewOf(this.bytes);
  keyAt = 0;
  valueAt = 0;
  valueEnd = 0;
  seq = 0;
  head = 0;
  protected readonly view: RecordView = { seq: 0, valueAt: 0, end: 0 };

  abstract advance(): boolean;
  abstract close(): void;

  copyTo(writer: RunWriter): void {
    writer.append(this.bytes, this.keyAt, this.valueEnd, this.dataView);
  }

  /** Takes the record at `start` of `buf`, already read into `view`: offsets only, no copy, no view object. */
  protected take(buf: Buffer, start: number): void {
    const v = this.view;
    if (buf !== this.bytes) {
      this.bytes = buf;
      this.dataView = viewOf(buf);
    }
    this.keyAt = start;
    this.valueAt = v.valueAt;
    this.valueEnd = v.end;
    this.seq = v.seq;
    this.head = keyHead(buf, start);
  }
}

/** The last run, still in memory: records of `data` at `offsets`, visited in `order`. */
export class MemoryCursor extends RecordCursor {
  private i = 0;

  constructor(
    private readonly data: Buffer,
    private readonly offsets: Uint32Array,
    private readonly order: Uint32Array,
    private readonly count: number,
  ) {
    super();
  }

  advance(): boolean {
    if (this.i >= this.count) return false;
    const at = this.offsets[this.order[this.i++]!]!;
    readRecord(this.data, at, this.data.length, this.view);
    this.take(this.data, at);
    return true;
  }

  close(): void {}
}

/** A run file read through a buffer of its own. */
export class FileCursor extends RecordCursor {
  private data: Buffer;
  private next = 0;
  private filled = 0;
  private fd: number;
  private eof = false;

  constructor(
    readonly path: string,
    bufferBytes: number,
  ) {
    super();
    this.fd = openSync(path, 'r');
    this.data = Buffer.allocUnsafe(bufferBytes);
  }

  advance(): boolean {
    for (;;) {
      if (this.next < this.filled) {
        readRecord(this.data, this.next, this.filled, this.view);
        if (this.view.end !== 0) {
          this.take(this.data, this.next);
          this.next = this.view.end;
          return true;
        }
      }
      if (this.eof) {
        if (this.next === this.filled) return false;
        throw new Error(`run file ${this.path} ends inside a record`);
      }
      this.refill();
    }
  }

  /** Moves the unread bytes to the front (growing the buffer when one record fills it) and reads more. */
  private refill(): void {
    const left = this.filled - this.next;
    if (left === this.data.length) {
      const bigger = Buffer.allocUnsafe(this.data.length * 2);
      this.data.copy(bigger, 0, this.next, this.filled);
      this.data = bigger;
    } else this.data.copyWithin(0, this.next, this.filled);
    this.next = 0;
    this.filled = left;
    const got = readSync(this.fd, this.data, this.filled, this.data.length - this.filled, null);
    if (got === 0) this.eof = true;
    this.filled += got;
  }

  close(): void {
    if (this.fd !== -1) closeSync(this.fd);
    this.fd = -1;
  }
}
