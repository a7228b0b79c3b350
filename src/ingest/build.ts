import { mkdir, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { copyBytes } from '../bytes.js';
import { rokvError } from '../errors.js';
import { writeDirAtomically } from '../snapshot/atomic-dir.js';
import { sealSnapshot } from '../snapshot/seal.js';
import { writeDataFile, type LmdbWriterKind } from '../snapshot/lmdb-file.js';
import type { Manifest } from '../snapshot/manifest.js';
import { formatUuid } from '../uuid.js';
import { DEFAULT_MAX_VALUE_BYTES, formatFromName, type InputFormat } from './format.js';
import { readCsv } from './read-csv.js';
import { readJsonObject } from './read-json-object.js';
import { readJsonl } from './read-jsonl.js';
import { RejectLog, type RejectSummary } from './rejects.js';
import type { StoredRowSink } from './rows.js';
import { ParsePool } from './parallel/parse-pool.js';
import type { MergedPair } from './sort/run-cursors.js';
import { compareKeyTails, KEY_BYTES, keyHead } from './sort/run-record.js';
import { DEFAULT_FAN_IN, type RunFile } from './sort/run-merge.js';
import { RunSorter } from './sort/run-sorter.js';
import { openSource, type Source } from './source.js';
import { decodeUtf8 } from './utf8-text.js';
import { describePlace, PairValidator, type PositionUnit } from './validate.js';

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

type Reader = (bytes: AsyncIterable<Buffer>, sink: StoredRowSink, name: string, maxRowChars: number) => Promise<void>;

const READERS: Record<InputFormat, Reader> = {
  json: (bytes, sink, name) => readJsonObject(decodeUtf8(bytes, name), sink, name),
  jsonl: (bytes, sink, name, maxRowChars) => readJsonl(bytes, sink, name, { maxRowChars }),
  csv: (bytes, sink, name, maxRowChars) => readCsv(decodeUtf8(bytes, name), sink, name, ',', { maxRowChars }),
  tsv: (bytes, sink, name, maxRowChars) => readCsv(decodeUtf8(bytes, name), sink, name, '\t', { maxRowChars }),
};

interface Input {
  source: Source;
  format: InputFormat;
  unit: PositionUnit;
  /** Sequence number of the input's position 0: positions of later inputs come after (see PairValidator). */
  seqBase: number;
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
      let poolRuns: RunFile[] = [];
      let poolPairBytes = 0;
      try {
        let doneBytes = 0;
        let seqBase = 0;
        for (const input of inputs) {
          const { source, format, unit } = input;
          input.seqBase = seqBase;
          let inputRows = 0;
          const tick = (): void => {
            progress.rows = rows + inputRows;
            progress.bytesRead = doneBytes + source.bytesRead();
            progress.sorted = sorter.added + (pool ? progress.rows - rejects.result().total : 0);
            options.onProgress?.(progress);
          };
          const maxRowChars = maxValueBytes * 6 + 4096;
          if (pool && format === 'jsonl') {
            const read = await pool.read(
              { name: source.name, seqBase, chunks: source.chunks() },
              { maxRowChars },
              rejects,
              (n) => {
                inputRows = n;
                tick();
              },
            );
            inputRows = read.rows;
            seqBase += read.lastLine + 1;
          } else {
            const sink = new PairValidator(seqBase, source.name, unit, sorter, rejects, maxValueBytes);
            const sinkTick = (): void => {
              inputRows = sink.rows;
              tick();
            };
            await READERS[format](ticking(source.chunks(), sinkTick), sink, source.name, maxRowChars);
            inputRows = sink.rows;
            seqBase += sink.lastPos + 1;
          }
          tick();
          rows += inputRows;
          doneBytes += source.bytesRead();
        }
        if (pool) {
          const finished = await pool.finish();
          poolRuns = finished.runs;
          poolPairBytes = finished.pairBytes;
        }
      } finally {
        await pool?.close();
      }
      runs = sorter.spilled + poolRuns.length;
      progress.phase = 'write';
      const inputOf = (seq: number): Input => {
        let i = inputs.length - 1;
        while (i > 0 && inputs[i]!.seqBase >= seq) i--;
        return inputs[i]!;
      };
      const placeOf = (seq: number): string => {
        const input = inputOf(seq);
        return describePlace(input.source.name, input.unit, seq - input.seqBase);
      };
      const merged = sorter.merge(options.fanIn ?? DEFAULT_FAN_IN, poolRuns);
      const kept = function* (): Generator<MergedPair> {
        const last = Buffer.alloc(KEY_BYTES);
        let lastSeq = -1;
        for (const p of merged.pairs) {
          if (
            lastSeq !== -1 &&
            keyHead(p.bytes, p.keyAt) === keyHead(last, 0) &&
            compareKeyTails(p.bytes, p.keyAt, last, 0) === 0
          ) {
            duplicates++;
            if (policy === 'error') {
              const input = inputOf(p.seq);
              const key = formatUuid(p.bytes.subarray(p.keyAt, p.keyAt + KEY_BYTES));
              rejects.add(placeOf(p.seq), {
                file: input.source.name,
                line: p.seq - input.seqBase,
                reason: 'duplicate-key',
                key,
                message: `duplicate key ${key} (first seen at ${placeOf(lastSeq)}; keys are compared case-insensitively)`,
              });
            }
            continue;
          }
          copyBytes(last, 0, p.bytes, p.keyAt, KEY_BYTES);
          lastSeq = p.seq;
          if ((++progress.written & 0xffff) === 0) options.onProgress?.(progress);
          yield p;
        }
      };
      const written = await writeDataFile(dir, kept(), sorter.pairBytes + poolPairBytes, options.lmdbWriter);
      merges = merged.merges;
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

async function openInputs(paths: readonly string[], options: BuildOptions): Promise<Input[]> {
  if (paths.length === 0) throw rokvError('USAGE', 'no INPUT given');
  if (paths.filter((p) => p === '-').length > 1) throw rokvError('USAGE', 'standard input (-) can be read only once');
  const inputs: Input[] = [];
  for (const path of paths) {
    const format = options.format ?? (path === '-' ? undefined : formatFromName(path));
    if (format === undefined) {
      const what = path === '-' ? 'standard input' : `${path} from its name`;
      throw rokvError('USAGE', `cannot tell the format of ${what}; pass --format json|jsonl|csv|tsv`);
    }
    const source = await openSource(path, options.stdin);
    inputs.push({ source, format, unit: format === 'json' ? 'pair' : 'line', seqBase: 0 });
  }
  return inputs;
}

/** Calls `tick` after each chunk read: the read phase's progress heartbeat. */
async function* ticking<T>(chunks: AsyncIterable<T>, tick: () => void): AsyncGenerator<T> {
  for await (const chunk of chunks) {
    yield chunk;
    tick();
  }
}
