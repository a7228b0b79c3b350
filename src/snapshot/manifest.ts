import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rokvError } from '../errors.js';

/** Name of the manifest file inside a snapshot directory. */
export const MANIFEST_FILE = 'manifest.json';

/** The snapshot format this rokv writes and reads. */
export const FORMAT_VERSION = 1;

/** One data file of a snapshot, with what verification compares. */
export interface ManifestFile {
  name: string;
  bytes: number;
  sha256: string;
}

/** What a snapshot says about itself; written last, so its presence means the snapshot is complete. */
export interface Manifest {
  format: 'rokv-snapshot';
  formatVersion: number;
  /** Identity of the data: derived from the content checksum, so the same pairs give the same id. */
  id: string;
  engine: 'lmdb';
  count: number;
  /** sha256 over the pairs in key order (16 key bytes, u32 length, stored value bytes). */
  checksum: string;
  createdAt: string;
  source: string;
  rokvVersion: string;
  files: ManifestFile[];
}

/** The public fields of a manifest, the ones clients may see. */
export type ManifestInfo = Pick<Manifest, 'id' | 'count' | 'createdAt' | 'source' | 'formatVersion'>;

/** Picks the fields of a manifest that are safe to show to clients. */
export function publicInfo(m: Manifest): ManifestInfo {
  return { id: m.id, count: m.count, createdAt: m.createdAt, source: m.source, formatVersion: m.formatVersion };
}

/** Writes a manifest into a (temporary) snapshot directory. */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Reads and checks the manifest of the snapshot at `dir`; throws a catalog error saying what is wrong. */
export async function readManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw rokvError('SNAPSHOT_MISSING', dir);
    throw rokvError('SNAPSHOT_INVALID', dir, `cannot read ${MANIFEST_FILE} (${code ?? 'unknown error'})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw rokvError('SNAPSHOT_CORRUPT', dir, `${MANIFEST_FILE} is not valid JSON`);
  }
  return checkManifest(dir, parsed);
}

function checkManifest(dir: string, value: unknown): Manifest {
  const bad = (why: string) => rokvError('SNAPSHOT_CORRUPT', dir, `${MANIFEST_FILE} ${why}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('is not a JSON object');
  const m = value as Record<string, unknown>;
  if (m.format !== 'rokv-snapshot') throw bad('does not describe a rokv snapshot (field "format")');
  if (m.formatVersion !== FORMAT_VERSION) {
    throw rokvError(
      'SNAPSHOT_INVALID',
      dir,
      `format version ${JSON.stringify(m.formatVersion)} is not supported by this rokv (it reads version ${FORMAT_VERSION})`,
    );
  }
  if (m.engine !== 'lmdb') throw bad(`names an unknown engine ${JSON.stringify(m.engine)}`);
  if (typeof m.id !== 'string' || m.id === '') throw bad('has no "id"');
  if (!Number.isSafeInteger(m.count) || (m.count as number) < 0) throw bad('has no valid "count"');
  if (typeof m.checksum !== 'string' || !m.checksum.startsWith('sha256:')) throw bad('has no valid "checksum"');
  if (!Array.isArray(m.files) || m.files.length === 0) throw bad('lists no data files');
  for (const f of m.files as unknown[]) {
    const file = f as Partial<ManifestFile>;
    if (typeof file?.name !== 'string' || !Number.isSafeInteger(file.bytes) || typeof file.sha256 !== 'string') {
      throw bad('has a malformed "files" entry');
    }
    if (file.name.includes('/') || file.name.includes('\\') || file.name.startsWith('.')) {
      throw bad(`names a file outside the snapshot: ${JSON.stringify(file.name)}`);
    }
  }
  return {
    format: 'rokv-snapshot',
    formatVersion: FORMAT_VERSION,
    id: m.id,
    engine: 'lmdb',
    count: m.count as number,
    checksum: m.checksum,
    createdAt: String(m.createdAt ?? ''),
    source: String(m.source ?? ''),
    rokvVersion: String(m.rokvVersion ?? ''),
    files: m.files as ManifestFile[],
  };
}
