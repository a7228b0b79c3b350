import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { renderPairs } from '../gen/format.js';
import { syntheticPairs } from '../gen/synthetic.js';
import type { CommandArgs } from './command.js';
import { checkWritable, writing } from './output-path.js';
import type { genOptions } from './command-options.js';

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
export async function gen({ values }: CommandArgs<typeof genOptions>): Promise<void> {
  const { out } = values;
  if (out !== undefined) await checkWritable(out, '--out');
  const source = Readable.from(batched(renderPairs(syntheticPairs(values.count, values.seed), values.format)));
  if (out === undefined) await pipeline(source, process.stdout);
  else await writing(out, '--out', () => pipeline(source, createWriteStream(out)));
}
