import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildSnapshot } from '../../src/ingest/build.js';
import { writeDirAtomically } from '../../src/snapshot/atomic-dir.js';
import { viewsOf, writeDataFile } from '../../src/snapshot/lmdb-file.js';
import { sealSnapshot } from '../../src/snapshot/seal.js';
import { parseUuid } from '../../src/uuid.js';
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

/**
 * Builds a snapshot whose stored value bytes are exactly `pairs`' (the way `rokv build` lays it out,
 * manifest and checksum included), so tests can craft values no input file would produce.
 */
export async function rawSnapshotOf(pairs: Record<string, Uint8Array | string>): Promise<string> {
  const out = join(await tempDir(), 'snapshot');
  const stored = Object.entries(pairs)
    .map(([k, v]) => ({ key: parseUuid(k)!, value: typeof v === 'string' ? Buffer.from(v) : v }))
    .sort((a, b) => Buffer.compare(a.key, b.key));
  await writeDirAtomically(out, async (dir) => {
    await sealSnapshot(dir, await writeDataFile(dir, viewsOf(stored), 1 << 20), 'crafted');
  });
  return out;
}

/** Rewrites the manifest of the snapshot at `dir` through `edit`. */
export async function editManifest(dir: string, edit: (m: Record<string, unknown>) => void): Promise<void> {
  const path = join(dir, 'manifest.json');
  const m = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  edit(m);
  await writeFile(path, JSON.stringify(m));
}
