// Single-key POST /get_value on one server core: rokv against bare node:http and the FastAPI design,
// side by side in one run, rounds interleaved so drift hits all alike. rokv also runs with
// --no-fast-lane (every request through Fastify's router) to show what the fast lane is worth.
import { exampleDataset } from './lib/dataset.js';
import { benchOptions, SERVER_CPU } from './lib/options.js';
import { report } from './lib/results.js';
import { interleavedRounds } from './lib/rounds.js';
import { startBareNode, startFastapi, startRokv, type BenchServer } from './lib/servers.js';
import { median, pairedRatio, ratio } from './lib/stats.js';
import { ensureWrk } from './lib/wrk.js';

const o = benchOptions();
ensureWrk();
const data = exampleDataset();
const servers: BenchServer[] = [
  await startRokv({ ...data, port: o.basePort + 1, cpus: SERVER_CPU }),
  await startBareNode({ ...data, port: o.basePort + 2, cpus: SERVER_CPU }),
  await startRokv({
    ...data,
    port: o.basePort + 4,
    cpus: SERVER_CPU,
    serveArgs: ['--no-fast-lane'],
    name: 'rokv without fast lane',
  }),
];
const fastapi = await startFastapi({ ...data, port: o.basePort + 3, cpus: SERVER_CPU });
if (fastapi) servers.push(fastapi);
else
  console.log(
    'FastAPI baseline skipped: apt-get install python3-fastapi python3-uvicorn python3-uvloop python3-httptools',
  );

const { rps, cpuUs } = await interleavedRounds(servers, data.keysFile, o);
for (const s of servers) await s.proc.stop();

const med = (name: string): number => median(rps.get(name)!);
const cpu = (name: string): number => median(cpuUs.get(name)!);
const lines = servers.map(
  (s) =>
    `${s.name}: ${med(s.name)} req/s (rounds ${rps.get(s.name)!.join(', ')}), ${cpu(s.name).toFixed(1)} us CPU/request`,
);
// Per-round ratios first: the machine's outside load comes in bursts that a ratio of medians mixes up.
const compare = (a: string, b: string): string =>
  `${a} / ${b} = ${pairedRatio(rps.get(a)!, rps.get(b)!)} by req/s, ${pairedRatio(cpuUs.get(b)!, cpuUs.get(a)!)} by CPU per request ` +
  `(medians of per-round ratios; ratio of medians ${ratio(med(a), med(b))} and ${ratio(cpu(b), cpu(a))})`;
lines.push(compare('rokv', 'bare node:http'));
lines.push(compare('rokv', 'rokv without fast lane'));
if (fastapi) lines.push(compare('rokv', 'fastapi'));
report({
  scenario: '1-single-key',
  title: 'Single key, 10k pairs, 1 core',
  command: `BENCH_SECONDS=${o.seconds} BENCH_ROUNDS=${o.rounds} npm run bench:single`,
  throughput: servers.map((s) => ({ label: s.name, rps: med(s.name) })),
  lines,
});
