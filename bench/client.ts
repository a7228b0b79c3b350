/**
 * RokvClient against the ways Node code calls rokv by hand, same server, same run:
 * node:http with a new connection per call (the baseline), global fetch, and RokvClient.get.
 * Run: node --import tsx bench/client.ts [requests=3000] [concurrency=8]
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { RokvClient } from '../src/index.js';

const REQUESTS = Number(process.argv[2] ?? 3000);
const CONCURRENCY = Number(process.argv[3] ?? 8);
const KEY = '1c39ae30-ec4a-4ffb-88d5-53ef7dfd26a8';
const BODY = JSON.stringify({ key: KEY });
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

const server = spawn(process.execPath, [MAIN, 'serve', '--host', '127.0.0.1', '--port', '0', '--workers', '1'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  server.stdout.setEncoding('utf8').on('data', (c: string) => {
    out += c;
    const m = /"address":"(http:\/\/[^"]+)"/.exec(out);
    if (m) resolve(m[1]!);
  });
  server.on('exit', () => reject(new Error(`server exited:\n${out}`)));
});

function viaHttpNoKeepAlive(): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/get_value`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        res
          .resume()
          .on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      },
    );
    req.on('error', reject).end(BODY);
  });
}

async function viaFetch(): Promise<void> {
  const res = await fetch(`${url}/get_value`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BODY,
  });
  if (res.status !== 200) throw new Error(`status ${res.status}`);
  await res.json();
}

const client = new RokvClient({ url, connections: CONCURRENCY });
async function viaClient(): Promise<void> {
  const r = await client.get(KEY);
  if (r.kind !== 'found') throw new Error(r.kind);
}

async function measure(call: () => Promise<void>): Promise<number> {
  let left = REQUESTS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) await call();
    }),
  );
  return REQUESTS / ((performance.now() - started) / 1000);
}

try {
  const cases: [string, () => Promise<void>][] = [
    ['node:http, new connection a call (baseline)', viaHttpNoKeepAlive],
    ['global fetch', viaFetch],
    ['RokvClient.get', viaClient],
  ];
  for (const [, call] of cases) await measure(call); // warm-up: JIT and connections
  const rates = [];
  for (const [name, call] of cases) rates.push([name, await measure(call)] as const);
  const base = rates[0]![1];
  for (const [name, rate] of rates)
    console.log(`${name.padEnd(44)} ${Math.round(rate).toString().padStart(7)} req/s  x${(rate / base).toFixed(2)}`);
} finally {
  await client.close();
  server.kill('SIGTERM');
}
