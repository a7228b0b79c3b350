import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { rokvError } from '../errors.js';
import { writeDirAtomically } from '../snapshot/atomic-dir.js';
import { idFromChecksum } from '../snapshot/checksum.js';
import { describeFile } from '../snapshot/files.js';
import { DATA_FILE, LOCK_FILE, writeDataFile } from '../snapshot/lmdb-file.js';
import { FORMAT_VERSION, writeManifest, type Manifest } from '../snapshot/manifest.js';
import { formatUuid } from '../uuid.js';
import { ROKV_VERSION } from '../version.js';
import { readJsonObject } from './read-json-object.js';
import { validatePair, type ValidPair } from './validate.js';

/** What a finished build reports. */
export interface BuildResult {
  manifest: Manifest;
  bytes: number;
  seconds: number;
}

/** Builds a snapshot at `out` from a JSON-object input file; nothing appears at `out` unless it succeeds. */
export async function buildSnapshot(input: string, out: string): Promise<BuildResult> {
  const started = process.hrtime.bigint();
  const pairs: ValidPair[] = [];
  let inputBytes = 0;
  for await (const raw of readJsonObject(input)) {
    const pair = validatePair(raw);
    inputBytes += pair.value.length + 40;
    pairs.push(pair);
  }
  pairs.sort((a, b) => Buffer.compare(a.key, b.key));
  for (let i = 1; i < pairs.length; i++) {
    const prev = pairs[i - 1]!;
    const cur = pairs[i]!;
    if (prev.key.equals(cur.key)) {
      // The sort is stable, so `prev` is the row that came first in the input.
      throw rokvError(
        'INPUT_INVALID',
        cur.where,
        `duplicate key ${formatUuid(cur.key)} (first seen at ${prev.where}; keys are compared case-insensitively)`,
      );
    }
  }
  const manifest = await writeDirAtomically(out, async (dir) => {
    const written = await writeDataFile(dir, pairs, inputBytes);
    const manifest: Manifest = {
      format: 'rokv-snapshot',
      formatVersion: FORMAT_VERSION,
      id: idFromChecksum(written.checksum),
      engine: 'lmdb',
      count: written.count,
      checksum: written.checksum,
      createdAt: new Date().toISOString(),
      source: basename(input),
      rokvVersion: ROKV_VERSION,
      files: [await describeFile(dir, DATA_FILE)],
    };
    // LMDB's lock file is runtime state of the writer, not content: servers create their own.
    await rm(join(dir, LOCK_FILE), { force: true });
    await writeManifest(dir, manifest);
    return manifest;
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { manifest, bytes: manifest.files.reduce((n, f) => n + f.bytes, 0), seconds };
}
