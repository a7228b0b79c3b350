import { mkdir, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { rokvError } from '../errors.js';
import { writeDirAtomically } from '../snapshot/atomic-dir.js';
import { sealSnapshot } from '../snapshot/seal.js';
import { writeDataFile, type LmdbWriterKind } from '../snapshot/lmdb-file.js';
import type { Manifest } from '../snapshot/manifest.js';
import { formatUuid } from '../uuid.js';
import { DistinctPairs } from './distinct-pairs.js';
import { DEFAULT_MAX_VALUE_BYTES, type InputFormat } from './format.js';
import { ParsePool } from './parallel/parse-pool.js';
import { openInputs, placeOf, readInputs, type Input } from './read-inputs.js';
import { RejectLog, type RejectSummary } from './rejects.js';
import type { MergedPair } from './sort/run-cursors.js';
import { KEY_BYTES } from './sort/run-record.js';
import { DEFAULT_FAN_IN } from './sort/run-merge.js';
import { RunSorter } from './sort/run-sorter.js';

/** What to do with a key that appears more than once (in any letter case, at any distance). */
export type DuplicatePolicy = 'error' | 'first' | 'last';

/** Options of a build; every field has a default. */
export interface BuildOptions {
  /** Format of every input; by default each input's extension decides (`-` needs it). */
  format?: InputFormat;
  /** `error` (default) rejects the later rows; `first` / `last` keep that row silently. */
  onDuplicate?: DuplicatePolicy;
  /** Bad rows to skip before the build stops (default 0: the first bad row stops it). */
  maxErrors?: number;
  /** Where to write every rejected row as a JSON line. */
  errorsFile?: string;
  /** Largest value, in UTF-8 bytes (default 1 MiB). */
  maxValueBytes?: number;
  /** Standard input, for the input `-`. */
  stdin?: NodeJS.ReadableStream;
  /** Called now and then while building; cheap to ignore. */
  onProgress?: (progress: BuildProgress) => void;
  /** Bytes of pairs sorted in memory before a run is spilled to disk (default 128 MiB). */
  runBytes?: number;
  /**
   * Threads that parse, validate and sort JSON Lines input (default: one per core); 1 reads in the
   * main thread. Other formats are read in the main thread. The output is the same either way.
   */
  threads?: number;
  /** Most run files merged at once (default 256); more runs are merged in several levels. */
  fanIn?: number;
  /** Which code writes the LMDB file (default: rokv's native addon where it is built, else lmdb-js). */
  lmdbWriter?: LmdbWriterKind;
  /** False fails a build that stores no pair (`rokv build` without --allow-empty); default true. */
  allowEmpty?: boolean;
}

/** Where a build is. Reading counts input bytes; writing counts pairs stored. */
export interface BuildProgress {
  phase: 'read' | 'write';
  rows: number;
  bytesRead: number;
  /** Sum of the input files' sizes; undefined when one is standard input. */
  totalBytes: number | undefined;
  written: number;
  /** Pairs that reached the sort (an upper bound of what is written). */
  sorted: number;
}

/** What a finished build reports. */
export interface BuildResult {
  manifest: Manifest;
  bytes: number;
  seconds: number;
  /** Rows read from the inputs, good and bad. */
  rows: number;
  /** Rows rejected (bad rows and, with `--on-duplicate error`, duplicates). */
  rejects: RejectSummary;
  /** Rows dropped as duplicates of a key already kept. */
  duplicates: number;
  /** Sorted runs spilled to disk. */
  runs: number;
  /** Intermediate merges done because there were more runs than the fan-in. */
  merges: number;
}

/**
 * Builds a snapshot at `out` from one or more inputs (`-` is standard input). Memory stays bounded:
 * readers stream, pairs are sorted in spilled runs, and the merge streams into the LMDB writer in
 * ascending key order. Nothing appears at `out` unless the build succeeds.
 */
export async function buildSnapshot(
  input: string | readonly string[],
  out: string,
  options: BuildOptions = {},
): Promise<BuildResult> {
  const started = process.hrtime.bigint();
  const inputs = await openInputs(typeof input === 'string' ? [input] : input, options);
  const maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
  const policy = options.onDuplicate ?? 'error';
  const rejects = new RejectLog(options.maxErrors ?? 0, options.errorsFile);
  const totalBytes = inputs.every((i) => i.source.size !== undefined)
    ? inputs.reduce((n, i) => n + i.source.size!, 0)
    : undefined;
  const progress: BuildProgress = { phase: 'read', rows: 0, bytesRead: 0, totalBytes, written: 0, sorted: 0 };
  let rows = 0;
  let duplicates = 0;
  let runs = 0;
  let merges = 0;
  const threads = options.threads ?? availableParallelism();
  try {
    const manifest = await writeDirAtomically(out, async (dir) => {
      const runsDir = join(dir, '.runs');
      await mkdir(runsDir);
      const newestFirst = policy === 'last';
      const sorter = new RunSorter(runsDir, { newestFirst, runBytes: options.runBytes, name: 'm-' });
      const pool =
        threads > 1 && inputs.some((i) => i.format === 'jsonl')
          ? new ParsePool(threads, { dir: runsDir, newestFirst, runBytes: options.runBytes, maxValueBytes })
          : undefined;
      let read;
      try {
        read = await readInputs(inputs, sorter, pool, rejects, { maxValueBytes }, (tick) => {
          Object.assign(progress, tick);
          options.onProgress?.(progress);
        });
      } finally {
        await pool?.close();
      }
      rows = read.rows;
      runs = sorter.spilled + read.poolRuns.length;
      progress.phase = 'write';
      const merged = sorter.merge(options.fanIn ?? DEFAULT_FAN_IN, read.poolRuns);
      merges = merged.merges;
      const onDuplicate = policy === 'error' ? duplicateRejecter(inputs, rejects) : () => {};
      const distinct = new DistinctPairs(merged.pairs, onDuplicate, (kept) => {
        progress.written = kept;
        options.onProgress?.(progress);
      });
      let written;
      try {
        written = await writeDataFile(dir, distinct, sorter.pairBytes + read.poolPairBytes, options.lmdbWriter);
      } finally {
        merged.pairs.close();
      }
      duplicates = distinct.duplicates;
      progress.written = distinct.kept;
      if (written.count === 0 && options.allowEmpty === false) {
        throw rokvError('DATASET_EMPTY', inputs.map((i) => i.source.name).join(', '));
      }
      options.onProgress?.(progress);
      await rm(runsDir, { recursive: true, force: true });
      return sealSnapshot(
        dir,
        written,
        inputs.map((i) => (i.source.name === 'stdin' ? 'stdin' : basename(i.source.name))).join(', '),
      );
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const bytes = manifest.files.reduce((n, f) => n + f.bytes, 0);
    return { manifest, bytes, seconds, rows, rejects: rejects.result(), duplicates, runs, merges };
  } finally {
    rejects.close();
  }
}

/** Rejects a dropped duplicate (`--on-duplicate error`), saying where its key was first seen. */
function duplicateRejecter(inputs: readonly Input[], rejects: RejectLog): (p: MergedPair, keptSeq: number) => void {
  return (p, keptSeq) => {
    const { input, place } = placeOf(inputs, p.seq);
    const key = formatUuid(p.bytes.subarray(p.keyAt, p.keyAt + KEY_BYTES));
    rejects.add(place, {
      file: input.source.name,
      line: p.seq - input.seqBase,
      reason: 'duplicate-key',
      key,
      message: `duplicate key ${key} (first seen at ${placeOf(inputs, keptSeq).place}; keys are compared case-insensitively)`,
    });
  };
}
