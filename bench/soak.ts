/**
 * Soak: a steady load against a real `rokv serve` for a chosen time, sampling memory (RSS of the
 * primary and its workers) and latency per window. The first window is the baseline of the same run:
 * the report gives last/first ratios for RSS and p99, the total requests and the errors.
 *
 *   npm run bench:soak -- [--minutes 10] [--sample-s 10] [--warmup-s 10] [--clients 16] [--workers 2] [--pairs 100000] [--json FILE]
 *
 * Data: `rokv gen --count PAIRS` + `rokv build` (bench/lib/dataset.ts), one request in ten for a missing key.
 * The warm-up (load on, not sampled) keeps JIT compilation and page-cache faults out of the baseline.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { exampleDataset } from './lib/dataset.js';
import { requestBodies, runLoad } from './lib/keep-alive-load.js';
import { benchOptions } from './lib/options.js';
import { startRokv } from './lib/servers.js';
import { percentile } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    'sample-s': { type: 'string', default: '10' },
    'warmup-s': { type: 'string', default: '10' },
    clients: { type: 'string', default: '16' },
    workers: { type: 'string', default: '2' },
    pairs: { type: 'string', default: '100000' },
    json: { type: 'string' },
  },
});
const durationMs = Number(values.minutes) * 60_000;
const sampleMs = Number(values['sample-s']) * 1_000;
const clients = Number(values.clients);

/** One sample window. */
interface Sample {
  atS: number;
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  rssMiB: number;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text ? text.split(/\s+/).map(Number) : [];
}

const data = exampleDataset(Number(values.pairs));
const bodies = requestBodies(data.keysFile);
const server = await startRokv({
  ...data,
  port: benchOptions().basePort + 71,
  workers: Number(values.workers),
  name: 'rokv soak',
});
const load = runLoad(server.port, bodies, clients);
const { state } = load;
await sleep(Number(values['warmup-s']) * 1_000);
const warmup = { requests: state.requests, errors: state.errors };
let counted = { requests: state.requests, errors: state.errors };
state.latencies = [];

const started = Date.now();
const samples: Sample[] = [];
while (Date.now() - started < durationMs) {
  await sleep(sampleMs);
  const window = Float64Array.from(state.latencies).sort();
  state.latencies = [];
  const pid = server.proc.pid;
  const rss = [pid, ...childrenOf(pid)].reduce((sum, p) => sum + rssOf(p), 0);
  samples.push({
    atS: Math.round((Date.now() - started) / 1000),
    requests: state.requests - counted.requests,
    errors: state.errors - counted.errors,
    p50Ms: Number(percentile(window, 0.5).toFixed(2)),
    p99Ms: Number(percentile(window, 0.99).toFixed(2)),
    rssMiB: Number((rss / 2 ** 20).toFixed(1)),
  });
  counted = { requests: state.requests, errors: state.errors };
  const s = samples.at(-1)!;
  process.stderr.write(
    `t=${s.atS}s requests=${s.requests} errors=${s.errors} p50=${s.p50Ms}ms p99=${s.p99Ms}ms rss=${s.rssMiB}MiB\n`,
  );
}
await load.stop();
const exitCode = await server.proc.stop();

const first = samples[0]!;
const last = samples.at(-1)!;
const summary = {
  durationS: Math.round((Date.now() - started) / 1000),
  workers: Number(values.workers),
  clients,
  pairs: bodies.length,
  requests: state.requests - warmup.requests,
  errors: state.errors - warmup.errors,
  warmupRequests: warmup.requests,
  warmupErrors: warmup.errors,
  rssFirstMiB: first.rssMiB,
  rssLastMiB: last.rssMiB,
  rssLastOverFirst: Number((last.rssMiB / first.rssMiB).toFixed(3)),
  p99FirstMs: first.p99Ms,
  p99LastMs: last.p99Ms,
  p99LastOverFirst: Number((last.p99Ms / first.p99Ms).toFixed(3)),
  rssMaxMiB: Math.max(...samples.map((s) => s.rssMiB)),
  shutdownExitCode: exitCode,
};
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
if (values.json) writeFileSync(values.json, JSON.stringify({ summary, samples }, null, 2));
