// User-space instructions a request, counted by valgrind's callgrind (repeatable on a busy machine,
// where req/s is not): rokv on Bun (this checkout, and the revision REV when given, e.g. main)
// against the naive lookup on Bun.serve, each under callgrind on one core, the same fixed count of
// requests from h2load after a warm-up. The kernel's share (sockets) is not counted: it is the same
// for every server here. BENCH_BATCH=100 posts 100-key batches to /get_values (rokv only: the naive
// job has no batches) and reports a key's instructions too; BENCH_REQUESTS sets the measured count.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exampleDataset, ROKV_MAIN, WORK_DIR } from './lib/dataset.js';
import { benchOptions, LOAD_CPU, SERVER_CPU } from './lib/options.js';
import { pinned, startProcess, waitForAnswer, type BenchProcess } from './lib/proc.js';
import { report } from './lib/results.js';
import { buildRevision } from './lib/revision.js';
import { BUN, hasBun } from './lib/runtimes.js';
import { serveArgs } from './lib/servers.js';

const BASELINE = new URL('./baselines/bun-serve.js', import.meta.url).pathname;
const rev = process.argv[2] ?? process.env.BENCH_REV;
const BATCH = Number(process.env.BENCH_BATCH ?? 0);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 5000);
const WARM_UP = 2000;
if (!Number.isSafeInteger(BATCH) || BATCH < 0)
  throw new Error(`BENCH_BATCH must be an integer >= 0, received ${BATCH}`);
if (!Number.isSafeInteger(REQUESTS) || REQUESTS < 1)
  throw new Error(`BENCH_REQUESTS must be an integer >= 1, received ${REQUESTS}`);
if (!hasBun()) throw new Error(`the pinned Bun is not installed at ${BUN}: run npm install`);
for (const [tool, pkg] of [
  ['valgrind', 'valgrind'],
  ['h2load', 'nghttp2-client'],
] as const) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0) continue;
  const r = spawnSync('sh', ['-c', `apt-get update -qq && apt-get install -y -qq ${pkg}`], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${tool} is missing and could not be installed (apt-get install ${pkg})`);
}

const o = benchOptions();
const data = exampleDataset();
const keys = readFileSync(data.keysFile, 'utf8').split('\n').filter(Boolean);
const path = BATCH === 0 ? '/get_value' : '/get_values';
const body = join(WORK_DIR, `instructions-body-${BATCH}.json`);
// h2load posts one body: one key, or the first BATCH keys.
writeFileSync(body, JSON.stringify(BATCH === 0 ? { key: keys[0] } : { keys: keys.slice(0, BATCH) }));
const dumps = join(WORK_DIR, 'callgrind');
rmSync(dumps, { recursive: true, force: true });
mkdirSync(dumps, { recursive: true });

/** `h2load` posting the body `count` times over 8 connections; throws unless every answer is a 200. */
function load(port: number, count: number): void {
  const [cmd, args] = pinned(LOAD_CPU, 'h2load', [
    '--h1',
    '-n',
    String(count),
    '-c',
    '8',
    '-H',
    'content-type: application/json',
    '-d',
    body,
    `http://127.0.0.1:${port}${path}`,
  ]);
  const out = execFileSync(cmd, args, { maxBuffer: 1 << 24 }).toString();
  if (!out.includes(`status codes: ${count} 2xx`)) throw new Error(`not every answer was a 200:\n${out}`);
}

/** Runs `cmd args` under callgrind, returns the instructions of `REQUESTS` requests (after a warm-up). */
async function count(name: string, port: number, cmd: string, args: string[], env = {}): Promise<number> {
  const out = join(dumps, `${name.replace(/\W+/g, '-')}.%p`);
  const proc: BenchProcess = startProcess(
    'valgrind',
    ['--tool=callgrind', '--smc-check=all-non-file', `--callgrind-out-file=${out}`, cmd, ...args],
    { cpus: SERVER_CPU, env },
  );
  try {
    // Under callgrind start-up takes minutes: JavaScriptCore's interpreter runs 50 times slower.
    await waitForAnswer(`http://127.0.0.1:${port}${path}`, readFileSync(body, 'utf8'), performance.now(), {
      timeoutMs: 20 * 60_000,
    });
    load(port, WARM_UP);
    execFileSync('callgrind_control', ['-z', String(proc.pid)]);
    load(port, REQUESTS);
    execFileSync('callgrind_control', ['-d', String(proc.pid)]);
  } finally {
    await proc.stop();
  }
  // The dump asked for is the highest-numbered file of the process (callgrind also dumps at forks).
  const prefix = `${name.replace(/\W+/g, '-')}.${proc.pid}.`;
  const files = readdirSync(dumps)
    .filter((f) => f.startsWith(prefix))
    .sort((a, b) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length)));
  const last = files.at(-1);
  if (last === undefined) throw new Error(`callgrind wrote no dump for ${name}:\n${proc.output()}`);
  const totals = /^(?:summary|totals): (\d+)/m.exec(readFileSync(join(dumps, last), 'utf8'));
  if (!totals) throw new Error(`no instruction total in ${join(dumps, last)}`);
  return Number(totals[1]) / REQUESTS;
}

const serve = (port: number): string[] => serveArgs(data.snapshot, port);
const NAIVE = 'Bun.serve naive';
const counted: [string, number][] = [];
if (BATCH === 0) {
  const port = o.basePort + 61;
  counted.push([NAIVE, await count('naive', port, BUN, [BASELINE], { KV_DATA: data.json, PORT: String(port) })]);
}
counted.push([
  'rokv on Bun, this checkout',
  await count('rokv', o.basePort + 62, BUN, [ROKV_MAIN, ...serve(o.basePort + 62)]),
]);
if (rev !== undefined) {
  const { commit, main } = buildRevision(rev);
  counted.push([
    `rokv on Bun, ${rev} (${commit.slice(0, 8)})`,
    await count('rev', o.basePort + 63, BUN, [main, ...serve(o.basePort + 63)]),
  ]);
}

const naive = counted.find(([name]) => name === NAIVE)?.[1];
const per = BATCH === 0 ? 'a request' : `a request of ${BATCH} keys`;
report({
  scenario: BATCH === 0 ? '13-bun-instructions' : '13-bun-instructions-batch',
  title: `User-space instructions ${per} on Bun (callgrind), POST ${path}`,
  command: `${BATCH > 0 ? `BENCH_BATCH=${BATCH} ` : ''}npm run bench:bun-instructions${rev === undefined ? '' : ` -- ${rev}`}`,
  throughput: [],
  lines: counted.map(
    ([name, ir]) =>
      `${name}: ${Math.round(ir)} instructions ${per}` +
      (BATCH > 0 ? ` (${Math.round(ir / BATCH)} a key)` : '') +
      (naive === undefined ? '' : `, ${(ir / naive).toFixed(2)}x ${NAIVE}`),
  ),
});
