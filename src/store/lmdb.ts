import type { Transaction } from 'lmdb';
import { openDataFile, type DataFile } from '../snapshot/lmdb-file.js';
import { publicInfo, type Manifest, type ManifestInfo } from '../snapshot/manifest.js';
import { checkSnapshot } from '../snapshot/verify.js';
import type { Store } from './store.js';

/** The embedded engine: an LMDB file mapped read-only. Lookups are synchronous memory reads. */
export class LmdbStore implements Store {
  private readonly db: DataFile;
  private readonly manifest: ManifestInfo;
  /**
   * One read transaction held for the store's life. Without it lmdb-js renews a transaction in every
   * turn of the event loop that reads, and schedules a timer to reset it: a native renew and a timer
   * per turn under load. The file never changes under a snapshot, so a long-lived reader sees nothing
   * stale and holds back no writer.
   */
  private readonly reading: { transaction: Transaction };

  private constructor(db: DataFile, manifest: Manifest) {
    this.db = db;
    this.manifest = publicInfo(manifest);
    this.reading = { transaction: db.useReadTransaction() };
  }

  /** Opens the snapshot at `dir` after the cheap manifest and file checks. */
  static async open(dir: string): Promise<LmdbStore> {
    const manifest = await checkSnapshot(dir);
    return new LmdbStore(openDataFile(dir), manifest);
  }

  get(key: Uint8Array): Uint8Array | undefined {
    // getBinaryFast fills one shared buffer instead of allocating one per lookup (the Store contract
    // says the bytes are valid only until the next call). That buffer reports the value's length but
    // spans 16 MiB underneath, which Buffer.concat and friends trip over: hand out a true view.
    const shared = this.db.getBinaryFast(key as Buffer, this.reading);
    return shared === undefined ? undefined : shared.subarray(0, shared.length);
  }

  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    // One allocation per batch instead of one per value: each value is copied out of LMDB's shared
    // buffer into a growing arena, and the results are views of the final arena.
    let arena = Buffer.allocUnsafe(Math.max(4096, keys.length * 64));
    let used = 0;
    const ends = new Int32Array(keys.length).fill(-1);
    for (let i = 0; i < keys.length; i++) {
      const shared = this.db.getBinaryFast(keys[i] as Buffer, this.reading);
      if (shared === undefined) continue;
      const length = shared.length;
      if (used + length > arena.length) {
        const grown = Buffer.allocUnsafe(Math.max(arena.length * 2, used + length));
        arena.copy(grown, 0, 0, used);
        arena = grown;
      }
      // Through a true view, as in get(): the shared buffer's larger backing store trips Buffer.copy.
      arena.set(shared.subarray(0, length), used);
      used += length;
      ends[i] = used;
    }
    const results: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(keys.length);
    let start = 0;
    for (let i = 0; i < keys.length; i++) {
      const end = ends[i]!;
      if (end < 0) {
        results[i] = undefined;
        continue;
      }
      results[i] = arena.subarray(start, end);
      start = end;
    }
    return results;
  }

  info(): ManifestInfo {
    return this.manifest;
  }

  async close(): Promise<void> {
    this.reading.transaction.done();
    await this.db.close();
  }
}
