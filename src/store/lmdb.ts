import type { Transaction } from 'lmdb';
import { join } from 'node:path';
import { DATA_FILE, openDataFile, type DataFile } from '../snapshot/lmdb-file.js';
import { publicInfo, type Manifest, type ManifestInfo } from '../snapshot/manifest.js';
import { checkSnapshot } from '../snapshot/verify.js';
import { copyBytes } from '../bytes.js';
import { UUID_BYTES } from '../uuid.js';
import { NativeReader } from './lmdb-native.js';
import { packedArena } from './packed.js';
import type { PackedValues, Store } from './store.js';

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
  /** The key of the batch lookup in progress, in the form lmdb-js takes. */
  private readonly key = Buffer.alloc(UUID_BYTES);
  private readonly keyWords = new Uint32Array(this.key.buffer, this.key.byteOffset, UUID_BYTES / 4);

  /** rokv's native batch reader of the same file, where it is built; lmdb-js reads batches otherwise. */
  private readonly native: NativeReader | undefined;

  private constructor(db: DataFile, manifest: Manifest, native: NativeReader | undefined) {
    this.db = db;
    this.manifest = publicInfo(manifest);
    this.reading = { transaction: db.useReadTransaction() };
    this.native = native;
  }

  /**
   * Opens the snapshot at `dir` after the cheap manifest and file checks. Batches go through the
   * native batch reader when it is built, unless `nativeReader` is false.
   */
  static async open(dir: string, options: { nativeReader?: boolean } = {}): Promise<LmdbStore> {
    const manifest = await checkSnapshot(dir);
    const db = openDataFile(dir);
    let native: NativeReader | undefined;
    try {
      native = options.nativeReader === false ? undefined : NativeReader.open(join(dir, DATA_FILE));
    } catch (err) {
      await db.close();
      throw err;
    }
    return new LmdbStore(db, manifest, native);
  }

  /** Whether batches are read by the native batch reader. */
  get readsNatively(): boolean {
    return this.native !== undefined;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    // getBinaryFast fills one shared buffer instead of allocating one per lookup (the Store contract
    // says the bytes are valid only until the next call). That buffer reports the value's length but
    // spans 16 MiB underneath, which Buffer.concat and friends trip over: hand out a true view.
    const shared = this.db.getBinaryFast(key as Buffer, this.reading);
    return shared === undefined ? undefined : shared.subarray(0, shared.length);
  }

  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    const packedKeys = new Uint8Array(keys.length * UUID_BYTES);
    for (let i = 0; i < keys.length; i++) packedKeys.set(keys[i]!, i * UUID_BYTES);
    const { bytes, starts, lengths } = this.getPacked(packedKeys, keys.length)!;
    const results: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      results[i] = lengths[i]! < 0 ? undefined : bytes.subarray(starts[i], starts[i]! + lengths[i]!);
    }
    return results;
  }

  getPacked(keys: Uint8Array, count: number, maxBytes = Number.MAX_SAFE_INTEGER): PackedValues | undefined {
    if (this.native) return this.native.getPacked(keys, count, maxBytes);
    // One arena per batch, not one buffer per value: each value is copied out of LMDB's shared
    // buffer into it, and it grows when values are longer.
    let arena = packedArena(count);
    let used = 0;
    const starts = new Int32Array(count);
    const lengths = new Int32Array(count);
    // lmdb-js takes a key as its own buffer: copying 16 bytes into one, as four 32-bit words,
    // beats a subarray object per key.
    const words =
      keys.byteOffset % 4 === 0 ? new Uint32Array(keys.buffer, keys.byteOffset, count * 4) : wordsOf(keys, count);
    const keyWords = this.keyWords;
    for (let i = 0; i < count; i++) {
      const w = i * 4;
      keyWords[0] = words[w]!;
      keyWords[1] = words[w + 1]!;
      keyWords[2] = words[w + 2]!;
      keyWords[3] = words[w + 3]!;
      const shared = this.db.getBinaryFast(this.key, this.reading);
      if (shared === undefined) {
        lengths[i] = -1;
        continue;
      }
      const length = shared.length;
      if (used + length > maxBytes) return undefined;
      if (used + length > arena.length) {
        const grown = Buffer.allocUnsafe(Math.max(arena.length * 2, used + length));
        grown.set(arena.subarray(0, used));
        arena = grown;
      }
      // copyBytes copies through a true view, as get() hands out: the shared buffer's larger
      // backing store trips set/copy.
      copyBytes(arena, used, shared, 0, length);
      starts[i] = used;
      lengths[i] = length;
      used += length;
    }
    return { bytes: arena, starts, lengths };
  }

  info(): ManifestInfo {
    return this.manifest;
  }

  async close(): Promise<void> {
    this.native?.close();
    this.reading.transaction.done();
    await this.db.close();
  }
}

/** The first `count` packed keys as 32-bit words, copied when `keys` does not start on a word boundary. */
function wordsOf(keys: Uint8Array, count: number): Uint32Array {
  return new Uint32Array(keys.slice(0, count * UUID_BYTES).buffer);
}
