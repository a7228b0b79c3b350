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

/** Streams the records of sorted cursors in key order (a k-way merge); closes them at the end. */
export function* mergeCursors(cursors: readonly Cursor[], newestFirst: boolean): Generator<Cursor> {
  const heap = new CursorHeap(newestFirst);
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
