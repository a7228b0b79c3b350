import { Pool } from 'undici';
import { rokvError } from '../errors.js';
import { checkBatch, checkSingle, type Verdict } from './check.js';
import type { KeySource, Probe } from './keys.js';
import { MetricsSampler, type ServerSample } from './server-metrics.js';
import { Recorder, type Bucket, type Interval, type Latency, type Totals } from './stats.js';

/** How to load the server. */
export interface LoadOptions {
  url: string;
  keys: KeySource;
  /** Keys per `/get_values` request; 0 sends one key per `/get_value` request. */
  batch: number;
  /** Connections to the server: the concurrency of a closed loop, the pool of an open one. */
  connections: number;
  /** Requests per second for an open loop; undefined runs a closed loop. */
  rate?: number;
  /** The run's bounds: it stops at whichever comes first. */
  durationS: number;
  maxRequests: number;
  /** Seconds of load before measuring, not counted. */
  warmupS: number;
  /** Time allowed for one answer, in milliseconds. */
  timeoutMs: number;
  /** Called once a second with the interval that just closed and the totals so far. */
  onInterval?: (interval: Interval, totals: Totals) => void;
}

/** Everything a run measured, ready for the table, `--json` and the HTML report. */
export interface LoadResult {
  url: string;
  keys: string;
  mode: 'closed' | 'open';
  connections: number;
  rate: number | null;
  batch: number;
  warmupS: number;
  startedAt: string;
  /** Measured time, from the first send to the last answer. */
  elapsedS: number;
  requestsPerS: number;
  keysPerS: number;
  totals: Totals;
  latencyMs: Latency;
  intervals: Interval[];
  histogram: Bucket[];
  /** CPU and memory of the server over the run, when it exposes `/metrics`. */
  server: ServerSample[] | null;
}

// An open loop keeps sending whatever the server's pace; past this many requests in flight the
// generator itself would be the bottleneck, so further sends are counted as failures instead.
const MAX_IN_FLIGHT = 20_000;
const TICK_MS = 5;

/** Loads a server as `options` say and returns what it measured. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const base = new URL(options.url);
  const pool = new Pool(base.origin, {
    connections: options.connections,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
  const prefix = base.pathname.replace(/\/+$/, '');
  const send = sender(pool, prefix, options);
  const sampler = new MetricsSampler(options.url);
  try {
    // One request first: an unreachable server would otherwise turn the run into a tight loop of failures.
    const preflight = new Recorder();
    await send(preflight, performance.now());
    const [cause] = Object.keys(preflight.totals.failures);
    if (cause !== undefined) throw rokvError('LOADTEST_UNREACHABLE', options.url, cause);
    if (options.warmupS > 0) {
      await drive(send, new Recorder(), options, options.warmupS * 1000, options.maxRequests);
    }
    const withMetrics = await sampler.start();
    const recorder = new Recorder();
    const startedAt = new Date().toISOString();
    const started = performance.now();
    const ticker = setInterval(() => {
      const t = Math.round((performance.now() - started) / 100) / 10;
      const interval = recorder.closeInterval(t);
      if (withMetrics) void sampler.sample(t);
      options.onInterval?.(interval, recorder.totals);
    }, 1000);
    try {
      await drive(send, recorder, options, options.durationS * 1000, options.maxRequests);
    } finally {
      clearInterval(ticker);
    }
    const elapsedS = (performance.now() - started) / 1000;
    const last = recorder.intervals.at(-1)?.t ?? 0;
    if (recorder.intervalHasRequests() || elapsedS - last >= 0.05)
      recorder.closeInterval(Math.round(elapsedS * 10) / 10);
    const { totals } = recorder;
    return {
      url: options.url,
      keys: options.keys.label,
      mode: options.rate === undefined ? 'closed' : 'open',
      connections: options.connections,
      rate: options.rate ?? null,
      batch: options.batch,
      warmupS: options.warmupS,
      startedAt,
      elapsedS: Math.round(elapsedS * 1000) / 1000,
      requestsPerS: Math.round(totals.requests / elapsedS),
      keysPerS: Math.round(totals.keys / elapsedS),
      totals,
      latencyMs: recorder.latency(),
      intervals: recorder.intervals,
      histogram: recorder.histogram(),
      server: withMetrics ? sampler.samples : null,
    };
  } finally {
    await Promise.all([pool.close(), sampler.close()]);
  }
}

/** Sends one request measured from `intendedMs` (performance.now() time) and records its answer. */
type Send = (recorder: Recorder, intendedMs: number) => Promise<void>;

function sender(pool: Pool, prefix: string, options: LoadOptions): Send {
  const batch = options.batch;
  const path = `${prefix}${batch > 0 ? '/get_values' : '/get_value'}`;
  const headers = { 'content-type': 'application/json' };
  return async (recorder, intendedMs) => {
    const probes: Probe[] = [];
    for (let i = 0; i < Math.max(1, batch); i++) probes.push(options.keys.pick());
    const body =
      batch > 0 ? JSON.stringify({ keys: probes.map((p) => p.key) }) : JSON.stringify({ key: probes[0]!.key });
    try {
      const res = await pool.request({ method: 'POST', path, headers, body });
      const text = await res.body.text();
      const latencyMs = performance.now() - intendedMs;
      const verdicts: Verdict[] =
        batch > 0 ? checkBatch(probes, res.statusCode, text) : [checkSingle(probes[0]!, res.statusCode, text)];
      recorder.answered(latencyMs, res.statusCode, verdicts);
    } catch (err) {
      recorder.failed(failureCause(err), probes.length);
    }
  };
}

function failureCause(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timeout';
  return typeof code === 'string' ? code : 'unknown';
}

/** Runs the closed or open loop for `durationMs` or `maxRequests`, whichever ends first. */
async function drive(
  send: Send,
  recorder: Recorder,
  options: LoadOptions,
  durationMs: number,
  maxRequests: number,
): Promise<void> {
  const start = performance.now();
  const end = start + durationMs;
  if (options.rate === undefined) {
    // Closed loop: each connection sends its next request when the previous answer arrives.
    let sent = 0;
    const worker = async () => {
      while (sent < maxRequests && performance.now() < end) {
        sent++;
        await send(recorder, performance.now());
      }
    };
    await Promise.all(Array.from({ length: options.connections }, worker));
    return;
  }
  // Open loop: request i is due at start + i / rate whatever the answers do, and its latency counts
  // from that due time, so a stalled server shows up in the latency (no coordinated omission).
  const gapMs = 1000 / options.rate;
  const total = Math.min(maxRequests, Math.ceil(durationMs / gapMs));
  const inFlight = new Set<Promise<void>>();
  let i = 0;
  while (i < total) {
    const now = performance.now();
    for (; i < total && start + i * gapMs <= now; i++) {
      if (inFlight.size >= MAX_IN_FLIGHT) {
        recorder.failed('generator-overloaded', Math.max(1, options.batch));
        continue;
      }
      const p = send(recorder, start + i * gapMs).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    if (i < total) await new Promise((resolve) => setTimeout(resolve, Math.min(TICK_MS, start + i * gapMs - now)));
  }
  await Promise.all(inFlight);
}
