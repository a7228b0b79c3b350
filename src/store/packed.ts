import { UUID_BYTES } from '../uuid.js';
import type { PackedValues, Store } from './store.js';

/**
 * Looks up `count` keys packed 16 bytes each in `keys`: with the store's `getPacked` when it has
 * one (synchronously for an embedded engine), else with its `getMany`, the results then packed.
 */
export function lookupPacked(store: Store, keys: Uint8Array, count: number): PackedValues | Promise<PackedValues> {
  if (store.getPacked) return store.getPacked(keys, count);
  const asked: Uint8Array[] = new Array<Uint8Array>(count);
  for (let i = 0; i < count; i++) asked[i] = keys.subarray(i * UUID_BYTES, (i + 1) * UUID_BYTES);
  return store.getMany(asked).then(pack);
}

/**
 * A buffer for the values of a `count`-key batch: sized for short values, so a 100-key batch of the
 * example data fits in Node's buffer pool. Engines grow it, or ask again, when values are longer.
 */
export function packedArena(count: number): Buffer {
  return Buffer.allocUnsafe(Math.max(256, count * 32));
}

/** Packs separate values (undefined for a missing key) into one buffer. */
export function pack(values: readonly (Uint8Array | undefined)[]): PackedValues {
  const starts = new Int32Array(values.length);
  const lengths = new Int32Array(values.length).fill(-1);
  let size = 0;
  for (const v of values) if (v !== undefined) size += v.length;
  const bytes = new Uint8Array(size);
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
