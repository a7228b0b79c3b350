import { UUID_BYTES } from '../uuid.js';
import type { PackedValues, Store } from './store.js';

/** What a batch's lookup gives: its values, or undefined when they take more than the bytes allowed. */
export type PackedLookup = PackedValues | undefined;

/**
 * Looks up `count` keys packed 16 bytes each in `keys`: with the store's `getPacked` when it has
 * one (synchronously for an embedded engine), else with its `getMany`, the results then packed.
 * Undefined when the values would take more than `maxBytes` (see Store.getPacked).
 */
export function lookupPacked(
  store: Store,
  keys: Uint8Array,
  count: number,
  maxBytes = Number.MAX_SAFE_INTEGER,
): PackedLookup | Promise<PackedLookup> {
  if (store.getPacked) return store.getPacked(keys, count, maxBytes);
  const asked: Uint8Array[] = new Array<Uint8Array>(count);
  for (let i = 0; i < count; i++) asked[i] = keys.subarray(i * UUID_BYTES, (i + 1) * UUID_BYTES);
  return store.getMany(asked).then((values) => (packedSize(values) > maxBytes ? undefined : pack(values)));
}

/** The bytes `pack` needs for `values`. */
function packedSize(values: readonly (Uint8Array | undefined)[]): number {
  let size = 0;
  for (const v of values) if (v !== undefined) size += v.length;
  return size;
}

/** The smallest arena, and the room a key gets in one: the example data's values are shorter. */
const ARENA_MIN_BYTES = 256;
const ARENA_BYTES_PER_KEY = 32;

/**
 * A buffer for the values of a `count`-key batch: sized for short values, so a 100-key batch of the
 * example data fits in Node's buffer pool. Engines grow it, or ask again, when values are longer.
 */
export function packedArena(count: number): Buffer {
  return Buffer.allocUnsafe(Math.max(ARENA_MIN_BYTES, count * ARENA_BYTES_PER_KEY));
}

/** Packs separate values (undefined for a missing key) into one buffer. */
export function pack(values: readonly (Uint8Array | undefined)[]): PackedValues {
  const starts = new Int32Array(values.length);
  const lengths = new Int32Array(values.length).fill(-1);
  const bytes = new Uint8Array(packedSize(values));
  let used = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === undefined) continue;
    bytes.set(v, used);
    starts[i] = used;
    lengths[i] = v.length;
    used += v.length;
  }
  return { bytes, starts, lengths };
}
