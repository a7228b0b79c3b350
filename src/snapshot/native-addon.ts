import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The functions of native/rokv-lmdb.c (see its header for the contract). */
export interface NativeAddon {
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
  createWriter(path: string, mapSize: number): object;
  writeBatch(writer: object, records: Uint8Array, length: number): number;
  closeWriter(writer: object): void;
}

/** Where `npm install` (scripts/build-native.mjs) puts the addon, the same from src/ and dist/. */
export const NATIVE_ADDON_PATH = fileURLToPath(new URL('../../native/build/Release/rokv_lmdb.node', import.meta.url));

/** The addon, or undefined where it could not be built (no compiler): callers fall back to lmdb-js. */
export const nativeAddon: NativeAddon | undefined = (() => {
  try {
    return createRequire(import.meta.url)(NATIVE_ADDON_PATH) as NativeAddon;
  } catch {
    return undefined;
  }
})();
