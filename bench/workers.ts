// `--workers 2` against `--workers 1` on this machine's two cores. The load generator runs on the
// same two cores (there is no third), so this measures how much of the machine rokv can use while
// sharing it with its client, not clean per-core scaling.
import { execFileSync } from 'node:child_process';
import { exampleDataset } from './lib/dataset.js';
import { benchOptions } from './lib/options.js';
import { privateBytes } from './lib/proc.js';
import { report } from './lib/results.js';
import { startRokv, type BenchServer } from './lib/servers.js';
import { median, pairedRatio, ratio } from './lib/stats.js';
import { ensureWrk, runWrk } from './lib/wrk.js';

const ALL = '0,1';
const o = benchOptions();
ensureWrk();
const data = exampleDataset();
const servers: [string, BenchServer][] = [
  ['--workers 1', await startRokv({ ...data, port: o.basePort + 31, cpus: ALL, workers: 1 })],
  ['--workers 2', await startRokv({ ...data, port: o.basePort + 32, cpus: ALL, workers: 2 })],
];
const load = (port: number, seconds: number) =>
  runWrk({ port, seconds, keysFile: data.keysFile, cpus: ALL, threads: 2, connections: 64 });
for (const [, s] of servers) await load(s.port, 2);
const rps = servers.map(() => [] as number[]);
for (let r = 0; r < o.rounds; r++) {
  for (const [i, [name, s]] of servers.entries()) {
    const res = await load(s.port, o.seconds);
    // A wrong answer invalidates the run; socket errors and wrk's 2 s timeouts on an overloaded machine are reported.
    if (res.non200 > 0) throw new Error(`${name}: ${res.non200} non-200 answers`);
    if (res.errors > 0) console.log(`${name}: ${res.errors} socket errors or timeouts in this round`);
    rps[i]!.push(res.rps);
    console.log(`round ${r + 1} ${name}: ${res.rps} req/s`);
  }
}
// Memory of the 2-worker server: the primary and each worker, private pages only.
const pids = [
  servers[1]![1].proc.pid,
  ...execFileSync('pgrep', ['-P', String(servers[1]![1].proc.pid)])
    .toString()
    .trim()
    .split('\n')
    .map(Number),
];
const mem = pids.map((p) => privateBytes(p).anonymous / 2 ** 20);
for (const [, s] of servers) await s.proc.stop();
const meds = rps.map(median);
report({
  scenario: '4-workers',
  title: 'Workers: 2 against 1 (load generator on the same 2 cores)',
  command: `BENCH_SECONDS=${o.seconds} BENCH_ROUNDS=${o.rounds} npm run bench:workers`,
  throughput: servers.map(([name], i) => ({ label: `rokv ${name}`, rps: meds[i]! })),
  lines: [
    ...servers.map(([name], i) => `${name}: ${meds[i]} req/s (rounds ${rps[i]!.join(', ')})`),
    `2 workers / 1 worker = ${pairedRatio(rps[1]!, rps[0]!)} (median of per-round ratios; ratio of medians ${ratio(meds[1]!, meds[0]!)}; wrk -t2 -c64 shares both cores with the server)`,
    `anonymous (heap) memory of the 2-worker server: primary ${mem[0]!.toFixed(1)} MB, workers ${mem
      .slice(1)
      .map((m) => `${m.toFixed(1)} MB`)
      .join(', ')}`,
  ],
});
