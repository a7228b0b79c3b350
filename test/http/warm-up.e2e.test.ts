import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { renderPairs } from '../../src/gen/format.js';
import { syntheticPairs } from '../../src/gen/synthetic.js';
import { Readiness } from '../../src/http/probes.js';
import { buildSnapshot } from '../../src/ingest/build.js';
import { DATA_FILE } from '../../src/snapshot/lmdb-file.js';
import { WarmUp, type WarmUpStatus } from '../../src/store/warm-up.js';
import { appOf, postJson } from '../helpers/app.js';
import { startRokv } from '../helpers/binary.js';
import { eventually } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';

/** A snapshot large enough to have branch pages: 30k synthetic pairs. */
async function bigSnapshot(): Promise<string> {
  const dir = await tempDir();
  const input = join(dir, 'in.jsonl');
  await writeFile(input, [...renderPairs(syntheticPairs(30_000, 4), 'jsonl')].join(''));
  await buildSnapshot(input, join(dir, 'snap'));
  return join(dir, 'snap');
}

/** Runs a warm-up to its end and returns every status it reported. */
async function warm(file: string, mode: 'index' | 'full' | 'auto'): Promise<{ warmUp: WarmUp; seen: WarmUpStatus[] }> {
  const seen: WarmUpStatus[] = [];
  const warmUp = WarmUp.start(file, mode, (s) => seen.push({ ...s }))!;
  await warmUp.finished;
  return { warmUp, seen };
}

describe('readiness while warming up', () => {
  test('readyz says not ready with the progress while healthz and lookups answer, and ready once warm', async (t) => {
    const readiness = new Readiness();
    const status: WarmUpStatus = { mode: 'index', done: 3, total: 10, finished: false, seconds: 0.5 };
    readiness.warmUp = {
      status,
      get fraction() {
        return status.finished ? 1 : status.done / status.total;
      },
    };
    const { app, close } = await appOf({ [KEY]: 'v' }, {}, { readiness });
    t.after(close);
    readiness.serving();

    const warming = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(warming.statusCode, 503);
    assert.deepEqual(warming.json(), {
      message: "not ready: warming up: 30% of the index's branch pages read into memory",
      code: 'NOT_READY',
    });
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    const lookup = await postJson(app, '/get_value', { key: KEY });
    assert.equal(lookup.statusCode, 200);
    assert.deepEqual(lookup.json(), { value: 'v' });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /^rokv_warmup_ratio 0\.3$/m);

    status.done = 10;
    status.finished = true;
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json<{ warmUp: unknown }>().warmUp, status);
    assert.match((await app.inject({ method: 'GET', url: '/metrics' })).body, /^rokv_warmup_ratio 1$/m);
  });
});

describe('the page-cache warm-up', () => {
  test('index mode looks up probes over the whole key space, a few per branch page, reporting progress', async () => {
    const file = join(await bigSnapshot(), DATA_FILE);
    const { warmUp, seen } = await warm(file, 'index');
    const last = seen.at(-1)!;
    assert.equal(last.finished, true);
    assert.equal(last.mode, 'index');
    assert.equal(last.done, last.total);
    assert.ok(last.total >= 64, `${last.total} probes`);
    assert.equal(warmUp.fraction, 1);
    const done = seen.map((s) => s.done);
    assert.deepEqual(
      done,
      [...done].sort((a, b) => a - b),
      'progress only moves forward',
    );
  });

  test('full mode reads every byte of the data file; auto picks it for a file that fits in memory', async () => {
    const file = join(await bigSnapshot(), DATA_FILE);
    for (const mode of ['full', 'auto'] as const) {
      const { seen } = await warm(file, mode);
      const last = seen.at(-1)!;
      assert.equal(last.mode, 'full');
      assert.equal(last.total, statSync(file).size);
      assert.equal(last.done, last.total);
    }
    assert.equal(
      WarmUp.start(file, 'off', () => undefined),
      undefined,
    );
  });

  test('rokv serve logs the warm-up and turns ready when it is done', async () => {
    const server = await startRokv(['--data', await bigSnapshot(), '--warm-up', 'index']);
    const ready = await eventually(async () => (await fetch(`${server.url}/readyz`)).status === 200, 60_000);
    assert.ok(ready, `never ready:\n${server.logs()}`);
    assert.match(server.logs(), /warm-up done: the index's branch pages read in [\d.]+ s; ready/);
    assert.equal(await server.stop(), 0);
  });
});
