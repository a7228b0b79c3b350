// Keys/s of POST /get_values (BENCH_BATCH keys a request, default 100) against single-key
// POST /get_value on the same server, one core, 10k pairs; and the native batch reader's worth: the
// same batches on a server started with --no-native-reader (lmdb-js, a call per key). Rounds
// interleaved; besides req/s, the server's CPU per request and per key, steadier on a shared machine.
import { exampleDataset } from './lib/dataset.js';
import { benchOptions, SERVER_CPU } from './lib/options.js';
import { report } from './lib/results.js';
import { interleavedRounds, type Load } from './lib/rounds.js';
import { startRokv } from './lib/servers.js';
import { median, pairedRatio } from './lib/stats.js';
import { ensureWrk } from './lib/wrk.js';

const o = benchOptions();
const BATCH = Number(process.env.BENCH_BATCH ?? 100);
if (!Number.isSafeInteger(BATCH) || BATCH < 2)
  throw new Error(`BENCH_BATCH must be an integer >= 2, received ${BATCH}`);
ensureWrk();
const data = exampleDataset();
const rokv = await startRokv({ ...data, port: o.basePort + 41, cpus: SERVER_CPU });
const lmdbJs = await startRokv({
  ...data,
  port: o.basePort + 42,
  cpus: SERVER_CPU,
  serveArgs: ['--no-native-reader'],
  name: 'rokv --no-native-reader',
});
const SINGLE = 'single keys';
const BATCHES = `${BATCH}-key batches`;
const JS_BATCHES = `${BATCH}-key batches, --no-native-reader`;
const loads: Load[] = [
  { ...rokv, name: SINGLE, batch: 0 },
  { ...rokv, name: BATCHES, batch: BATCH },
  { ...lmdbJs, name: JS_BATCHES, batch: BATCH },
];
const { rps, cpuUs } = await interleavedRounds(loads, data.keysFile, o);
for (const s of [rokv, lmdbJs]) await s.proc.stop();

const keysPerRequest = (name: string): number => (name === SINGLE ? 1 : BATCH);
const keysPerSecond = (name: string): number[] => rps.get(name)!.map((r) => r * keysPerRequest(name));
const usPerKey = (name: string): number[] => cpuUs.get(name)!.map((us) => us / keysPerRequest(name));
report({
  scenario: '10-batch',
  title: `${BATCH}-key batches vs single keys, 10k pairs, 1 core`,
  command: `BENCH_BATCH=${BATCH} BENCH_SECONDS=${o.seconds} BENCH_ROUNDS=${o.rounds} npm run bench:batch`,
  throughput: loads.map((l) => ({ label: `rokv, ${l.name} (keys/s)`, rps: median(keysPerSecond(l.name)) })),
  lines: [
    ...loads.map(
      (l) =>
        `${l.name}: ${median(keysPerSecond(l.name))} keys/s = ${median(rps.get(l.name)!)} req/s (rounds ${rps.get(l.name)!.join(', ')}); ` +
        `server CPU ${median(cpuUs.get(l.name)!).toFixed(1)} us a request, ${median(usPerKey(l.name)).toFixed(2)} us a key ` +
        `(${Math.round(1e6 / median(usPerKey(l.name)))} keys/s for one busy core)`,
    ),
    `batches / single keys = ${pairedRatio(keysPerSecond(BATCHES), keysPerSecond(SINGLE))} by keys/s, ` +
      `${pairedRatio(usPerKey(SINGLE), usPerKey(BATCHES))} by server CPU a key (medians of per-round ratios)`,
    `native batch reader / lmdb-js = ${pairedRatio(rps.get(BATCHES)!, rps.get(JS_BATCHES)!)} by req/s, ` +
      `${pairedRatio(cpuUs.get(JS_BATCHES)!, cpuUs.get(BATCHES)!)} by server CPU a request (medians of per-round ratios)`,
  ],
});
