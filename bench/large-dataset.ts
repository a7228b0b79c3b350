// 10M pairs against 10k pairs of the same synthetic shape, keys drawn at random from the whole set:
// throughput after warm-up, time from `rokv serve` start to the first answer, private memory. Both
// start with `--verify quick`: what the full check costs at start is bench/verify-startup.ts's figure.
import { bigDataset } from './lib/dataset.js';
import { benchOptions, LOAD_CPU, SERVER_CPU } from './lib/options.js';
import { privateBytes } from './lib/proc.js';
import { report } from './lib/results.js';
import { startRokv, type BenchServer } from './lib/servers.js';
import { median, pairedRatio, ratio } from './lib/stats.js';
import { ensureWrk, runWrk } from './lib/wrk.js';

const o = benchOptions();
const LARGE = Number(process.env.BENCH_LARGE_PAIRS ?? 10_000_000);
ensureWrk();
const small = await bigDataset(10_000);
console.log(`writing or reusing the ${LARGE}-pair snapshot (about a minute per 10M pairs the first time)`);
const large = await bigDataset(LARGE);
const label = (n: number): string => (n >= 1e6 ? `${n / 1e6}M pairs` : `${n / 1e3}k pairs`);

const servers: [string, BenchServer, string][] = [];
for (const [n, d, port] of [
  [10_000, small, o.basePort + 21],
  [LARGE, large, o.basePort + 22],
] as const) {
  servers.push([
    label(n),
    await startRokv({ ...d, port, cpus: SERVER_CPU, serveArgs: ['--verify', 'quick'] }),
    d.keysFile,
  ]);
}
const memAtStart = servers.map(([, s]) => privateBytes(s.proc.pid));
// Warm-up: random keys fault the touched pages of the mapped file into the page cache.
for (const [, s, keys] of servers)
  await runWrk({ port: s.port, seconds: Math.max(5, o.seconds), keysFile: keys, cpus: LOAD_CPU });
const rps = servers.map(() => [] as number[]);
for (let r = 0; r < o.rounds; r++) {
  for (const [i, [name, s, keys]] of servers.entries()) {
    const res = await runWrk({ port: s.port, seconds: o.seconds, keysFile: keys, cpus: LOAD_CPU });
    // A wrong answer invalidates the run; socket errors and wrk's 2 s timeouts on an overloaded machine are reported.
    if (res.non200 > 0) throw new Error(`${name}: ${res.non200} non-200 answers`);
    if (res.errors > 0) console.log(`${name}: ${res.errors} socket errors or timeouts in this round`);
    rps[i]!.push(res.rps);
    console.log(`round ${r + 1} ${name}: ${res.rps} req/s`);
  }
}
const memAfter = servers.map(([, s]) => privateBytes(s.proc.pid));
for (const [, s] of servers) await s.proc.stop();

const mb = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MB`;
const meds = rps.map(median);
report({
  scenario: '2-large-dataset',
  title: `${label(LARGE)} vs 10k pairs, random keys, 1 core`,
  command: `BENCH_SECONDS=${o.seconds} BENCH_ROUNDS=${o.rounds} npm run bench:large`,
  throughput: servers.map(([name], i) => ({ label: `rokv, ${name}`, rps: meds[i]! })),
  lines: [
    ...servers.map(
      ([name, s], i) =>
        `${name}: ${meds[i]} req/s (rounds ${rps[i]!.join(', ')}); first answer ${s.startSeconds.toFixed(2)} s after spawn; ` +
        `memory after load: anonymous (heap) ${mb(memAfter[i]!.anonymous)}, Private_Dirty ${mb(memAfter[i]!.privateDirty)}, ` +
        `Private_Clean+Dirty ${mb(memAfter[i]!.private)}, RSS ${mb(memAfter[i]!.rss)} (at start: anonymous ${mb(memAtStart[i]!.anonymous)}, private ${mb(memAtStart[i]!.private)})`,
    ),
    `${label(LARGE)} / 10k pairs = ${pairedRatio(rps[1]!, rps[0]!)} (median of per-round ratios; ratio of medians ${ratio(meds[1]!, meds[0]!)}; goal >= 0.9); goals: first answer <= 1 s, private memory <= 150 MB; clean file pages count as private while only one process maps them, they are page cache, not heap`,
  ],
});
