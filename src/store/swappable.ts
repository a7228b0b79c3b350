import type { ManifestInfo } from '../snapshot/manifest.js';
import { lookupPacked, type PackedLookup } from './packed.js';
import type { Store } from './store.js';

/** One store the wrapper has held, with the lookups still running on it. */
interface Slot {
  store: Store;
  readers: number;
  retired: boolean;
  /** Settles once the slot is retired and its last lookup finished. */
  drained: Promise<void>;
  markDrained: () => void;
  closing: Promise<void> | undefined;
}

/**
 * A Store that delegates to the current one of a sequence of stores and can switch to the next
 * without stopping. A lookup runs entirely on the store that was current when it started (so a
 * `getMany` never mixes two data sets); a replaced store is closed once its last lookup finishes.
 * Synchronous lookups need no counting: a switch happens between two turns of the event loop.
 */
export class SwappableStore implements Store {
  private slot: Slot;

  constructor(initial: Store) {
    this.slot = newSlot(initial);
  }

  get(key: Uint8Array): Uint8Array | undefined | Promise<Uint8Array | undefined> {
    const slot = this.slot;
    const found = slot.store.get(key);
    if (!(found instanceof Promise)) return found;
    slot.readers++;
    return found.finally(() => release(slot));
  }

  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    const slot = this.slot;
    slot.readers++;
    try {
      return await slot.store.getMany(keys);
    } finally {
      release(slot);
    }
  }

  getPacked(keys: Uint8Array, count: number, maxBytes?: number): PackedLookup | Promise<PackedLookup> {
    const slot = this.slot;
    const found = lookupPacked(slot.store, keys, count, maxBytes);
    if (!(found instanceof Promise)) return found;
    slot.readers++;
    return found.finally(() => release(slot));
  }

  info(): ManifestInfo {
    return this.slot.store.info();
  }

  /** The store answering now. */
  current(): Store {
    return this.slot.store;
  }

  /**
   * Makes `next` the store that answers from now on. The returned promise settles once the
   * replaced store is closed, which is after its last running lookup.
   */
  swap(next: Store): Promise<void> {
    const old = this.slot;
    this.slot = newSlot(next);
    return retire(old);
  }

  async close(): Promise<void> {
    await retire(this.slot);
  }
}

function newSlot(store: Store): Slot {
  let markDrained!: () => void;
  const drained = new Promise<void>((resolve) => (markDrained = resolve));
  return { store, readers: 0, retired: false, drained, markDrained, closing: undefined };
}

function retire(slot: Slot): Promise<void> {
  slot.retired = true;
  if (slot.readers === 0) slot.markDrained();
  slot.closing ??= slot.drained.then(() => slot.store.close());
  return slot.closing;
}

function release(slot: Slot): void {
  slot.readers--;
  if (slot.retired && slot.readers === 0) slot.markDrained();
}
