import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

/**
 * Request bodies for `POST /get_value`, one a key of `keysFile` (one key a line), every `missEvery`-th
 * for a key that is not in the data set (its last digit changed), so misses are part of the load.
 */
export function requestBodies(keysFile: string, missEvery = 10): string[] {
  const keys = readFileSync(keysFile, 'utf8').split('\n').filter(Boolean);
  const miss = (key: string): string => `${key.slice(0, 35)}${key[35] === '0' ? '1' : '0'}`;
  return keys.map((key, i) => JSON.stringify({ key: (i + 1) % missEvery === 0 ? miss(key) : key }));
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
export function runLoad(
  port: number,
  bodies: readonly string[],
  clients: number,
  headers: Record<string, string> = {},
): { state: LoadState; stop(): Promise<void> } {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const state: LoadState = { requests: 0, errors: 0, shed: 0, latencies: [] };
  let running = true;
  const ask = (body: string): Promise<number> =>
    new Promise((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
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
