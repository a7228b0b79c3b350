import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ManifestInfo } from '../../src/snapshot/manifest.js';
import { LmdbStore } from '../../src/store/lmdb.js';
import type { Store } from '../../src/store/store.js';
import { SwappableStore } from '../../src/store/swappable.js';
import { parseUuid } from '../../src/uuid.js';
import { snapshotOf } from '../helpers/snapshot.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';

/**
 * An asynchronous engine whose lookups wait until the test lets them go, so a test can hold a
 * lookup in flight across a swap. It answers every key with its own name.
 */
class HeldStore implements Store {
  closed = false;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly name: string) {}

  get(): Promise<Uint8Array | undefined> {
    return this.later(() => this.answer());
  }

  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    return this.later(() => keys.map(() => this.answer()));
  }

  info(): ManifestInfo {
    return { id: this.name, count: 1, createdAt: '', source: this.name, formatVersion: 1 };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Lets every waiting lookup finish. */
  releaseAll(): void {
    for (const go of this.waiting.splice(0)) go();
  }

  private answer(): Uint8Array {
    if (this.closed) throw new Error(`${this.name} was used after close`);
    return Buffer.from(JSON.stringify(this.name));
  }

  private later<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => {
        try {
          resolve(fn());
        } catch (err) {
          reject(err as Error);
        }
      });
    });
  }
}

const text = (bytes: Uint8Array | undefined): string | undefined =>
  bytes === undefined ? undefined : (JSON.parse(Buffer.from(bytes).toString('utf8')) as string);

describe('swappable store', () => {
  test('answers from the current snapshot, and from the new one right after a swap', async () => {
    const oldStore = await LmdbStore.open(await snapshotOf({ [KEY]: 'old value' }));
    const newStore = await LmdbStore.open(await snapshotOf({ [KEY]: 'new value' }));
    const store = new SwappableStore(oldStore);
    const key = parseUuid(KEY)!;
    assert.equal(text(store.get(key) as Uint8Array), 'old value');
    const retired = store.swap(newStore);
    assert.equal(text(store.get(key) as Uint8Array), 'new value');
    assert.equal(store.info().id, newStore.info().id);
    await retired;
    assert.deepEqual((await store.getMany([key])).map(text), ['new value']);
    await store.close();
  });

  test('a lookup in flight finishes on the old store, which closes only after it', async () => {
    const a = new HeldStore('a');
    const b = new HeldStore('b');
    const store = new SwappableStore(a);
    const key = parseUuid(KEY)!;
    const inFlight = store.get(key) as Promise<Uint8Array | undefined>;
    const batch = store.getMany([key, key, key]);
    let retired = false;
    const swapped = store.swap(b).then(() => (retired = true));
    const fresh = store.get(key) as Promise<Uint8Array | undefined>;
    await new Promise((r) => setImmediate(r));
    assert.equal(a.closed, false, 'the old store stays open while lookups run on it');
    assert.equal(retired, false);
    a.releaseAll();
    b.releaseAll();
    assert.equal(text(await inFlight), 'a');
    assert.deepEqual((await batch).map(text), ['a', 'a', 'a'], 'a batch never mixes two stores');
    assert.equal(text(await fresh), 'b');
    await swapped;
    assert.equal(a.closed, true);
    assert.equal(b.closed, false);
  });

  test('a packed batch in flight finishes on the old store, which closes only after it', async () => {
    const a = new HeldStore('a');
    const b = new HeldStore('b');
    const store = new SwappableStore(a);
    const keys = new Uint8Array(2 * 16);
    keys.set(parseUuid(KEY)!, 0);
    keys.set(parseUuid(KEY)!, 16);
    const batch = store.getPacked(keys, 2);
    assert.ok(batch instanceof Promise, 'an engine without getPacked answers through getMany');
    const swapped = store.swap(b);
    await new Promise((r) => setImmediate(r));
    assert.equal(a.closed, false, 'the old store stays open while the batch runs on it');
    a.releaseAll();
    const { bytes, starts, lengths } = (await batch)!;
    const values = [0, 1].map((i) => text(bytes.subarray(starts[i], starts[i]! + lengths[i]!)));
    assert.deepEqual(values, ['a', 'a']);
    await swapped;
    assert.equal(a.closed, true);
  });

  test('close waits for running lookups on the current store, then closes it', async () => {
    const a = new HeldStore('a');
    const store = new SwappableStore(a);
    const pending = store.getMany([parseUuid(KEY)!]);
    const closing = store.close();
    await new Promise((r) => setImmediate(r));
    assert.equal(a.closed, false);
    a.releaseAll();
    assert.deepEqual((await pending).map(text), ['a']);
    await closing;
    assert.equal(a.closed, true);
  });
});
