import { open, type GetOptions, type RootDatabase } from 'lmdb';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  writeLmdbInThread,
  type LmdbWriterKind,
  type PairSource,
  type PairView,
  type WriteResult,
} from './lmdb-writer.js';

export { viewsOf } from './lmdb-writer.js';
export type { LmdbWriterKind, PairSource, PairView, StoredPair, WriteResult } from './lmdb-writer.js';

/** Name of the LMDB data file inside a snapshot directory. */
export const DATA_FILE = 'data.mdb';

/** Files LMDB keeps beside the data file that are not part of the snapshot's content. */
export const LOCK_FILE = `${DATA_FILE}-lock`;

/** An open LMDB data file: 16-byte keys, values as raw bytes. */
export type DataFile = RootDatabase<Buffer, Buffer> & {
  /** lmdb-js reads `options.transaction` here as in `get` (read.js), though its types leave the parameter out. */
  getBinaryFast(id: Buffer, options: GetOptions): Buffer | undefined;
};

/**
 * Opens the data file of the snapshot at `dir` read-only: mapped, so workers share one page cache
 * copy. Nothing is written beside it: lmdb-js has no MDB_NOLOCK option (its open.js maps none to
 * it), and LMDB creates `<path>-lock`, following a symlink planted there. So the file is opened
 * through a symlink in a private directory of this process (mkdtemp: 0700, random name), where the
 * lock file lands and is removed on close. Locking is moot: nothing ever writes a snapshot's file.
 * The native reader opens with MDB_NOLOCK itself.
 */
export function openDataFile(dir: string): DataFile {
  const options = { noSubdir: true, readOnly: true, keyEncoding: 'binary', encoding: 'binary', cache: false } as const;
  let lockDir: string;
  try {
    lockDir = mkdtempSync(join(tmpdir(), 'rokv-lmdb-'));
  } catch {
    // No writable temp directory (a read-only container): LMDB skips its lock file on a read-only
    // filesystem, which is where such deployments keep snapshots.
    return open<Buffer, Buffer>({ path: join(dir, DATA_FILE), ...options }) as DataFile;
  }
  const removeLockDir = (): void => rmSync(lockDir, { recursive: true, force: true });
  let db: DataFile;
  try {
    const path = join(lockDir, DATA_FILE);
    symlinkSync(resolve(dir, DATA_FILE), path);
    db = open<Buffer, Buffer>({ path, ...options }) as DataFile;
  } catch (err) {
    removeLockDir();
    throw err;
  }
  const close = db.close.bind(db);
  db.close = async () => {
    try {
      await close();
    } finally {
      removeLockDir();
    }
  };
  return db;
}

/**
 * Writes pairs, which must come in strictly ascending key order, into a new data file in `dir`.
 * Ascending order lets LMDB append to the last page instead of splitting pages: the file comes out
 * dense and the write is fast. The LMDB writes run on a worker thread, overlapping with whatever
 * produces the pairs; `kind` picks the code that writes them (by default the native addon when built).
 */
export async function writeDataFile(
  dir: string,
  pairs: Iterable<PairView> | PairSource,
  sizeHint: number,
  kind?: LmdbWriterKind,
): Promise<WriteResult> {
  return writeLmdbInThread(join(dir, DATA_FILE), pairs, Math.max(64 * 2 ** 20, Math.ceil(sizeHint * 3)), kind);
}
