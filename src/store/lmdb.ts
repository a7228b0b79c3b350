import { openDataFile, type DataFile } from '../snapshot/lmdb-file.js';
import { publicInfo, type Manifest, type ManifestInfo } from '../snapshot/manifest.js';
import { checkSnapshot } from '../snapshot/verify.js';
import type { Store } from './store.js';

/** The embedded engine: an LMDB file mapped read-only. Lookups are synchronous memory reads. */
export class LmdbStore implements Store {
  private readonly db: DataFile;
  private readonly manifest: ManifestInfo;

  private constructor(db: DataFile, manifest: Manifest) {
    this.db = db;
    this.manifest = publicInfo(manifest);
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
    const shared = this.db.getBinaryFast(key as Buffer);
    return shared === undefined ? undefined : shared.subarray(0, shared.length);
  }

  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    return keys.map((key) => this.db.getBinary(key as Buffer));
  }

  info(): ManifestInfo {
    return this.manifest;
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
