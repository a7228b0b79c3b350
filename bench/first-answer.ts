/**
 * Start-up: seconds and CPU seconds from spawning `rokv serve` to its first 200 of POST /get_value.
 *
 *   node --import tsx bench/first-answer.ts [--runs 15] [--before REV] [--data SNAPSHOT --key KEY]
 *
 * Each round starts, in rotating order: the floor (a bare node:http server answering every POST with
 * 200: node's own start plus a listen), this checkout's `rokv serve --workers 1 --verify quick` on the
 * 10k example snapshot (or --data), and with --before the same command of another revision (compiled
 * once into the bench work dir, e.g. `--before main`). The first request is posted every 2 ms from
 * spawn on; the CPU is the server's user + system time until that answer. Medians over the rounds,
 * and each rokv's ratio to the floor and to the other revision (medians of per-round ratios).
 */
import { parseArgs } from 'node:util';
import { exampleDataset, ROKV_MAIN } from './lib/dataset.js';
import { benchOptions, SERVER_CPU } from './lib/options.js';
import { cpuSeconds, startProcess, waitForAnswer } from './lib/proc.js';
import { report } from './lib/results.js';
import { buildRevision } from './lib/revision.js';
import { serveArgs } from './lib/servers.js';
import { median, pairedRatio } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    before: { type: 'string' },
    data: { type: 'string' },
    key: { type: 'string' },
  },
});
const RUNS = Number(values.runs);
if (!Number.isSafeInteger(RUNS) || RUNS <= 0)
  throw new Error(`--runs must be a positive integer, received ${values.runs}`);
const o = benchOptions();
const example = exampleDataset();
const snapshot = values.data ?? example.snapshot;
const someKey = values.data === undefined ? example.someKey : values.key;
if (someKey === undefined) throw new Error('--data needs --key: a key the snapshot holds, for the first request');

interface Contender {
  name: string;
  args: (port: number) => string[];
}

const FLOOR =
  "require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => s.end('{}')); })" +
  '.listen(Number(process.argv[1]), "127.0.0.1")';
const rokv = (name: string, main: string): Contender => ({
  name,
  args: (port) => [main, ...serveArgs(snapshot, port), '--verify', 'quick', '--log-level', 'warn'],
});
const contenders: Contender[] = [
  { name: 'floor: bare node:http', args: (port) => ['-e', FLOOR, String(port)] },
  rokv('rokv (this checkout)', ROKV_MAIN),
];
if (values.before !== undefined) {
  const { commit, main } = buildRevision(values.before);
  contenders.push(rokv(`rokv ${values.before} (${commit.slice(0, 10)})`, main));
}

const wall = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
const cpu = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
const port = o.basePort + 41;
for (let r = 0; r < RUNS; r++) {
  // Rotating order: none always starts right after another's exit.
  const order = contenders.map((_, i) => contenders[(i + r) % contenders.length]!);
  for (const c of order) {
    const since = performance.now();
    const proc = startProcess(process.execPath, c.args(port), { cpus: SERVER_CPU });
    const seconds = await waitForAnswer(`http://127.0.0.1:${port}/get_value`, JSON.stringify({ key: someKey }), since);
    const cpuS = cpuSeconds(proc.pid);
    await proc.stop();
    wall.get(c.name)!.push(seconds);
    cpu.get(c.name)!.push(cpuS);
  }
  console.log(`round ${r + 1}: ${contenders.map((c) => `${c.name} ${wall.get(c.name)![r]!.toFixed(3)} s`).join(', ')}`);
}

const floor = contenders[0]!.name;
const lines: string[] = contenders.map(
  (c) =>
    `${c.name}: first answer ${median(wall.get(c.name)!).toFixed(3)} s after spawn, ` +
    `${median(cpu.get(c.name)!).toFixed(2)} CPU s (medians of ${RUNS})`,
);
for (const c of contenders.slice(1)) {
  lines.push(
    `${c.name} / floor = ${pairedRatio(wall.get(c.name)!, wall.get(floor)!)} by time, ` +
      `${pairedRatio(cpu.get(c.name)!, cpu.get(floor)!)} by CPU`,
  );
}
const before = contenders[2];
if (before !== undefined) {
  const now = contenders[1]!.name;
  lines.push(
    `this checkout / ${before.name} = ${pairedRatio(wall.get(now)!, wall.get(before.name)!)} by time, ` +
      `${pairedRatio(cpu.get(now)!, cpu.get(before.name)!)} by CPU`,
  );
}
report({
  scenario: '17-first-answer',
  title: `Start-up: spawn to the first answer of POST /get_value, ${values.data ?? '10k example'}`,
  command: `npm run bench:first-answer -- --runs ${RUNS}${values.before ? ` --before ${values.before}` : ''}${values.data ? ` --data ${values.data}` : ''}`,
  throughput: [],
  lines,
});
