import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { rokvError } from '../errors.js';
import { writeDirAtomically } from '../snapshot/atomic-dir.js';
import { sealSnapshot } from '../snapshot/seal.js';
import { writeDataFile } from '../snapshot/lmdb-file.js';
import type { Manifest } from '../snapshot/manifest.js';
import { formatUuid } from '../uuid.js';
import { DEFAULT_MAX_VALUE_BYTES, formatFromName, type InputFormat } from './format.js';
import { readCsv } from './read-csv.js';
import { readJsonObject } from './read-json-object.js';
import { readJsonl } from './read-jsonl.js';
import { RejectLog, type RejectSummary } from './rejects.js';
import type { StoredRowSink } from './rows.js';
import { RunSorter, type MergedPair } from './run-sorter.js';
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
  /** Bytes of pairs sorted in memory before a run is spilled to disk (default 64 MiB). */
  runBytes?: number;
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
  try {
    const manifest = await writeDirAtomically(out, async (dir) => {
      const runsDir = join(dir, '.runs');
      await mkdir(runsDir);
      const sorter = new RunSorter(runsDir, policy === 'last', options.runBytes);
      let doneBytes = 0;
      for (const [i, { source, format, unit }] of inputs.entries()) {
        const sink = new PairValidator(i, source.name, unit, sorter, rejects, maxValueBytes);
        const tick = (): void => {
          progress.rows = rows + sink.rows;
          progress.bytesRead = doneBytes + source.bytesRead();
          progress.sorted = sorter.added;
          options.onProgress?.(progress);
        };
        await READERS[format](ticking(source.chunks(), tick), sink, source.name, maxValueBytes * 6 + 4096);
        rows += sink.rows;
        doneBytes += source.bytesRead();
        tick();
      }
      runs = sorter.spilled;
      progress.phase = 'write';
      const places = inputs.map((i) => ({ file: i.source.name, unit: i.unit }));
      const kept = function* (): Generator<MergedPair> {
        const last = Buffer.alloc(16);
        let lastSrc = -1;
        let lastPos = 0;
        for (const p of sorter.merge()) {
          if (lastSrc !== -1 && p.key.equals(last)) {
            duplicates++;
            if (policy === 'error') {
              const first = places[lastSrc]!;
              const place = places[p.src]!;
              const key = formatUuid(p.key);
              rejects.add(describePlace(place.file, place.unit, p.pos), {
                file: place.file,
                line: p.pos,
                reason: 'duplicate-key',
                key,
                message: `duplicate key ${key} (first seen at ${describePlace(first.file, first.unit, lastPos)}; keys are compared case-insensitively)`,
              });
            }
            continue;
          }
          last.set(p.key);
          lastSrc = p.src;
          lastPos = p.pos;
          if ((++progress.written & 0xffff) === 0) options.onProgress?.(progress);
          yield p;
        }
      };
      const written = await writeDataFile(dir, kept(), sorter.pairBytes);
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
    return { manifest, bytes, seconds, rows, rejects: rejects.result(), duplicates, runs };
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
    inputs.push({ source, format, unit: format === 'json' ? 'pair' : 'line' });
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
