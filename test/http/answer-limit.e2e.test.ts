import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { catalog } from '../../src/errors.js';
import { buildSnapshot } from '../../src/ingest/build.js';
import { appOf } from '../helpers/app.js';
import { startRokv } from '../helpers/binary.js';
import { tempDir } from '../helpers/tmp.js';

const SMALL = '8a35eb59-62b3-481c-8875-1f248df4c952';
const LARGE = '44444444-4444-4444-b444-444444444444';
const MISSING = '0b8a4bb1-6d1d-4c5e-9a8b-2f2f0f2f2f2f';
const pairs = { [SMALL]: 'small', [LARGE]: 'x'.repeat(10_000) };
const LIMIT = 2_000;
const TOO_LARGE = { message: catalog.ANSWER_TOO_LARGE(LIMIT).message, code: 'ANSWER_TOO_LARGE' };

/** POSTs `body` over a real socket, so the fast lane (when on) answers it. */
function overSocket(port: number, path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(JSON.stringify(body));
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', 'content-length': payload.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()) }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('the limit on a batch answer', () => {
  const lanes: [string, boolean][] = [
    ['the fast lane', true],
    ['Fastify', false],
  ];
  for (const [name, fastLane] of lanes) {
    describe(`through ${name}`, () => {
      let app: FastifyInstance;
      let close: () => Promise<void>;
      let port: number;
      before(async () => {
        ({ app, close } = await appOf(pairs, { batchMaxAnswerBytes: LIMIT, fastLane }));
        await app.listen({ host: '127.0.0.1', port: 0 });
        port = (app.server.address() as AddressInfo).port;
      });
      after(() => close());

      test('answers a batch whose answer fits', async () => {
        const res = await overSocket(port, '/get_values', { keys: [SMALL, MISSING, 'nope'] });
        assert.equal(res.status, 200);
        assert.equal((res.body as { results: unknown[] }).results.length, 3);
      });

      test('refuses with 413 naming the limit a batch whose values alone are over it', async () => {
        const res = await overSocket(port, '/get_values', { keys: [LARGE] });
        assert.deepEqual(res, { status: 413, body: TOO_LARGE });
      });

      test('refuses with 413 a batch of values each under the limit but together over it', async () => {
        const res = await overSocket(port, '/get_values', { keys: Array.from({ length: 500 }, () => SMALL) });
        assert.deepEqual(res, { status: 413, body: TOO_LARGE });
      });

      test('refuses a batch of misses whose error bodies together are over it', async () => {
        const res = await overSocket(port, '/get_values', { keys: Array.from({ length: 40 }, () => MISSING) });
        assert.deepEqual(res, { status: 413, body: TOO_LARGE });
      });

      test('leaves a single /get_value of a value over the limit alone', async () => {
        const res = await overSocket(port, '/get_value', { key: LARGE });
        assert.deepEqual(res, { status: 200, body: { value: pairs[LARGE] } });
      });

      test('counts a refused batch as no lookup', async () => {
        await overSocket(port, '/get_values', { keys: [LARGE, SMALL] });
        const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
        assert.match(text, /rokv_http_requests_total\{route="\/get_values",method="POST",status="413"\} [1-9]/);
      });
    });
  }

  test('is documented in the OpenAPI document of POST /get_values', async () => {
    const { app, close } = await appOf(pairs);
    try {
      const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{
        paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
      }>();
      assert.match(doc.paths['/get_values']!.post!.responses['413']!.description, /answer would be over/);
    } finally {
      await close();
    }
  });
});

const ONE_MIB = '55555555-5555-4555-8555-555555555555';

/** Builds a snapshot holding a 1 MiB value (and SMALL). */
async function hugeSnapshot(): Promise<string> {
  const dir = await tempDir();
  const input = join(dir, 'input.json');
  await writeFile(input, JSON.stringify({ [ONE_MIB]: 'v'.repeat(1 << 20), [SMALL]: 'small' }));
  const snapshot = join(dir, 'snapshot');
  await buildSnapshot(input, snapshot, { maxValueBytes: 4 << 20 });
  return snapshot;
}

/** The peak resident memory of process `pid` (VmHWM), in bytes. */
async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  assert.ok(kb, status);
  return Number(kb[1]) * 1024;
}

describe(
  'a batch asking 1,000 times for a 1 MiB value',
  { skip: process.platform !== 'linux' && 'reads /proc' },
  () => {
    let snapshot: string;
    before(async () => {
      snapshot = await hugeSnapshot();
    });
    for (const [name, flags] of [
      ['the fast lane', []],
      ['Fastify', ['--no-fast-lane']],
    ] as const) {
      test(`is refused with 413 through ${name} without the worker building the gigabyte answer`, async () => {
        const server = await startRokv(['--data', snapshot, '--workers', '1', ...flags]);
        try {
          const pid = server.child.pid!;
          const before = await peakRss(pid);
          const keys = Array.from({ length: 1000 }, () => ONE_MIB);
          for (let i = 0; i < 3; i++) {
            const res = await fetch(`${server.url}/get_values`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ keys }),
              signal: AbortSignal.timeout(30_000),
            });
            assert.equal(res.status, 413);
            assert.deepEqual(await res.json(), {
              message: catalog.ANSWER_TOO_LARGE(8 << 20).message,
              code: 'ANSWER_TOO_LARGE',
            });
          }
          // One copy of the values would be 1 GiB: the peak may grow by far less than a tenth of it.
          const grown = (await peakRss(pid)) - before;
          assert.ok(grown < 100 << 20, `peak resident memory grew by ${grown} bytes`);
          // The server still answers a batch of the large value that fits, and the value alone.
          const fits = await fetch(`${server.url}/get_values`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ keys: [ONE_MIB, SMALL] }),
            signal: AbortSignal.timeout(30_000),
          });
          assert.equal(fits.status, 200);
          assert.equal(((await fits.json()) as { results: { value: string }[] }).results[0]!.value.length, 1 << 20);
        } finally {
          await server.stop();
        }
      });
    }
  },
);
