import assert from 'node:assert/strict';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { post, runRokv, startRokv } from '../helpers/binary.js';
import { editManifest, rawSnapshotOf, snapshotOf } from '../helpers/snapshot.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';
const LOCAL = ['--port', '0', '--host', '127.0.0.1', '--workers', '1'];

/** A snapshot whose data file has one byte flipped in its middle: same size, another sha256. */
async function damaged(): Promise<string> {
  const dir = await snapshotOf({ [KEY]: 'v' });
  const fh = await open(join(dir, 'data.mdb'), 'r+');
  const { size } = await fh.stat();
  const b = Buffer.alloc(1);
  await fh.read(b, 0, 1, Math.floor(size / 2));
  b[0] = b[0]! ^ 0xff;
  await fh.write(b, 0, 1, Math.floor(size / 2));
  await fh.close();
  return dir;
}

describe('what rokv serve checks at start', () => {
  test('refuses a snapshot whose data file no longer matches its sha256', async () => {
    const res = await runRokv(['serve', '--data', await damaged(), ...LOCAL]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^rokv: snapshot at .* is corrupt: data file data\.mdb does not match its sha256/);
  });

  test('refuses a snapshot holding a value that is not a JSON string literal', async () => {
    const dir = await rawSnapshotOf({ [KEY]: '"x"},{"value":"forged"' });
    const res = await runRokv(['serve', '--data', dir, ...LOCAL]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, new RegExp(`the value of key ${KEY} is not one JSON string literal of valid UTF-8`));
  });

  test('--verify quick starts on the size and sample checks alone', async () => {
    // The file intact but its recorded sha256 another: only the full check reads the file to notice.
    const dir = await snapshotOf({ [KEY]: 'v' });
    await editManifest(dir, (m) => ((m.files as { sha256: string }[])[0]!.sha256 = '0'.repeat(64)));
    assert.equal((await runRokv(['serve', '--data', dir, ...LOCAL])).code, 1);
    const server = await startRokv(['--data', dir, '--workers', '1', '--verify', 'quick']);
    assert.deepEqual(await post(`${server.url}/get_value`, { key: KEY }), { status: 200, body: { value: 'v' } });
    assert.equal(await server.stop(), 0);
  });
});
