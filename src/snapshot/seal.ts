import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ROKV_VERSION } from '../version.js';
import { idFromChecksum } from './checksum.js';
import { describeFile } from './files.js';
import { DATA_FILE, LOCK_FILE, type WriteResult } from './lmdb-file.js';
import { FORMAT_VERSION, writeManifest, type Manifest } from './manifest.js';

/**
 * Completes a snapshot whose data file is written in `dir`: drops LMDB's lock file and writes the
 * manifest last, so a manifest's presence always means a complete snapshot. Returns the manifest.
 */
export async function sealSnapshot(dir: string, written: WriteResult, source: string): Promise<Manifest> {
  const manifest: Manifest = {
    format: 'rokv-snapshot',
    formatVersion: FORMAT_VERSION,
    id: idFromChecksum(written.checksum),
    engine: 'lmdb',
    count: written.count,
    checksum: written.checksum,
    createdAt: new Date().toISOString(),
    source,
    rokvVersion: ROKV_VERSION,
    files: [await describeFile(dir, DATA_FILE)],
  };
  // LMDB's lock file is runtime state of the writer, not content: servers create their own.
  await rm(join(dir, LOCK_FILE), { force: true });
  await writeManifest(dir, manifest);
  return manifest;
}
