import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { UUID_BYTES } from '../uuid.js';

/**
 * Record layout, in memory and in run files: 16 key bytes, source index (u32 LE), position (two u32
 * LE, low then high), value length (u32 LE), then the stored value bytes.
 */
const HEADER = 32;
const SRC_AT = 16;
const POS_AT = 20;
const LEN_AT = 28;

// Plain byte arithmetic: Buffer's read/write methods check their arguments on every call, which
// showed up as the largest single cost of the merge.
function u32le(b: Buffer, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000;
}

function u32be(b: Buffer, at: number): number {
  return b[at]! * 0x1000000 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
}

/** Copies `src[start..end)` to `dst` at `at`; short copies by hand, where Buffer#copy's checks cost more than the copy. */
function copyBytes(src: Buffer, start: number, end: number, dst: Buffer, at: number): number {
  const n = end - start;
  if (n < 64) for (let i = 0; i < n; i++) dst[at + i] = src[start + i]!;
  else dst.set(src.subarray(start, end), at);
  return n;
}

function putU32le(b: Buffer, at: number, v: number): void {
  b[at] = v;
  b[at + 1] = v >>> 8;
  b[at + 2] = v >>> 16;
  b[at + 3] = v >>> 24;
}

/** Records per run: the record index lives in the low 20 bits of the 64-bit sort word. */
const MAX_RECORDS = 1 << 20;
const INDEX_MASK = MAX_RECORDS - 1;

if (endianness() !== 'LE')
  throw new Error('rokv build expects a little-endian machine (sort words are read as two u32 halves)');

/** A pair coming out of the merge, valid until the merge moves on. */
export interface MergedPair {
  key: Buffer;
  value: Buffer;
  /** Index of the input the pair came from. */
  src: number;
  /** Line (or pair number) of the pair in its input. */
  pos: number;
}

/**
 * A bounded-memory sort of pairs by key (an external merge sort). Pairs are packed into one buffer;
 * when it is full they are sorted and spilled to a run file in binary form. `merge()` then streams
 * every pair in ascending key order by a k-way merge of the runs and the last, in-memory, run.
 * Memory is one run buffer plus a read buffer per run, whatever the input size. Equal keys come out
 * in input order, or newest first with `newestFirst`, so a duplicate is always next to its twin.
 */
export class RunSorter {
  private data: Buffer;
  private used = 0;
  private count = 0;
  private readonly offsets = new Uint32Array(MAX_RECORDS);
  private readonly words = new BigUint64Array(MAX_RECORDS);
  private readonly halves = new Uint32Array(this.words.buffer);
  private readonly order = new Uint32Array(MAX_RECORDS);
  private readonly runs: string[] = [];
  /** Bytes of all keys and values added, for sizing the data file. */
  pairBytes = 0;
  /** Pairs added. */
  added = 0;

  constructor(
    private readonly dir: string,
    private readonly newestFirst = false,
    private readonly runBytes = 64 << 20,
  ) {
    this.data = Buffer.allocUnsafe(runBytes);
  }

  /** Number of run files spilled so far. */
  get spilled(): number {
    return this.runs.length;
  }

  /** Adds one pair: 16 key bytes, where it came from, and its stored value (a JSON string literal). */
  add(key: Uint8Array, src: number, pos: number, literal: string): void {
    const at = this.reserve(HEADER + literal.length * 3);
    this.record(at, key, src, pos, this.data.write(literal, at + HEADER, 'utf8'));
  }

  /** Like `add`, with the stored value already as UTF-8 bytes `bytes[start..end)`. */
  addBytes(key: Uint8Array, src: number, pos: number, bytes: Buffer, start: number, end: number): void {
    const at = this.reserve(HEADER + end - start);
    this.record(at, key, src, pos, copyBytes(bytes, start, end, this.data, at + HEADER));
  }

  /** Offset where a record of at most `most` bytes can go, spilling the run first when it is full. */
  private reserve(most: number): number {
    if (this.used + most > this.data.length || this.count === MAX_RECORDS) {
      this.spill();
      if (most > this.data.length) this.data = Buffer.allocUnsafe(most);
    }
    return this.used;
  }

