import { createRequire } from 'node:module';
import { packedArena } from './packed.js';
import type { PackedValues } from './store.js';

/** The functions of native/rokv-lmdb.c (see its header for the contract). */
interface Addon {
  open(path: string): object;
  getPacked(
    reader: object,
    keys: Uint8Array,
    count: number,
    out: Uint8Array,
    starts: Int32Array,
    lengths: Int32Array,
  ): number;
  close(reader: object): void;
}

/** The addon built by `npm install` (scripts/build-native.mjs), or undefined where it could not be built. */
const addon: Addon | undefined = (() => {
  try {
    return createRequire(import.meta.url)('../../native/build/Release/rokv_lmdb.node') as Addon;
  } catch {
    return undefined;
  }
})();

/** Whether this installation has the native batch reader. */
export function nativeReaderBuilt(): boolean {
  return addon !== undefined;
}

/**
 * A snapshot's data file opened by rokv's native batch reader: one call looks up a whole batch,
 * where lmdb-js takes a call per key (a 100-key batch's reads: 20.3 us against 43.1 us in
 * bench/batch-reader.ts). Read-only, with one read transaction for its life.
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
