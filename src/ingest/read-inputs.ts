// The read phase of a build: every input parsed, validated and sorted into runs, in input order.
import { rokvError } from '../errors.js';
import { formatFromName, type InputFormat } from './format.js';
import type { ParsePool } from './parallel/parse-pool.js';
import { readCsv } from './read-csv.js';
import { readJsonObject } from './read-json-object.js';
import { readJsonl } from './read-jsonl.js';
import type { RejectLog } from './rejects.js';
import type { StoredRowSink } from './rows.js';
import type { RunFile } from './sort/run-merge.js';
import type { RunSorter } from './sort/run-sorter.js';
import { openSource, type Source } from './source.js';
import { decodeUtf8 } from './utf8-text.js';
import { describePlace, PairValidator, type PositionUnit } from './validate.js';

type Reader = (bytes: AsyncIterable<Buffer>, sink: StoredRowSink, name: string, maxRowChars: number) => Promise<void>;

const READERS: Record<InputFormat, Reader> = {
  json: (bytes, sink, name) => readJsonObject(decodeUtf8(bytes, name), sink, name),
  jsonl: (bytes, sink, name, maxRowChars) => readJsonl(bytes, sink, name, { maxRowChars }),
  csv: (bytes, sink, name, maxRowChars) => readCsv(decodeUtf8(bytes, name), sink, name, ',', { maxRowChars }),
  tsv: (bytes, sink, name, maxRowChars) => readCsv(decodeUtf8(bytes, name), sink, name, '\t', { maxRowChars }),
};

/** One input of a build. */
export interface Input {
  source: Source;
  format: InputFormat;
  unit: PositionUnit;
  /** Sequence number of the input's position 0: positions of later inputs come after (see PairValidator). */
  seqBase: number;
}

/** Opens the inputs of a build, each with its format (given, or from its name). */
export async function openInputs(
  paths: readonly string[],
  options: { format?: InputFormat; stdin?: NodeJS.ReadableStream },
): Promise<Input[]> {
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

/** Where the pair with sequence number `seq` came from: `file:line` or `file: pair N`. */
export function placeOf(inputs: readonly Input[], seq: number): { input: Input; place: string } {
  let i = inputs.length - 1;
  while (i > 0 && inputs[i]!.seqBase >= seq) i--;
  const input = inputs[i]!;
  return { input, place: describePlace(input.source.name, input.unit, seq - input.seqBase) };
}

/** What the read phase reports as it goes: rows read, input bytes read, pairs that reached the sort. */
export interface ReadTick {
  rows: number;
  bytesRead: number;
  sorted: number;
}

/** What the read phase leaves for the merge. */
export interface ReadResult {
  rows: number;
  /** The parse pool's run files (the main thread's are in its sorter). */
  poolRuns: RunFile[];
  poolPairBytes: number;
}

/**
 * Reads every input in order, JSON Lines through `pool` when there is one, the rest in this thread
 * into `sorter`; sets each input's `seqBase`. Rejected rows go to `rejects`.
 */
export async function readInputs(
  inputs: readonly Input[],
  sorter: RunSorter,
  pool: ParsePool | undefined,
  rejects: RejectLog,
  limits: { maxValueBytes: number },
  onTick: (tick: ReadTick) => void,
): Promise<ReadResult> {
  let rows = 0;
  let doneBytes = 0;
  let seqBase = 0;
  const maxRowChars = limits.maxValueBytes * 6 + 4096;
  for (const input of inputs) {
    const { source, format, unit } = input;
    input.seqBase = seqBase;
    let inputRows = 0;
    const tick = (): void => {
      const all = rows + inputRows;
      const sorted = sorter.added + (pool ? all - rejects.result().total : 0);
      onTick({ rows: all, bytesRead: doneBytes + source.bytesRead(), sorted });
    };
    if (pool && format === 'jsonl') {
      const chunks = source.chunks();
      const read = await pool.read({ name: source.name, seqBase, chunks }, { maxRowChars }, rejects, (n) => {
        inputRows = n;
        tick();
      });
      inputRows = read.rows;
      seqBase += read.lastLine + 1;
    } else {
      const sink = new PairValidator(seqBase, source.name, unit, sorter, rejects, limits.maxValueBytes);
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
  if (pool === undefined) return { rows, poolRuns: [], poolPairBytes: 0 };
  const finished = await pool.finish();
  return { rows, poolRuns: finished.runs, poolPairBytes: finished.pairBytes };
}

/** Calls `tick` after each chunk read: the read phase's progress heartbeat. */
async function* ticking<T>(chunks: AsyncIterable<T>, tick: () => void): AsyncGenerator<T> {
  for await (const chunk of chunks) {
    yield chunk;
    tick();
  }
}
