import type { ManifestInfo } from '../snapshot/manifest.js';

/** An engine's state as `/readyz` shows it; engines add their own fields (connection status, version). */
export interface StoreHealth {
  ready: boolean;
}

/**
 * The values of a batch in one buffer: the value of key i is `bytes[starts[i], starts[i] + lengths[i])`,
 * and `lengths[i]` is -1 when key i is missing.
 */
export interface PackedValues {
  bytes: Uint8Array;
  starts: Int32Array;
  lengths: Int32Array;
}

/**
 * A read-only key-value store. Keys are the 16 bytes of a UUID; a value comes back as the bytes of
 * its JSON string literal (quotes and escapes included), so the HTTP layer can answer without
 * re-encoding it. The HTTP layer sees only this interface, never the engine behind it.
 */
export interface Store {
  /**
   * Looks one key up. The returned bytes may be a view into the engine's memory, valid only until
   * the next call on this store: copy them to keep them. An engine reads `key` before `get`
   * returns (an asynchronous one too): callers reuse the buffer for the next request.
   */
  get(key: Uint8Array): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  /** Looks many keys up in one go; results in the same order, each a copy safe to keep. */
  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
  /**
   * Optional: `getMany` for `count` keys packed 16 bytes each in `keys`, answered in one buffer, a
   * copy safe to keep. Engines whose lookups are memory reads answer at once, without an object per
   * key, which is most of what a large batch costs. Callers go through `lookupPacked`.
   * When the values would take more than `maxBytes` bytes the engine answers undefined, having
   * allocated nothing for them, so a batch asking for too much cannot take the memory it asks for.
   */
  getPacked?(
    keys: Uint8Array,
    count: number,
    maxBytes?: number,
  ): PackedValues | undefined | Promise<PackedValues | undefined>;
  /** What the data set says about itself. */
  info(): ManifestInfo;
  /** Optional: the engine's own state (connections, versions) for `/readyz`; `ready: false` fails readiness. */
  health?(): StoreHealth;
  /** Releases the store; pending lookups finish first. */
  close(): Promise<void>;
}
