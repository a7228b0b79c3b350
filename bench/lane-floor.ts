// How close the fast lane is to the floor: bare node:http against the lane alone on a plain node:http
// server (without and with metrics) and the whole of rokv, one core, interleaved rounds, CPU per request.
import { exampleDataset } from './lib/dataset.js';
import { benchOptions, SERVER_CPU } from './lib/options.js';
import { report } from './lib/results.js';
import { interleavedRounds } from './lib/rounds.js';
import { startBareNode, startLaneAlone, startRokv, type BenchServer } from './lib/servers.js';
import { median, pairedRatio } from './lib/stats.js';
import { ensureWrk } from './lib/wrk.js';

const o = benchOptions();
ensureWrk();
const data = exampleDataset();
const servers: BenchServer[] = [
  await startBareNode({ ...data, port: o.basePort + 51, cpus: SERVER_CPU }),
  await startLaneAlone({ ...data, port: o.basePort + 52, cpus: SERVER_CPU, metrics: false }),
  await startLaneAlone({ ...data, port: o.basePort + 53, cpus: SERVER_CPU, metrics: true }),
  await startRokv({ ...data, port: o.basePort + 54, cpus: SERVER_CPU }),
];
const { rps, cpuUs } = await interleavedRounds(servers, data.keysFile, o);
for (const s of servers) await s.proc.stop();

const bare = 'bare node:http';
report({
  scenario: '6-lane-floor',
  title: 'The fast lane against the floor, 1 core',
  command: `BENCH_SECONDS=${o.seconds} BENCH_ROUNDS=${o.rounds} npm run bench:lane`,
  throughput: servers.map((s) => ({ label: s.name, rps: median(rps.get(s.name)!) })),
  lines: servers.map(
    (s) =>
      `${s.name}: ${median(rps.get(s.name)!)} req/s, ${median(cpuUs.get(s.name)!).toFixed(1)} us CPU/request ` +
      `(rounds ${cpuUs
        .get(s.name)!
        .map((x) => x.toFixed(1))
        .join(', ')})` +
      (s.name === bare ? '' : `; / bare by CPU per request ${pairedRatio(cpuUs.get(bare)!, cpuUs.get(s.name)!)}`),
  ),
});