  private record(at: number, key: Uint8Array, src: number, pos: number, len: number): void {
    const d = this.data;
    d.set(key, at);
    putU32le(d, at + SRC_AT, src);
    putU32le(d, at + POS_AT, pos % 0x100000000);
    putU32le(d, at + POS_AT + 4, Math.floor(pos / 0x100000000));
    putU32le(d, at + LEN_AT, len);
    const n = this.count++;
    this.offsets[n] = at;
    // Sort word: the key's first 44 bits above the record index, so a native typed-array sort does
    // the work; records whose 44-bit prefixes tie are put right by a full comparison afterwards.
    this.halves[2 * n + 1] = u32be(d, at);
    this.halves[2 * n] = (((d[at + 4]! << 4) | (d[at + 5]! >> 4)) << 20) | n;
    this.used = at + HEADER + len;
    this.pairBytes += UUID_BYTES + len;
    this.added++;
  }

  /** Streams every pair added, in ascending key order. Call once, after the last `add`. */
  *merge(): Generator<MergedPair> {
    this.sortRun();
    const cursors: Cursor[] = this.runs.map(
      (path, i) => new FileCursor(path, i, Math.max(256 << 10, Math.min(4 << 20, (64 << 20) / this.runs.length))),
    );
    cursors.push(new MemoryCursor(this.data, this.offsets, this.order, this.count, this.runs.length));
    const heap = new CursorHeap(this.newestFirst);
    try {
      for (const c of cursors) if (c.advance()) heap.push(c);
      while (heap.size > 0) {
        const top = heap.top();
        yield top;
        if (top.advance()) heap.fixTop();
        else heap.pop();
      }
    } finally {
      for (const c of cursors) c.close();
    }
  }

  /** Sorts the records in the buffer into `order`. */
  private sortRun(): void {
    const n = this.count;
    this.words.subarray(0, n).sort();
    const h = this.halves;
    const order = this.order;
    for (let i = 0; i < n; i++) order[i] = h[2 * i]! & INDEX_MASK;
    const d = this.data;
    const offsets = this.offsets;
    const sign = this.newestFirst ? -1 : 1;
    const byKey = (a: number, b: number): number =>
      d.compare(d, offsets[b], offsets[b]! + UUID_BYTES, offsets[a], offsets[a]! + UUID_BYTES) || sign * (a - b);
    for (let i = 0; i < n;) {
      let j = i + 1;
      while (j < n && h[2 * j + 1] === h[2 * i + 1] && h[2 * j]! >>> 20 === h[2 * i]! >>> 20) j++;
      if (j - i > 1) order.subarray(i, j).sort(byKey);
      i = j;
    }
  }

  /** Sorts the buffer and writes it out as the next run file. */
  private spill(): void {
    if (this.count === 0) return;
    this.sortRun();
    const path = join(this.dir, `run-${this.runs.length}.bin`);
    const fd = openSync(path, 'wx');
    try {
      const out = Buffer.allocUnsafe(4 << 20);
      let fill = 0;
      for (let i = 0; i < this.count; i++) {
        const at = this.offsets[this.order[i]!]!;
        const size = HEADER + u32le(this.data, at + LEN_AT);
        if (fill + size > out.length) {
          writeAll(fd, out, fill);
          fill = 0;
        }
        if (size > out.length) writeAll(fd, this.data.subarray(at, at + size), size);
        else {
          out.set(this.data.subarray(at, at + size), fill);
          fill += size;
        }
      }
      writeAll(fd, out, fill);
    } finally {
      closeSync(fd);
    }
    this.runs.push(path);
    this.used = 0;
    this.count = 0;
    if (this.data.length > this.runBytes) this.data = Buffer.allocUnsafe(this.runBytes);
  }
}

function writeAll(fd: number, buf: Buffer, length: number): void {
  for (let done = 0; done < length;) done += writeSync(fd, buf, done, length - done);
}

/** A run being read in order during the merge; its fields describe the current record. */
interface Cursor extends MergedPair {
  /** The key's first four bytes as a number: most comparisons end here. */
  head: number;
  /** Position of the run in input order, the tie-break for equal keys. */
  readonly run: number;
  advance(): boolean;
  close(): void;
}

