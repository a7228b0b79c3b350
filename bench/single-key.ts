// Single-key POST /get_value on one server core: rokv against bare node:http and the FastAPI design,
// side by side in one run, rounds interleaved so drift hits all alike. rokv also runs with
// --no-fast-lane (every request through Fastify's router) to show what the fast lane is worth.
import { exampleDataset } from './lib/dataset.js';
import { benchOptions, LOAD_CPU, SERVER_CPU } from './lib/options.js';
import { cpuSeconds } from './lib/proc.js';
import { report } from './lib/results.js';
import { startBareNode, startFastapi, startRokv, type BenchServer } from './lib/servers.js';
import { median, pairedRatio, ratio } from './lib/stats.js';
import { ensureWrk, runWrk } from './lib/wrk.js';

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

const rps = new Map<string, number[]>(servers.map((s) => [s.name, []]));
// CPU time the server spent per answered request: less sensitive than req/s to other load on the machine.
const cpuUs = new Map<string, number[]>(servers.map((s) => [s.name, []]));
for (const s of servers) await runWrk({ port: s.port, seconds: 2, keysFile: data.keysFile, cpus: LOAD_CPU });
for (let r = 0; r < o.rounds; r++) {
  for (const s of servers) {
    const cpu0 = cpuSeconds(s.proc.pid);
    const res = await runWrk({ port: s.port, seconds: o.seconds, keysFile: data.keysFile, cpus: LOAD_CPU });
    const cpu = cpuSeconds(s.proc.pid) - cpu0;
    // A wrong answer invalidates the run; socket errors and wrk's 2 s timeouts on an overloaded machine are reported.
    if (res.non200 > 0) throw new Error(`${s.name}: ${res.non200} non-200 answers`);
    if (res.errors > 0) console.log(`${s.name}: ${res.errors} socket errors or timeouts in this round`);
    rps.get(s.name)!.push(res.rps);
    cpuUs.get(s.name)!.push((cpu / (res.rps * o.seconds)) * 1e6);
    console.log(`round ${r + 1} ${s.name}: ${res.rps} req/s, ${cpuUs.get(s.name)!.at(-1)!.toFixed(1)} us CPU/request`);
  }
}
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
