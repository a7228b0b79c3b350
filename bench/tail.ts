// Tail latency at a fixed rate: half of rokv's measured peak on one core, with autocannon (which
// corrects for coordinated omission) on the other core; GC pauses read from node's --trace-gc.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { exampleDataset } from './lib/dataset.js';
import { benchOptions, LOAD_CPU, SERVER_CPU } from './lib/options.js';
import { pinned } from './lib/proc.js';
import { report } from './lib/results.js';
import { startBareNode, startRokv } from './lib/servers.js';
import { median } from './lib/stats.js';
import { ensureWrk, runWrk } from './lib/wrk.js';

const FIXED_RATE = fileURLToPath(new URL('./lib/fixed-rate.ts', import.meta.url));

interface FixedRateResult {
  rps: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  non2xx: number;
  errors: number;
}

/** Runs the fixed-rate client as its own pinned process and reads its one JSON line. */
async function fixedRate(port: number, keysFile: string, rate: number, seconds: number): Promise<FixedRateResult> {
  const [cmd, args] = pinned(LOAD_CPU, process.execPath, ['--import', 'tsx', FIXED_RATE]);
  const env = {
    ...process.env,
    URL: `http://127.0.0.1:${port}`,
    KEYS_FILE: keysFile,
    RATE: String(rate),
    SECONDS: String(seconds),
    CONNECTIONS: '32',
  };
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + 60) * 1000);
  await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(killer);
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as FixedRateResult;
}

/** GC pauses (ms) in --trace-gc lines, e.g. `Scavenge 5.1 (6.2) -> 4.3 (7.0) MB, 0.45 / 0.00 ms`. */
function gcPauses(trace: string): { kind: string; ms: number }[] {
  return [
    ...trace.matchAll(/: (Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Compact)[^,]*MB, ([\d.]+) \/ [\d.]+ ms/g),
  ].map((m) => ({ kind: m[1]!, ms: Number(m[2]) }));
}

const o = benchOptions();
ensureWrk();
const data = exampleDataset();
const rokv = await startRokv({ ...data, port: o.basePort + 11, cpus: SERVER_CPU, nodeArgs: ['--trace-gc'] });
await runWrk({ port: rokv.port, seconds: 2, keysFile: data.keysFile, cpus: LOAD_CPU });
const peaks: number[] = [];
for (let r = 0; r < o.rounds; r++)
  peaks.push((await runWrk({ port: rokv.port, seconds: o.seconds, keysFile: data.keysFile, cpus: LOAD_CPU })).rps);
const peak = median(peaks);
const rate = Math.round(peak / 2);
const seconds = Math.max(10, o.seconds * 2);
const traceStart = rokv.proc.output().length;
const res = await fixedRate(rokv.port, data.keysFile, rate, seconds);
const gc = gcPauses(rokv.proc.output().slice(traceStart));
await rokv.proc.stop();
if (res.non2xx > 0 || res.errors > 0)
  throw new Error(`fixed-rate run had ${res.non2xx} non-2xx answers and ${res.errors} errors`);
// The same rate against bare node:http: what the client, the kernel and Node's HTTP stack alone give.
const bare = await startBareNode({ ...data, port: o.basePort + 12, cpus: SERVER_CPU });
await runWrk({ port: bare.port, seconds: 2, keysFile: data.keysFile, cpus: LOAD_CPU });
const base = await fixedRate(bare.port, data.keysFile, rate, seconds);
await bare.proc.stop();

const byKind = [...new Set(gc.map((g) => g.kind))].map((k) => {
  const ms = gc.filter((g) => g.kind === k).map((g) => g.ms);
  return `${k} x${ms.length} (max ${Math.max(...ms).toFixed(2)} ms, total ${ms.reduce((a, b) => a + b, 0).toFixed(1)} ms)`;
});
report({
  scenario: '3-tail',
  title: 'Tail at half of peak, 1 core',
  command: `BENCH_SECONDS=${o.seconds} BENCH_ROUNDS=${o.rounds} npm run bench:tail`,
  throughput: [
    { label: 'rokv peak (wrk)', rps: peak },
    { label: 'rokv at fixed rate', rps: res.rps },
  ],
  latency: [
    { label: `rokv at ${rate} req/s`, p50: res.p50, p99: res.p99, p999: res.p999 },
    { label: `bare node:http at ${rate} req/s`, p50: base.p50, p99: base.p99, p999: base.p999 },
  ],
  lines: [
    `peak ${peak} req/s (rounds ${peaks.join(', ')}); fixed rate ${rate} req/s for ${seconds} s over 32 connections: achieved ${Math.round(res.rps)} req/s`,
    `latency p50 ${res.p50} ms, p99 ${res.p99} ms, p99.9 ${res.p999} ms, max ${res.max} ms (goal: p99 <= 2 ms, p99.9 <= 10 ms)`,
    `bare node:http at the same rate: achieved ${Math.round(base.rps)} req/s, p50 ${base.p50} ms, p99 ${base.p99} ms, p99.9 ${base.p999} ms, max ${base.max} ms`,
    ...(res.rps < rate * 0.95
      ? [
          `WARNING: only ${Math.round(res.rps)} of ${rate} req/s were achieved: the machine (or the client) could not hold the rate, so these percentiles measure an overload, not the tail at half peak`,
        ]
      : []),
    `GC during the fixed-rate run: ${gc.length} pauses; ${byKind.join('; ') || 'none'}`,
  ],
});