/** The current record of a cursor, read from a record's bytes. */
abstract class RecordCursor implements Cursor {
  key: Buffer = Buffer.alloc(0);
  value: Buffer = Buffer.alloc(0);
  src = 0;
  pos = 0;
  head = 0;

  constructor(readonly run: number) {}

  abstract advance(): boolean;
  abstract close(): void;

  protected read(buf: Buffer, at: number): void {
    const len = u32le(buf, at + LEN_AT);
    this.key = buf.subarray(at, at + UUID_BYTES);
    this.value = buf.subarray(at + HEADER, at + HEADER + len);
    this.src = u32le(buf, at + SRC_AT);
    this.pos = u32le(buf, at + POS_AT) + u32le(buf, at + POS_AT + 4) * 0x100000000;
    this.head = u32be(buf, at);
  }
}

class MemoryCursor extends RecordCursor {
  private i = 0;

  constructor(
    private readonly data: Buffer,
    private readonly offsets: Uint32Array,
    private readonly order: Uint32Array,
    private readonly count: number,
    run: number,
  ) {
    super(run);
  }

  advance(): boolean {
    if (this.i >= this.count) return false;
    this.read(this.data, this.offsets[this.order[this.i++]!]!);
    return true;
  }

  close(): void {}
}

class FileCursor extends RecordCursor {
  private buf: Buffer;
  private start = 0;
  private end = 0;
  private fd: number;
  private eof = false;

  constructor(path: string, run: number, bufferBytes: number) {
    super(run);
    this.fd = openSync(path, 'r');
    this.buf = Buffer.allocUnsafe(bufferBytes);
  }

  advance(): boolean {
    if (!this.ensure(HEADER)) return false;
    const size = HEADER + u32le(this.buf, this.start + LEN_AT);
    if (!this.ensure(size)) throw new Error('a run file ends inside a record');
    this.read(this.buf, this.start);
    this.start += size;
    return true;
  }

  /** Makes `n` bytes available from `start`; false at a clean end of the file. */
  private ensure(n: number): boolean {
    if (this.end - this.start >= n) return true;
    const left = this.end - this.start;
    if (n > this.buf.length) {
      const bigger = Buffer.allocUnsafe(n);
      this.buf.copy(bigger, 0, this.start, this.end);
      this.buf = bigger;
    } else {
      this.buf.copyWithin(0, this.start, this.end);
    }
    this.start = 0;
    this.end = left;
    while (!this.eof && this.end < n) {
      const got = readSync(this.fd, this.buf, this.end, this.buf.length - this.end, null);
      if (got === 0) this.eof = true;
      this.end += got;
    }
    if (this.end >= n) return true;
    if (this.end === 0) return false;
    throw new Error('a run file ends inside a record');
  }

  close(): void {
    if (this.fd !== -1) closeSync(this.fd);
    this.fd = -1;
  }
}

/** A binary min-heap of cursors by (key, run order). */
class CursorHeap {
  private readonly items: Cursor[] = [];

  constructor(private readonly newestFirst: boolean) {}

  get size(): number {
    return this.items.length;
  }

  top(): Cursor {
    return this.items[0]!;
  }

  push(c: Cursor): void {
    const a = this.items;
    a.push(c);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }

  pop(): void {
    const last = this.items.pop()!;
    if (this.items.length > 0) {
      this.items[0] = last;
      this.fixTop();
    }
  }

  /** Restores the heap after the top cursor advanced. */
  fixTop(): void {
    const a = this.items;
    const n = a.length;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const m = r < n && this.less(a[r]!, a[l]!) ? r : l;
      if (!this.less(a[m]!, a[i]!)) return;
      [a[i], a[m]] = [a[m]!, a[i]!];
      i = m;
    }
  }

  private less(x: Cursor, y: Cursor): boolean {
    if (x.head !== y.head) return x.head < y.head;
    const c = x.key.compare(y.key);
    if (c !== 0) return c < 0;
    return this.newestFirst ? x.run > y.run : x.run < y.run;
  }
}
