// Fixed-rate load (run as its own process, pinned to the load core): autocannon posts the keys of
// KEYS_FILE in turn at RATE requests/s over CONNECTIONS connections for SECONDS, correcting latencies
// for coordinated omission, and prints one JSON line with the percentiles in milliseconds.
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';

const env = (name: string): string => {
  const v = process.env[name];
  if (v === undefined) throw new Error(`${name} is required`);
  return v;
};
const keys = readFileSync(env('KEYS_FILE'), 'utf8').split('\n').filter(Boolean);
const bodies = keys.map((k) => JSON.stringify({ key: k }));
let next = 0;
const result = await autocannon({
  url: env('URL'),
  connections: Number(env('CONNECTIONS')),
  duration: Number(env('SECONDS')),
  overallRate: Number(env('RATE')),
  requests: [
    {
      method: 'POST',
      path: '/get_value',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }),
    },
  ],
});
const l = result.latency;
console.log(
  JSON.stringify({
    rps: result.requests.average,
    p50: l.p50,
    p99: l.p99,
    p999: l.p99_9,
    max: l.max,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  }),
);
