import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { rokvError, type RokvError } from '../errors.js';
import { formatUuid, UUID_BYTES } from '../uuid.js';
import { PairChecksum } from './checksum.js';
import { describeFile } from './files.js';
import { isJsonStringLiteral } from './json-string.js';
import { openDataFile } from './lmdb-file.js';
import { readManifest, type Manifest } from './manifest.js';

/**
 * The cheap check done before serving: the manifest is valid and every data file it lists is there
 * with its recorded size. It reads no data, so a snapshot of any size opens in milliseconds.
 */
export async function checkSnapshot(dir: string): Promise<Manifest> {
  const manifest = await readManifest(dir);
  for (const file of manifest.files) {
    let size: number;
    try {
      size = (await stat(join(dir, file.name))).size;
    } catch {
      throw rokvError('SNAPSHOT_CORRUPT', dir, `data file ${file.name} is missing`);
    }
    if (size !== file.bytes) {
      throw rokvError(
        'SNAPSHOT_CORRUPT',
        dir,
        `data file ${file.name} has ${size} bytes, the manifest says ${file.bytes}`,
      );
    }
  }
  return manifest;
}

/** How much a reader checks before it serves a snapshot (see docs/security.md for what each proves). */
export type CheckLevel = 'full' | 'quick';

/**
 * The full check: every file's sha256, then every pair read back: the pair count, the content
 * checksum, and each value one JSON string literal of valid UTF-8. Throws a catalog error naming
 * the first difference; returns the manifest when the snapshot is intact.
 */
export async function verifySnapshot(dir: string): Promise<Manifest> {
  const manifest = await checkSnapshot(dir);
  await verifyFiles(dir, manifest);
  const db = openDataFile(dir);
  try {
    const checksum = new PairChecksum();
    let count = 0;
    for (const { key, value } of db.getRange({})) {
      if (!isJsonStringLiteral(value)) throw badValue(dir, key, count);
      checksum.add(key, value);
      count++;
    }
    if (count !== manifest.count) {
      throw rokvError('SNAPSHOT_CORRUPT', dir, `it holds ${count} pairs, the manifest says ${manifest.count}`);
    }
    if (checksum.digest() !== manifest.checksum) {
      throw rokvError('SNAPSHOT_CORRUPT', dir, 'the pairs do not match the content checksum in the manifest');
    }
  } finally {
    await db.close();
  }
  return manifest;
}

/** Checks the snapshot at `dir` to `level`: `full` is verifySnapshot, `quick` the sizes and a sample. */
export async function checkSnapshotTo(dir: string, level: CheckLevel): Promise<Manifest> {
  if (level === 'full') return verifySnapshot(dir);
  const manifest = await checkSnapshot(dir);
  await sampleSnapshot(dir, manifest);
  return manifest;
}

/** Compares every data file's sha256 with the manifest; reads the files as a stream, off the event loop. */
export async function verifyFiles(dir: string, manifest: Manifest): Promise<void> {
  for (const file of manifest.files) {
    const actual = await describeFile(dir, file.name);
    if (actual.sha256 !== file.sha256) {
      throw rokvError('SNAPSHOT_CORRUPT', dir, `data file ${file.name} does not match its sha256 in the manifest`);
    }
  }
}

/**
 * The quick check, cheap at any size: the pair count LMDB reports equals the manifest's, and the
 * first `sample` pairs read back by key lookup with the same bytes, each a JSON string literal.
 */
export async function sampleSnapshot(dir: string, manifest: Manifest, sample = 256): Promise<void> {
  const db = openDataFile(dir);
  try {
    const entries = (db.getStats() as { entryCount?: number }).entryCount;
    if (entries !== manifest.count) {
      throw rokvError(
        'SNAPSHOT_CORRUPT',
        dir,
        `it holds ${String(entries)} pairs, the manifest says ${manifest.count}`,
      );
    }
    let seen = 0;
    for (const { key, value } of db.getRange({ limit: sample })) {
      const again = db.getBinary(key);
      if (again === undefined || !again.equals(value)) {
        throw rokvError('SNAPSHOT_CORRUPT', dir, `pair #${seen + 1} does not read back as it is listed`);
      }
      if (!isJsonStringLiteral(value)) throw badValue(dir, key, seen);
      seen++;
    }
    if (seen !== Math.min(sample, manifest.count)) {
      throw rokvError(
        'SNAPSHOT_CORRUPT',
        dir,
        `only ${seen} pairs could be read, expected ${Math.min(sample, manifest.count)}`,
      );
    }
  } finally {
    await db.close();
  }
}

function badValue(dir: string, key: Uint8Array, index: number): RokvError {
  const name = key.length === UUID_BYTES ? formatUuid(key) : `#${index + 1}`;
  return rokvError('SNAPSHOT_CORRUPT', dir, `the value of key ${name} is not one JSON string literal of valid UTF-8`);
}
