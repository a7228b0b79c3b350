// The LMDB reads of a 100-key batch in process, on one core: rokv's native batch reader (one call
// a batch) against lmdb-js (one call a key), both over the example snapshot, runs interleaved. No
// sockets and no HTTP: only `Store.getPacked`, which is what a batch's lookups cost.
import { readFileSync } from 'node:fs';
import { exampleDataset } from './lib/dataset.js';
import { report } from './lib/results.js';
import { ratio } from './lib/stats.js';
import { LmdbStore } from '../src/store/lmdb.js';
import { parseUuidInto, UUID_BYTES } from '../src/uuid.js';

const BATCH = 100;
const data = exampleDataset();
const keys = readFileSync(data.keysFile, 'utf8').trim().split('\n');
// 200 batches that go round the keys in turn, as bench/lib/post-keys.lua sends them.
const batches = Array.from({ length: 200 }, (_, b) => {
  const packed = new Uint8Array(BATCH * UUID_BYTES);
  for (let i = 0; i < BATCH; i++) parseUuidInto(keys[(b * BATCH + i) % keys.length]!, packed, i * UUID_BYTES);
  return packed;
});
const native = await LmdbStore.open(data.snapshot);
const lmdbJs = await LmdbStore.open(data.snapshot, { nativeReader: false });
if (!native.readsNatively) throw new Error('the native batch reader is not built: npm run build:native');

/** Microseconds per batch over 20,000 batches. */
function usPerBatch(store: LmdbStore): number {
  const t = process.hrtime.bigint();
  let sink = 0;
  for (let i = 0; i < 20_000; i++) sink += store.getPacked(batches[i % batches.length]!, BATCH)!.bytes.length;
  if (sink < 0) console.log(sink);
  return Number(process.hrtime.bigint() - t) / 20_000 / 1000;
}

// Best of 7 runs each, alternating, so that a burst of host noise hits both alike.
let bestNative = Infinity;
let bestJs = Infinity;
for (let run = 0; run < 7; run++) {
  bestNative = Math.min(bestNative, usPerBatch(native));
  bestJs = Math.min(bestJs, usPerBatch(lmdbJs));
}
await native.close();
await lmdbJs.close();
report({
  scenario: '8-batch-reader',
  title: 'LMDB reads of a 100-key batch in process, one core',
  command: 'taskset -c 1 node --import tsx bench/batch-reader.ts',
  throughput: [],
  lines: [
    `native batch reader: ${bestNative.toFixed(1)} us a batch (${((bestNative * 1000) / BATCH).toFixed(0)} ns a key); ` +
      `lmdb-js: ${bestJs.toFixed(1)} us (${((bestJs * 1000) / BATCH).toFixed(0)} ns a key); ${ratio(bestJs, bestNative)}x less time`,
  ],
});
