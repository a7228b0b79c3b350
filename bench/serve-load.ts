/** Shared pieces of the benchmarks that drive a real `rokv serve`: data, process, keep-alive load. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The compiled binary the benchmarks run. */
export const ROKV = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** Builds a synthetic snapshot of `pairs` pairs in `dir`; returns its path and one request body per pair (1 in 10 a miss). */
export function buildData(dir: string, pairs: number): { snapshot: string; bodies: string[] } {
  const input = join(dir, 'data.json');
  const snapshot = join(dir, 'snap');
  execFileSync(process.execPath, [ROKV, 'gen', '--count', String(pairs), '--seed', '7', '--out', input]);
  execFileSync(process.execPath, [ROKV, 'build', input, '--out', snapshot], { stdio: 'ignore' });
  const keys = Object.keys(JSON.parse(readFileSync(input, 'utf8')) as Record<string, string>);
  const miss = (key: string) => `${key.slice(0, 35)}${key[35] === '0' ? '1' : '0'}`;
  return { snapshot, bodies: keys.map((key, i) => JSON.stringify({ key: i % 10 === 9 ? miss(key) : key })) };
}

/** Starts `rokv serve ARGS` on a free loopback port; resolves with the process and its URL. */
export async function startServe(
  args: string[],
): Promise<{ child: ChildProcess; url: URL; stop(): Promise<number | null> }> {
  const child = spawn(process.execPath, [ROKV, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      log += c;
      const m = /"address":"(https?:\/\/[^"]+)"/.exec(log);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`rokv serve exited with ${code}:\n${log}`)));
  });
  const stop = () =>
    new Promise<number | null>((resolve) => {
      child.on('exit', resolve);
      child.kill('SIGTERM');
    });
  return { child, url: new URL(url), stop };
}

/** Counters of a load run; `latencies` is drained by whoever samples it. */
export interface LoadState {
  requests: number;
  errors: number;
  /** 503 answers: load shed on purpose, counted apart from errors. */
  shed: number;
  latencies: number[];
}

/**
 * Keeps `clients` keep-alive clients posting `bodies` to `/get_value` until `stop()`. A 200 or a 404
 * counts as an answer, a 503 as shed, anything else (or no answer) as an error.
 */
export function runLoad(url: URL, bodies: string[], clients: number, headers: Record<string, string> = {}) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const state: LoadState = { requests: 0, errors: 0, shed: 0, latencies: [] };
  let running = true;
  const ask = (body: string): Promise<number> =>
    new Promise((resolve) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: '/get_value',
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', () => resolve(0));
      req.end(body);
    });
  const client = async (seed: number): Promise<void> => {
    for (let i = seed; running; i += clients) {
      const t0 = performance.now();
      const status = await ask(bodies[(i * 7919) % bodies.length]!);
      state.latencies.push(performance.now() - t0);
      state.requests++;
      if (status === 503) state.shed++;
      else if (status !== 200 && status !== 404) state.errors++;
    }
  };
  const loops = Array.from({ length: clients }, (_, i) => client(i));
  return {
    state,
    async stop(): Promise<void> {
      running = false;
      await Promise.all(loops);
      agent.destroy();
    },
  };
}

/** The `p` quantile of sorted values (0 when empty). */
export function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}
