import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { rokvError } from '../errors.js';
import { describeFile } from './files.js';
import { checksumDataFile, openDataFile } from './lmdb-file.js';
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

/**
 * The full check: every file's sha256 and the content checksum recomputed from the pairs. Throws a
 * catalog error naming the first difference; returns the manifest when the snapshot is intact.
 */
export async function verifySnapshot(dir: string): Promise<Manifest> {
  const manifest = await checkSnapshot(dir);
  for (const file of manifest.files) {
    const actual = await describeFile(dir, file.name);
    if (actual.sha256 !== file.sha256) {
      throw rokvError('SNAPSHOT_CORRUPT', dir, `data file ${file.name} does not match its sha256 in the manifest`);
    }
  }
  const db = openDataFile(dir);
  try {
    const { count, checksum } = checksumDataFile(db);
    if (count !== manifest.count) {
      throw rokvError('SNAPSHOT_CORRUPT', dir, `it holds ${count} pairs, the manifest says ${manifest.count}`);
    }
    if (checksum !== manifest.checksum) {
      throw rokvError('SNAPSHOT_CORRUPT', dir, 'the pairs do not match the content checksum in the manifest');
    }
  } finally {
    await db.close();
  }
  return manifest;
}
