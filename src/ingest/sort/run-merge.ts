import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { CursorHeap } from './cursor-heap.js';
import { FileCursor, type Cursor } from './run-cursors.js';
import { RunWriter } from './run-writer.js';

/** A sorted run on disk. */
export interface RunFile {
  path: string;
  bytes: number;
}

/** Default most run files a merge reads at once (each one open file and one read buffer). */
export const DEFAULT_FAN_IN = 256;
/** Read buffers of one merge, shared out among its files. */
const MERGE_BUFFER_BYTES = 64 << 20;
const MIN_READ_BUFFER = 256 << 10;
const MAX_READ_BUFFER = 4 << 20;

/** How a merge runs: where intermediate runs go, how many files it may open, the order of equal keys. */
export interface MergeOptions {
  dir: string;
  fanIn: number;
  newestFirst: boolean;
}

/**
 * Merges runs until at most `fanIn` are left (the multi-level part of the external sort): each pass
 * merges the smallest runs, as many as it takes to get down to `fanIn`, into one new run file and
 * deletes them, so that no more than `fanIn` files are ever open and the fewest bytes are rewritten.
 * Returns the runs left and the number of intermediate merges done.
 */
export function reduceRuns(runs: readonly RunFile[], options: MergeOptions): { runs: RunFile[]; merges: number } {
  if (options.fanIn < 2) throw new RangeError(`a merge needs a fan-in of at least 2, received ${options.fanIn}`);
  const left = [...runs];
  let merges = 0;
  while (left.length > options.fanIn) {
    left.sort((a, b) => a.bytes - b.bytes);
    const group = left.splice(0, Math.min(options.fanIn, left.length - options.fanIn + 1));
    const writer = new RunWriter(join(options.dir, `merged-${merges++}.bin`));
    try {
      for (const c of mergeCursors(openCursors(group), options.newestFirst)) c.copyTo(writer);
    } finally {
      writer.close();
    }
    for (const run of group) unlinkSync(run.path);
    left.push({ path: writer.path, bytes: writer.bytes });
  }
  return { runs: left, merges };
}

/** Opens a cursor per run file, sharing the merge's read buffer bytes among them. */
export function openCursors(runs: readonly RunFile[]): Cursor[] {
  const each = Math.max(MIN_READ_BUFFER, Math.min(MAX_READ_BUFFER, Math.floor(MERGE_BUFFER_BYTES / runs.length)));
  const cursors: Cursor[] = [];
  try {
    for (const run of runs) cursors.push(new FileCursor(run.path, each));
  } catch (err) {
    for (const c of cursors) c.close();
    throw err;
  }
  return cursors;
}

/**
 * The records of sorted cursors in key order (a k-way merge), pulled one at a time: `pull()` moves
 * to the next record and returns its cursor, valid until the next call; undefined at the end, when
 * the cursors are closed (`close()` closes them earlier). Iterating it does the same.
 */
export class CursorMerge {
  private readonly heap: CursorHeap;
  /** The cursor `pull` returned last, to advance on the next call. */
  private current: Cursor | undefined;
  private closed = false;

  constructor(
    private readonly cursors: readonly Cursor[],
    newestFirst: boolean,
  ) {
    this.heap = new CursorHeap(newestFirst);
    try {
      for (const c of cursors) if (c.advance()) this.heap.push(c);
    } catch (err) {
      this.close();
      throw err;
    }
  }

  pull(): Cursor | undefined {
    const heap = this.heap;
    const last = this.current;
    if (last !== undefined) {
      if (last.advance()) heap.fixTop();
      else heap.pop();
    }
    if (heap.size === 0) {
      this.current = undefined;
      this.close();
      return undefined;
    }
    return (this.current = heap.top());
  }

  *[Symbol.iterator](): Generator<Cursor> {
    try {
      for (let c = this.pull(); c !== undefined; c = this.pull()) yield c;
    } finally {
      this.close();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.cursors) c.close();
  }
}

/** Streams the records of sorted cursors in key order (a k-way merge); closes them at the end. */
export function mergeCursors(cursors: readonly Cursor[], newestFirst: boolean): Iterable<Cursor> {
  return new CursorMerge(cursors, newestFirst);
}
