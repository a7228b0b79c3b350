// What the full snapshot check costs. Start-up: `rokv serve` with the full check (the default) against
// `--verify quick` on the same BENCH_PAIRS-pair snapshot (default 10M), in alternating rounds: seconds
// from spawn to the first answer and the CPU seconds the process spent to get there. The hot path:
// bench:single's shape (10k pairs, one server core, single keys), a server started with each check,
// interleaved, CPU per request and req/s: the check runs at start only, so the ratio should be 1.
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { bigDataset, exampleDataset } from './lib/dataset.js';
import { benchOptions, SERVER_CPU } from './lib/options.js';
import { cpuSeconds } from './lib/proc.js';
import { report } from './lib/results.js';
import { interleavedRounds } from './lib/rounds.js';
import { startRokv, type BenchServer } from './lib/servers.js';
import { median, pairedRatio } from './lib/stats.js';
import { ensureWrk } from './lib/wrk.js';

const o = benchOptions();
const PAIRS = Number(process.env.BENCH_PAIRS ?? 10_000_000);
if (!Number.isSafeInteger(PAIRS) || PAIRS <= 0)
  throw new Error(`BENCH_PAIRS must be a positive integer, received ${PAIRS}`);
const CHECKS = ['quick', 'full'] as const;
type Check = (typeof CHECKS)[number];
const label = (c: Check): string => (c === 'full' ? 'full check (default)' : '--verify quick');
ensureWrk();

console.log(`writing or reusing the ${PAIRS}-pair snapshot (about a minute per 10M pairs the first time)`);
const big = await bigDataset(PAIRS);
// Both checks then start from a warm page cache: the full one would otherwise pay the disk for both.
for (const name of await readdir(big.snapshot)) {
  await pipeline(createReadStream(join(big.snapshot, name)), new Writable({ write: (_c, _e, done) => done() }));
}

const startSeconds: Record<Check, number[]> = { quick: [], full: [] };
const startCpu: Record<Check, number[]> = { quick: [], full: [] };
for (let r = 0; r < o.rounds; r++) {
  // Alternating order, so neither check always runs right after the other's page cache traffic.
  for (const check of r % 2 === 0 ? CHECKS : [...CHECKS].reverse()) {
    const s = await startRokv({
      ...big,
      port: o.basePort + 31,
      cpus: SERVER_CPU,
      serveArgs: ['--verify', check],
      name: label(check),
      // The full check reads every pair: minutes at 10M pairs on a busy machine.
      readyTimeoutMs: 60_000 + PAIRS / 20,
    });
    const cpu = cpuSeconds(s.proc.pid);
    await s.proc.stop();
    startSeconds[check].push(s.startSeconds);
    startCpu[check].push(cpu);
    console.log(
      `round ${r + 1} ${label(check)}: first answer ${s.startSeconds.toFixed(2)} s after spawn, ${cpu.toFixed(2)} CPU s`,
    );
  }
}

const data = exampleDataset();
const servers: BenchServer[] = [];
for (const [i, check] of CHECKS.entries()) {
  servers.push(
    await startRokv({
      ...data,
      port: o.basePort + 32 + i,
      cpus: SERVER_CPU,
      serveArgs: ['--verify', check],
      name: `rokv, ${label(check)}`,
    }),
  );
}
const { rps, cpuUs } = await interleavedRounds(servers, data.keysFile, o);
for (const s of servers) await s.proc.stop();

const pairs = PAIRS >= 1e6 ? `${PAIRS / 1e6}M pairs` : `${PAIRS / 1e3}k pairs`;
const [quick, full] = servers.map((s) => s.name) as [string, string];
const secs = (xs: number[]): string => xs.map((x) => x.toFixed(2)).join(', ');
report({
  scenario: '9-verify-startup',
  title: `Start-up with the full snapshot check vs --verify quick, ${pairs}; the hot path after each`,
  command: `BENCH_PAIRS=${PAIRS} BENCH_SECONDS=${o.seconds} BENCH_ROUNDS=${o.rounds} npm run bench:verify`,
  throughput: servers.map((s) => ({ label: s.name, rps: median(rps.get(s.name)!) })),
  lines: [
    ...CHECKS.map(
      (c) =>
        `${pairs}, ${label(c)}: first answer ${median(startSeconds[c]).toFixed(2)} s after spawn (rounds ${secs(startSeconds[c])}), ` +
        `${median(startCpu[c]).toFixed(2)} CPU s (rounds ${secs(startCpu[c])})`,
    ),
    `start-up, full / quick = ${pairedRatio(startSeconds.full, startSeconds.quick)} by time to first answer, ` +
      `${pairedRatio(startCpu.full, startCpu.quick)} by CPU seconds (medians of per-round ratios)`,
    ...servers.map(
      (s) =>
        `10k pairs, ${s.name}: ${median(rps.get(s.name)!)} req/s (rounds ${rps.get(s.name)!.join(', ')}), ` +
        `${median(cpuUs.get(s.name)!).toFixed(1)} us CPU/request`,
    ),
    `hot path, full / quick = ${pairedRatio(cpuUs.get(full)!, cpuUs.get(quick)!)} by CPU per request, ` +
      `${pairedRatio(rps.get(full)!, rps.get(quick)!)} by req/s (medians of per-round ratios; 1 = no cost)`,
  ],
});
