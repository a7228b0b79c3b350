import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildSnapshot } from '../../src/ingest/build.js';
import { tempDir } from './tmp.js';

/** Builds a snapshot from `pairs` (written as a JSON-object input file) and returns its directory. */
export async function snapshotOf(pairs: Record<string, string>): Promise<string> {
  const dir = await tempDir();
  const input = join(dir, 'input.json');
  await writeFile(input, JSON.stringify(pairs));
  const out = join(dir, 'snapshot');
  await buildSnapshot(input, out);
  return out;
}
