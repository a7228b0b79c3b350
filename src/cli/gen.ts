import { parseArgs } from 'node:util';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { rokvError } from '../errors.js';
import { GEN_FORMATS, renderPairs, type GenFormat } from '../gen/format.js';
import { syntheticPairs } from '../gen/synthetic.js';
import { withUsage } from './args.js';

const USAGE = 'rokv gen --count N [--seed S] [--format json|jsonl|csv] [--out FILE]';

function wholeNumber(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0)
    throw rokvError('USAGE', `${flag} takes a whole number >= 0, received ${JSON.stringify(text)}`);
  return n;
}

/** Batches small chunks into larger writes: one stream write per pair would dominate the run time. */
function* batched(chunks: Iterable<string>, size = 1 << 16): Generator<string> {
  let buf = '';
  for (const c of chunks) {
    buf += c;
    if (buf.length >= size) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

/** `rokv gen`: writes a deterministic synthetic data set shaped like the example one. */
export async function gen(argv: string[]): Promise<void> {
  const { values } = withUsage(USAGE, () =>
    parseArgs({
      args: argv,
      options: {
        count: { type: 'string', short: 'n' },
        seed: { type: 'string', short: 's' },
        format: { type: 'string', short: 'f' },
        out: { type: 'string', short: 'o' },
      },
      allowPositionals: true,
      strict: true,
    }),
  );
  if (values.count === undefined) throw rokvError('USAGE', `--count N is required\nusage: ${USAGE}`);
  const count = wholeNumber(values.count, '--count', 0);
  const seed = wholeNumber(values.seed, '--seed', 1);
  const format = (values.format ?? 'json') as GenFormat;
  if (!GEN_FORMATS.includes(format)) {
    throw rokvError(
      'USAGE',
      `--format must be one of ${GEN_FORMATS.join(', ')}, received ${JSON.stringify(values.format)}`,
    );
  }
  const source = Readable.from(batched(renderPairs(syntheticPairs(count, seed), format)));
  await pipeline(source, values.out === undefined ? process.stdout : createWriteStream(values.out));
}
