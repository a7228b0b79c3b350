import { join } from 'node:path';
import { copyBytes, viewOf } from '../../bytes.js';
import { UUID_BYTES } from '../../uuid.js';
import { MAX_RECORD_HEADER, putRecordHeader, readRecord, type RecordView } from './run-record.js';
import { MemoryCursor } from './run-cursors.js';
import { CursorMerge, DEFAULT_FAN_IN, openCursors, reduceRuns, type RunFile } from './run-merge.js';
import { RunWriter } from './run-writer.js';
import { MAX_RUN_RECORDS, RunOrder } from './sort-word.js';

/** Default bytes of records sorted in memory before a run is spilled to disk. */
export const DEFAULT_RUN_BYTES = 128 << 20;

/** How a sorter spills and merges. */
export interface RunSorterOptions {
  /** Equal keys come out newest first (default: in input order). */
  newestFirst?: boolean;
  /** Bytes of records held in memory before a run is spilled (default 128 MiB). */
  runBytes?: number;
  /** Prefix of this sorter's run file names, so that several sorters can share a directory. */
  name?: string;
}

/**
 * A bounded-memory sort of pairs by key (an external merge sort). Records are packed into one
 * buffer; when it is full they are sorted and spilled to a run file. `merge()` then streams every
 * pair in ascending key order by a k-way merge of the runs and the last, in-memory, run, merging
 * groups of runs first when there are more than the fan-in. Equal keys come out in the order of
 * their sequence numbers (input order), or newest first, so a duplicate is always next to its twin.
 */
export class RunSorter {
  private data: Buffer;
  private used = 0;
  private count = 0;
  private readonly offsets = new Uint32Array(MAX_RUN_RECORDS);
  private readonly sorted = new RunOrder();
  private readonly runs: RunFile[] = [];
  private readonly newestFirst: boolean;
  private readonly runBytes: number;
  private readonly name: string;
  /** Bytes of all keys and values added, for sizing the data file. */
  pairBytes = 0;
  /** Pairs added. */
  added = 0;

  constructor(
    private readonly dir: string,
    options: RunSorterOptions = {},
  ) {
    this.newestFirst = options.newestFirst ?? false;
    this.runBytes = options.runBytes ?? DEFAULT_RUN_BYTES;
    this.name = options.name ?? '';
    this.data = Buffer.allocUnsafe(this.runBytes);
  }

  /** Number of run files spilled so far. */
  get spilled(): number {
    return this.runs.length;
  }

  /** Adds one pair: 16 key bytes, its sequence number, and its stored value (a JSON string literal). */
  add(key: Uint8Array, seq: number, literal: string): void {
    const size = Buffer.byteLength(literal, 'utf8');
    const at = this.reserve(MAX_RECORD_HEADER + size);
    const valueAt = putRecordHeader(this.data, at, key, seq, size);
    this.added1(at, valueAt, valueAt + this.data.write(literal, valueAt, 'utf8'));
  }

  /** Like `add`, with the stored value already as UTF-8 bytes `bytes[start..end)`. */
  addBytes(key: Uint8Array, seq: number, bytes: Buffer, start: number, end: number): void {
    const at = this.reserve(MAX_RECORD_HEADER + end - start);
    const valueAt = putRecordHeader(this.data, at, key, seq, end - start);
    this.added1(at, valueAt, copyBytes(this.data, valueAt, bytes, start, end - start));
  }

  /** Spills the records still in memory: afterwards every pair added is in the runs returned. */
  finish(): RunFile[] {
    this.spill();
    return [...this.runs];
  }

  /**
   * Streams every pair added here and in the sorted run files `more` (other sorters' runs, of
   * records with sequence numbers of their own), in ascending key order. Call once, after the last
   * `add`. At most `fanIn` run files are open at once: when there are more, groups of them are
   * merged first (`merges` counts those intermediate merges).
   */
  merge(fanIn = DEFAULT_FAN_IN, more: readonly RunFile[] = []): { pairs: CursorMerge; merges: number } {
    this.sorted.sort(this.count, this.data, this.offsets, this.newestFirst);
    const options = { dir: this.dir, fanIn, newestFirst: this.newestFirst };
    const { runs, merges } = reduceRuns([...this.runs, ...more], options);
    const cursors = openCursors(runs);
    cursors.push(new MemoryCursor(this.data, this.offsets, this.sorted.order, this.count));
    return { pairs: new CursorMerge(cursors, this.newestFirst), merges };
  }

  /** Offset where a record of at most `most` bytes can go, spilling the run first when it is full. */
  private reserve(most: number): number {
    if (this.used + most > this.data.length || this.count === MAX_RUN_RECORDS) {
      this.spill();
      if (most > this.data.length) this.data = Buffer.allocUnsafe(most);
    }
    return this.used;
  }

  /** Counts the record just written at `at`, its value at `valueAt..end`. */
  private added1(at: number, valueAt: number, end: number): void {
    const n = this.count++;
    this.offsets[n] = at;
    this.sorted.set(n, this.data, at);
    this.pairBytes += UUID_BYTES + end - valueAt;
    this.used = end;
    this.added++;
  }

  /** Sorts the buffer and writes it out as the next run file. */
  private spill(): void {
    if (this.count === 0) return;
    this.sorted.sort(this.count, this.data, this.offsets, this.newestFirst);
    const writer = new RunWriter(join(this.dir, `${this.name}run-${this.runs.length}.bin`));
    const view: RecordView = { seq: 0, valueAt: 0, end: 0 };
    const dataView = viewOf(this.data);
    try {
      const order = this.sorted.order;
      for (let i = 0; i < this.count; i++) {
        const at = this.offsets[order[i]!]!;
        readRecord(this.data, at, this.used, view);
        writer.append(this.data, at, view.end, dataView);
      }
    } finally {
      writer.close();
    }
    this.runs.push({ path: writer.path, bytes: writer.bytes });
    this.used = 0;
    this.count = 0;
    if (this.data.length > this.runBytes) this.data = Buffer.allocUnsafe(this.runBytes);
  }
}
