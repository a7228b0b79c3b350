import { open, type GetOptions, type RootDatabase } from 'lmdb';
import { join } from 'node:path';
import { writeLmdbInThread, type StoredPair, type WriteResult } from './lmdb-writer.js';

export type { StoredPair, WriteResult } from './lmdb-writer.js';

/** Name of the LMDB data file inside a snapshot directory. */
export const DATA_FILE = 'data.mdb';

/** Files LMDB keeps beside the data file that are not part of the snapshot's content. */
export const LOCK_FILE = `${DATA_FILE}-lock`;

/** An open LMDB data file: 16-byte keys, values as raw bytes. */
export type DataFile = RootDatabase<Buffer, Buffer> & {
  /** lmdb-js reads `options.transaction` here as in `get` (read.js), though its types leave the parameter out. */
  getBinaryFast(id: Buffer, options: GetOptions): Buffer | undefined;
};

/** Opens the data file of the snapshot at `dir` read-only: mapped, so workers share one page cache copy. */
export function openDataFile(dir: string): DataFile {
  return open<Buffer, Buffer>({
    path: join(dir, DATA_FILE),
    noSubdir: true,
    readOnly: true,
    keyEncoding: 'binary',
    encoding: 'binary',
    cache: false,
  }) as DataFile;
}

/**
 * Writes pairs, which must come in strictly ascending key order, into a new data file in `dir`.
 * Ascending order lets LMDB append to the last page instead of splitting pages: the file comes out
 * dense and the write is fast. The LMDB writes run on a worker thread, overlapping with whatever
 * produces the pairs.
 */
export async function writeDataFile(dir: string, pairs: Iterable<StoredPair>, sizeHint: number): Promise<WriteResult> {
  return writeLmdbInThread(join(dir, DATA_FILE), pairs, Math.max(64 * 2 ** 20, Math.ceil(sizeHint * 3)));
}
