// A/B: the git revision REV (argument or BENCH_REV, e.g. main) against this checkout's build, same
// load, one interleaved run, so the machine's drift hits both alike: POST /get_values with BENCH_BATCH
// keys a request (default 100; 0 posts single keys to /get_value), 10k pairs, one server core each.
// REV is built once into ROKV_BENCH_DIR (see bench/lib/revision.ts); run `npm run build` here first.
import { exampleDataset } from './lib/dataset.js';
import { benchOptions, SERVER_CPU } from './lib/options.js';
import { report } from './lib/results.js';
import { buildRevision } from './lib/revision.js';
import { interleavedRounds } from './lib/rounds.js';
import { startRokv } from './lib/servers.js';
import { median, pairedRatio } from './lib/stats.js';
import { ensureWrk } from './lib/wrk.js';

const rev = process.argv[2] ?? process.env.BENCH_REV;
if (rev === undefined) throw new Error('which revision? npm run bench:ab -- REV (or BENCH_REV=REV), e.g. main');
const o = benchOptions();
const BATCH = Number(process.env.BENCH_BATCH ?? 100);
if (!Number.isSafeInteger(BATCH) || BATCH < 0)
  throw new Error(`BENCH_BATCH must be an integer >= 0, received ${BATCH}`);
ensureWrk();
const { commit, main } = buildRevision(rev);
const data = exampleDataset();
const A = `rokv ${rev} (${commit.slice(0, 8)})`;
const B = 'rokv, this checkout';
const servers = [
  await startRokv({ ...data, main, port: o.basePort + 51, cpus: SERVER_CPU, name: A }),
  await startRokv({ ...data, port: o.basePort + 52, cpus: SERVER_CPU, name: B }),
];
const { rps, cpuUs } = await interleavedRounds(servers, data.keysFile, o, BATCH);
for (const s of servers) await s.proc.stop();

const load = BATCH === 0 ? 'single keys' : `${BATCH}-key batches`;
report({
  scenario: '11-batch-ab',
  title: `A/B: ${rev} against this checkout, ${load}, 10k pairs, 1 core`,
  command: `BENCH_BATCH=${BATCH} BENCH_SECONDS=${o.seconds} BENCH_ROUNDS=${o.rounds} npm run bench:ab -- ${rev}`,
  throughput: servers.map((s) => ({ label: s.name, rps: median(rps.get(s.name)!) })),
  lines: [
    ...servers.map(
      (s) =>
        `${s.name}: ${median(rps.get(s.name)!)} req/s = ${median(rps.get(s.name)!) * Math.max(BATCH, 1)} keys/s ` +
        `(rounds ${rps.get(s.name)!.join(', ')}), ${median(cpuUs.get(s.name)!).toFixed(1)} us CPU a request`,
    ),
    `this checkout / ${rev} = ${pairedRatio(rps.get(B)!, rps.get(A)!)} by req/s, ` +
      `${pairedRatio(cpuUs.get(B)!, cpuUs.get(A)!)} by CPU per request (medians of per-round ratios; below 1 is cheaper)`,
  ],
});
