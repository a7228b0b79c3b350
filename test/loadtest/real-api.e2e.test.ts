import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LoadResult } from '../../src/loadtest/run.js';
import { loadtestJson, mixedKeysFrom, numberedPairs, serveLoadTarget } from '../helpers/loadtest.js';

const { snapshot, server } = await serveLoadTarget(numberedPairs('5e1b4c2a-0d3f-4a6b-9c8d-', 100, (i) => `v${i}`));

async function loadtest(args: string[]): Promise<LoadResult> {
  const { code, result, stderr } = await loadtestJson(['--url', server.url, ...args]);
  assert.equal(code, 0, stderr);
  return result;
}

test('--batch drives POST /get_values and checks every key of every answer', async () => {
  const r = await loadtest(['--batch', '20', '--requests', '150', '--duration', '30', ...mixedKeysFrom(snapshot)]);
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
