import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { post, startRokv } from '../helpers/binary.js';
import { asNobody, NOBODY, nobodyUnsupported, openToNobody } from '../helpers/nobody.js';
import { snapshotOf } from '../helpers/snapshot.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';

describe('read-only deployment', () => {
  const skip = nobodyUnsupported();
  test('serves a snapshot from a read-only mount, code read-only too, as a non-root user', { skip }, async () => {
    const snap = await snapshotOf({ [KEY]: 'v' });
    await openToNobody(snap);
    const before = await readdir(snap);
    // In a private mount namespace the snapshot and the checkout are read-only bind mounts
    // (a write probe proves it), then the shell drops to `nobody` and execs rokv (so the pid is rokv's).
    const server = await startRokv(['--data', snap, '--workers', '2'], {}, await asNobody([snap]));
    assert.deepEqual(await post(`${server.url}/get_value`, { key: KEY }), { status: 200, body: { value: 'v' } });
    assert.equal((await post(`${server.url}/get_value`, { key: '0b8a4bb1-6d1d-4c5e-9a8b-2f2f0f2f2f2f' })).status, 404);
    const uid = execFileSync('ps', ['-o', 'uid=', '-p', String(server.child.pid)])
      .toString()
      .trim();
    assert.equal(uid, NOBODY);
    assert.equal(await server.stop(), 0);
    assert.deepEqual(await readdir(snap), before, 'nothing was written beside the snapshot');
    assert.ok(!before.includes('data.mdb-lock'));
  });
});
