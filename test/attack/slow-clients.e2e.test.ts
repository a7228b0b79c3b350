import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { post, serveSnapshotOf } from '../helpers/binary.js';
import { openRaw } from '../helpers/raw-socket.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';
const SLOW_CONNECTIONS = 300;
const HEADERS_TIMEOUT_MS = 2_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('slow and numerous clients', () => {
  test(`${SLOW_CONNECTIONS} slowloris connections are cut off after the headers timeout while normal requests succeed`, async () => {
    const server = await serveSnapshotOf({ [KEY]: 'v' }, [
      '--workers',
      '1',
      '--headers-timeout-ms',
      String(HEADERS_TIMEOUT_MS),
    ]);
    const slow = await Promise.all(Array.from({ length: SLOW_CONNECTIONS }, () => openRaw(server.url)));
    const started = Date.now();
    for (const t of slow) t.socket.write('POST /get_value HTTP/1.1\r\nHost: x\r\n');

    // Trickle a header line every 300 ms, as slowloris does, while normal clients keep asking.
    const statuses: number[] = [];
    for (let round = 0; round < 15 && Date.now() - started < HEADERS_TIMEOUT_MS + 4_000; round++) {
      for (const t of slow) if (t.closedAt === undefined) t.socket.write(`X-Slow-${round}: ${round}\r\n`);
      const answers = await Promise.all([1, 2, 3, 4, 5].map(() => post(`${server.url}/get_value`, { key: KEY })));
      statuses.push(...answers.map((a) => a.status));
      await sleep(300);
    }
    await sleep(Math.max(0, started + HEADERS_TIMEOUT_MS + 3_000 - Date.now()));

    assert.ok(statuses.length >= 25 && statuses.every((s) => s === 200), `normal requests: ${statuses.join(',')}`);
    const stillOpen = slow.filter((t) => t.closedAt === undefined).length;
    assert.equal(stillOpen, 0, `${stillOpen} slow connections still open`);
    const cutEarly = slow.filter((t) => t.closedAt! - started < HEADERS_TIMEOUT_MS - 500).length;
    assert.equal(cutEarly, 0, 'no connection is cut before its headers timeout');
    const said = await Promise.all(slow.map((t) => t.closed));
    assert.ok(
      said.every((a) => a.length === 0 || a.toString('latin1').startsWith('HTTP/1.1 408')),
      'the server says 408 if it says anything',
    );
  });

  test('connections beyond --max-connections are closed at once and the server keeps serving', async () => {
    const server = await serveSnapshotOf({ [KEY]: 'v' }, ['--workers', '1', '--max-connections', '50']);
    const held = await Promise.all(Array.from({ length: 50 }, () => openRaw(server.url)));
    await sleep(300);
    const extra = await Promise.all(Array.from({ length: 20 }, () => openRaw(server.url)));
    await sleep(500);
    assert.equal(held.filter((t) => t.closedAt !== undefined).length, 0, 'connections within the limit stay open');
    assert.equal(extra.filter((t) => t.closedAt === undefined).length, 0, 'connections beyond the limit are closed');
    for (const t of held) t.socket.destroy();
    await sleep(300);
    assert.deepEqual(await post(`${server.url}/get_value`, { key: KEY }), { status: 200, body: { value: 'v' } });
  });
});
