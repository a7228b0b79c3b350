import { nativeAddon as addon, type NativeAddon as Addon } from '../snapshot/native-addon.js';
import { packedArena } from './packed.js';
import type { PackedValues } from './store.js';

/** Whether this installation has the native batch reader. */
export function nativeReaderBuilt(): boolean {
  return addon !== undefined;
}

/**
 * A snapshot's data file opened by rokv's native batch reader: one call looks up a whole batch,
 * where lmdb-js takes a call per key (measured by `npm run bench:batch-reader`, figures in
 * docs/performance.md, "Batch lookups"). Read-only, with one read transaction for its life.
 */
export class NativeReader {
  private constructor(
    private readonly native: Addon,
    private readonly reader: object,
  ) {}

  /** Opens the LMDB file at `path`, or returns undefined when the addon is not built. */
  static open(path: string): NativeReader | undefined {
    return addon === undefined ? undefined : new NativeReader(addon, addon.open(path));
  }

  /** Looks up `count` keys packed 16 bytes each in `keys` (see Store.getPacked). */
  getPacked(keys: Uint8Array, count: number, maxBytes = Number.MAX_SAFE_INTEGER): PackedValues | undefined {
    const starts = new Int32Array(count);
    const lengths = new Int32Array(count);
    // When the values need more room, the reader says how much and the batch is read once more.
    let bytes = packedArena(count);
    const used = this.native.getPacked(this.reader, keys, count, bytes, starts, lengths);
    if (used < 0) {
      if (-used > maxBytes) return undefined;
      bytes = Buffer.allocUnsafe(-used);
      this.native.getPacked(this.reader, keys, count, bytes, starts, lengths);
    }
    return { bytes, starts, lengths };
  }

  /** Ends the read transaction and closes the file. */
  close(): void {
    this.native.close(this.reader);
  }
}
