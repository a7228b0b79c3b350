import assert from 'node:assert/strict';
import { open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { LmdbStore } from '../../src/store/lmdb.js';
import { checkSnapshot, verifySnapshot } from '../../src/snapshot/verify.js';
import { editManifest, snapshotOf } from '../helpers/snapshot.js';

const pairs = { '8a35eb59-62b3-481c-8875-1f248df4c952': 'one', '0b8a4bb1-6d1d-4c5e-9a8b-2f2f0f2f2f2f': 'two' };

describe('snapshot verification', () => {
  test('accepts an intact snapshot', async () => {
    const dir = await snapshotOf(pairs);
    const m = await verifySnapshot(dir);
    assert.equal(m.count, 2);
  });

  test('detects one changed byte in the data file', async () => {
    const dir = await snapshotOf(pairs);
    const fh = await open(join(dir, 'data.mdb'), 'r+');
    const { size } = await fh.stat();
    const at = Math.floor(size / 2);
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, at);
    b[0] = b[0]! ^ 0xff;
    await fh.write(b, 0, 1, at);
    await fh.close();
    await assert.rejects(verifySnapshot(dir), /corrupt: data file data\.mdb does not match its sha256/);
  });

  test('detects a missing data file, cheaply, before serving', async () => {
    const dir = await snapshotOf(pairs);
    await rm(join(dir, 'data.mdb'));
    await assert.rejects(checkSnapshot(dir), /data file data\.mdb is missing/);
    await assert.rejects(LmdbStore.open(dir), /data file data\.mdb is missing/);
  });

  test('refuses a snapshot without a manifest', async () => {
    const dir = await snapshotOf(pairs);
    await rm(join(dir, 'manifest.json'));
    await assert.rejects(LmdbStore.open(dir), /no snapshot at .*manifest\.json not found/);
  });

  test('refuses an unknown format version', async () => {
    const dir = await snapshotOf(pairs);
    await editManifest(dir, (m) => (m.formatVersion = 99));
    await assert.rejects(LmdbStore.open(dir), /format version 99 is not supported/);
  });

  test('detects a manifest whose count does not match the data', async () => {
    const dir = await snapshotOf(pairs);
    await editManifest(dir, (m) => (m.count = 3));
    await assert.rejects(verifySnapshot(dir), /holds 2 pairs, the manifest says 3/);
  });

  test('refuses a manifest naming a file outside the snapshot', async () => {
    const dir = await snapshotOf(pairs);
    await editManifest(dir, (m) => ((m.files as { name: string }[])[0]!.name = '../etc/passwd'));
    await assert.rejects(checkSnapshot(dir), /field "files\.0\.name" must be the data file name "data\.mdb"/);
  });

  test('refuses a manifest that is not JSON', async () => {
    const dir = await snapshotOf(pairs);
    await writeFile(join(dir, 'manifest.json'), '{nope');
    await assert.rejects(checkSnapshot(dir), /manifest\.json is not valid JSON/);
  });
});
