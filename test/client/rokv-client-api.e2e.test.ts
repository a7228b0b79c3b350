import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { RokvClient } from '../../src/index.js';
import { serveSnapshotOf } from '../helpers/binary.js';

const pairs: Record<string, string> = {};
for (let i = 0; i < 300; i++) pairs[randomUUID()] = `value ${i} "quoted" 🦄`;
const stored = Object.keys(pairs);
const server = await serveSnapshotOf(pairs, ['--workers', '1']);

describe('RokvClient batch and data set calls against a real rokv server', () => {
  const client = new RokvClient({ url: server.url });
  after(() => client.close());

  test('getMany over several batches keeps the order of found, missing, invalid and repeated keys', async () => {
    const keys: string[] = [];
    for (let i = 0; i < 2500; i++) {
      if (i % 7 === 3) keys.push(randomUUID());
      else if (i % 11 === 5) keys.push(`not-a-key-${i}`);
      else keys.push(stored[(i * 13) % stored.length]!);
    }
    const results = await client.getMany(keys);
    assert.equal(results.length, keys.length);
    results.forEach((r, i) => {
      const key = keys[i]!;
      assert.equal(r.key, key);
      if (pairs[key] !== undefined) assert.deepEqual(r, { kind: 'found', key, value: pairs[key] });
      else if (key.startsWith('not-a-key')) assert.equal(r.kind, 'invalid');
      else assert.equal(r.kind, 'not_found');
    });
  });

  test('getMany of no keys sends nothing and answers nothing', async () => {
    assert.deepEqual(await client.getMany([]), []);
  });

  test('a batch over the server limit rejects with the server message and code', async () => {
    const big = new RokvClient({ url: server.url, batchSize: 5000 });
    after(() => big.close());
    await assert.rejects(
      big.getMany(Array.from({ length: 1500 }, () => stored[0]!)),
      (err: Error & { status?: number }) => err.status === 413 && /1000/.test(err.message),
    );
  });

  test('dataset() describes the served snapshot', async () => {
    const info = await client.dataset();
    assert.equal(info.count, stored.length);
    assert.match(info.id, /\S/);
    assert.equal(info.formatVersion, 1);
  });
});
