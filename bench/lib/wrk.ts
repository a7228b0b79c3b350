import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pinned } from './proc.js';

const SCRIPT = fileURLToPath(new URL('./post-keys.lua', import.meta.url));

/** One wrk run's result: throughput and latency percentiles in microseconds. */
export interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  p999: number;
  errors: number;
  non200: number;
}

/** Installs wrk from Debian when it is missing (benchmarks only; CI does not run them). */
export function ensureWrk(): void {
  if (spawnSync('sh', ['-c', 'command -v wrk']).status === 0) return;
  const r = spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk'], {
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('wrk is missing and could not be installed (apt-get install wrk)');
}

/**
 * Runs wrk posting the keys of `keysFile` in turn to `POST /get_value` on 127.0.0.1:`port`, or
 * `batch` keys a request to `POST /get_values`.
 */
export async function runWrk(o: {
  port: number;
  seconds: number;
  keysFile: string;
  batch?: number;
  connections?: number;
  threads?: number;
  cpus?: string;
}): Promise<WrkResult> {
  const args = [
    '-t',
    String(o.threads ?? 1),
    '-c',
    String(o.connections ?? 32),
    '-d',
    `${o.seconds}s`,
    '-s',
    SCRIPT,
    `http://127.0.0.1:${o.port}`,
  ];
  const [cmd, a] = pinned(o.cpus, 'wrk', args);
  const child = spawn(cmd, a, {
    env: { ...process.env, KEYS_FILE: o.keysFile, BATCH: String(o.batch ?? 0) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
  const killer = setTimeout(() => child.kill('SIGKILL'), (o.seconds + 30) * 1000);
  await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(killer);
  const m = /RESULT rps=(\d+) p50_us=(\d+) p99_us=(\d+) p999_us=(\d+) errors=(\d+) non200=(\d+)/.exec(out);
  if (!m) throw new Error(`wrk gave no result:\n${out}`);
  const [rps, p50, p99, p999, errors, non200] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return { rps, p50, p99, p999, errors, non200 };
}
