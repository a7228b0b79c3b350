// The JavaScript a single-key request runs besides node:http, in a loop on one core: the bare
// baseline's handler (JSON.parse, regex, Map lookup, JSON.stringify) against the fast lane's (UUID
// parsed from the body bytes, LMDB read, answer string and head). No sockets: only the handlers.
import { readFileSync } from 'node:fs';
import { exampleDataset } from './lib/dataset.js';
import { report } from './lib/results.js';
import { ratio } from './lib/stats.js';
import { LmdbStore } from '../src/store/lmdb.js';
import { parseUuidBytes } from '../src/uuid.js';

const data = exampleDataset();
const keys = readFileSync(data.keysFile, 'utf8').trim().split('\n');
const bodies = keys.map((k) => Buffer.from(`{"key":"${k}"}`));
const map = new Map(Object.entries(JSON.parse(readFileSync(data.json, 'utf8')) as Record<string, string>));
const store = await LmdbStore.open(data.snapshot);
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const keyBytes = new Uint8Array(16);

/** Best of 5 runs of a million calls, in ns per call. */
function nsPerCall(handler: (body: Buffer) => number): number {
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    const t = process.hrtime.bigint();
    let sink = 0;
    for (let i = 0; i < 1e6; i++) sink += handler(bodies[i % bodies.length]!);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
    if (sink < 0) console.log(sink);
  }
  return best;
}

// node-http.cjs's handler, minus the socket: the head is the object it passes to writeHead.
const bare = nsPerCall((body) => {
  const key = (JSON.parse(Buffer.concat([body]).toString('utf8')) as { key: string }).key;
  if (!UUID4.test(key)) return 0;
  const out = JSON.stringify({ value: map.get(key.toLowerCase()) });
  const head = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) };
  return out.length + head['content-length'];
});
// fast-lane.ts's path for the canonical body: parse, look up, answer string and head.
const lane = nsPerCall((body) => {
  if (parseUuidBytes(body, 8, keyBytes) === undefined) return 0;
  const found = store.get(keyBytes) as Buffer;
  const text = `{"value":${found.toString('utf8')}}`;
  const head = [
    'rokv-dataset',
    store.info().id,
    'content-type',
    'application/json; charset=utf-8',
    'content-length',
    String(found.length + 10),
  ];
  return text.length + head.length;
});
await store.close();
report({
  scenario: '7-handler-js',
  title: 'Per-request JavaScript besides node:http, one core',
  command: 'taskset -c 1 node --import tsx bench/handler-js.ts',
  throughput: [
    { label: 'bare node:http handler (calls/s)', rps: Math.round(1e9 / bare) },
    { label: 'rokv fast lane handler (calls/s)', rps: Math.round(1e9 / lane) },
  ],
  lines: [
    `bare node:http's handler: ${bare.toFixed(0)} ns a request; the fast lane's: ${lane.toFixed(0)} ns (${ratio(bare, lane)}x less)`,
  ],
});
