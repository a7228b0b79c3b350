import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { renderSyntheticBytes } from '../gen/render-bytes.js';
import type { CommandArgs } from './command.js';
import { checkWritable, writing } from './output-path.js';
import type { genOptions } from './command-options.js';

/** `rokv gen`: writes a deterministic synthetic data set shaped like the example one. */
export async function gen({ values }: CommandArgs<typeof genOptions>): Promise<void> {
  const { out } = values;
  if (out !== undefined) await checkWritable(out, '--out');
  const source = Readable.from(renderSyntheticBytes(values.count, values.seed, values.format), { objectMode: false });
  if (out === undefined) await pipeline(source, process.stdout);
  else await writing(out, '--out', () => pipeline(source, createWriteStream(out)));
}
