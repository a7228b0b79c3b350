// How close the fast lane is to the floor: bare node:http against the lane alone on a plain node:http
// server (without and with metrics) and the whole of rokv, one core, interleaved rounds, CPU per request.
import { fileURLToPath } from 'node:url';
import { exampleDataset } from './lib/dataset.js';
import { benchOptions, LOAD_CPU, SERVER_CPU } from './lib/options.js';
import { cpuSeconds, startProcess, waitForAnswer } from './lib/proc.js';
import { report } from './lib/results.js';
import { startBareNode, startRokv, type BenchServer } from './lib/servers.js';
import { median, pairedRatio } from './lib/stats.js';
import { ensureWrk, runWrk } from './lib/wrk.js';

const LANE_ALONE = fileURLToPath(new URL('./lib/lane-alone.ts', import.meta.url));

/** Starts the lane alone on `port`, with rokv's metrics when `metrics` is set. */
async function startLane(
  name: string,
  snapshot: string,
  port: number,
  someKey: string,
  metrics: boolean,
): Promise<BenchServer> {
  const since = performance.now();
  const proc = startProcess(process.execPath, ['--import', 'tsx', LANE_ALONE], {
    cpus: SERVER_CPU,
    env: { SNAPSHOT: snapshot, PORT: String(port), METRICS: metrics ? '1' : '0' },
  });
  const startSeconds = await waitForAnswer(
    `http://127.0.0.1:${port}/get_value`,
    JSON.stringify({ key: someKey }),
    since,
  );
  return { name, proc, port, startSeconds };
}

const o = benchOptions();
ensureWrk();
const data = exampleDataset();
const servers: BenchServer[] = [
  await startBareNode({ ...data, port: o.basePort + 51, cpus: SERVER_CPU }),
  await startLane('lane alone', data.snapshot, o.basePort + 52, data.someKey, false),
  await startLane('lane alone with metrics', data.snapshot, o.basePort + 53, data.someKey, true),
  await startRokv({ ...data, port: o.basePort + 54, cpus: SERVER_CPU }),
];
const rps = new Map<string, number[]>(servers.map((s) => [s.name, []]));
const cpuUs = new Map<string, number[]>(servers.map((s) => [s.name, []]));
for (const s of servers) await runWrk({ port: s.port, seconds: 2, keysFile: data.keysFile, cpus: LOAD_CPU });
for (let r = 0; r < o.rounds; r++) {
  for (const s of servers) {
    const cpu0 = cpuSeconds(s.proc.pid);
    const res = await runWrk({ port: s.port, seconds: o.seconds, keysFile: data.keysFile, cpus: LOAD_CPU });
    if (res.non200 > 0) throw new Error(`${s.name}: ${res.non200} non-200 answers`);
    rps.get(s.name)!.push(res.rps);
    cpuUs.get(s.name)!.push(((cpuSeconds(s.proc.pid) - cpu0) / (res.rps * o.seconds)) * 1e6);
  }
}
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
