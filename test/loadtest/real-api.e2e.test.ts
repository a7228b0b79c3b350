import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LoadResult } from '../../src/loadtest/run.js';
import { runRokv, startRokv } from '../helpers/binary.js';
import { snapshotOf } from '../helpers/snapshot.js';

const pairs: Record<string, string> = {};
for (let i = 0; i < 100; i++) pairs[`5e1b4c2a-0d3f-4a6b-9c8d-${i.toString(16).padStart(12, '0')}`] = `v${i}`;
const snapshot = await snapshotOf(pairs);
const server = await startRokv(['--data', snapshot, '--workers', '1']);

async function loadtest(args: string[]): Promise<LoadResult> {
  const { code, stdout, stderr } = await runRokv(['loadtest', '--json', '--url', server.url, ...args]);
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout) as LoadResult;
}

test('--batch drives POST /get_values and checks every key of every answer', async () => {
  const r = await loadtest([
    '--batch',
    '20',
    '--requests',
    '150',
    '--duration',
    '30',
    '--keys-from',
    snapshot,
    '--miss-ratio',
    '0.2',
    '--invalid-ratio',
    '0.1',
  ]);
  assert.equal(r.totals.requests, 150);
  assert.equal(r.totals.keys, 3000);
  assert.deepEqual(r.totals.statuses, { 200: 150 });
  const { found, missing, invalid, wrong, error } = r.totals.outcomes;
  assert.equal(found + missing + invalid, 3000);
  assert.equal(wrong + error, 0);
  assert.ok(missing > 300 && invalid > 100, JSON.stringify(r.totals.outcomes));
});

test("the server's /metrics gives its CPU and memory over the run", async () => {
  const r = await loadtest(['--rate', '200', '--duration', '3', '--keys-from', snapshot]);
  assert.ok(r.server !== null && r.server.length >= 2, `samples: ${JSON.stringify(r.server)}`);
  assert.ok(r.server.every((s) => s.rssMiB > 10 && s.cpuPercent >= 0));
  assert.ok(
    r.server.some((s) => s.cpuPercent > 0),
    'serving 200 req/s costs some CPU',
  );
});
