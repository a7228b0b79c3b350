// Where a request's time goes: rokv under wrk load with node --cpu-prof, the profile summarised by
// layer (rokv's own code, Fastify, Node's HTTP and streams, native calls, GC) and by function.
// BENCH_BATCH=100 profiles POST /get_values with 100-key batches instead of POST /get_value;
// BENCH_RUNTIME=bun profiles rokv on Bun (its Bun.serve front) with Bun's --cpu-prof, the same format.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { exampleDataset, WORK_DIR } from './lib/dataset.js';
import { benchOptions, LOAD_CPU, SERVER_CPU } from './lib/options.js';
import { report } from './lib/results.js';
import { BUN, hasBun } from './lib/runtimes.js';
import { startRokv } from './lib/servers.js';
import { ensureWrk, runWrk } from './lib/wrk.js';

const onBun = process.env.BENCH_RUNTIME === 'bun';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The layer a leaf frame belongs to, from the file it runs in. */
function layer(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'garbage collector';
  // The native batch reader's time shows as its JavaScript caller's: the LMDB reads of a batch.
  // On Bun the native call has a frame of its own, without a file.
  if (url.includes('/dist/store/lmdb-native.') || (url === '' && functionName === 'getPacked'))
    return "LMDB reads (rokv's native batch reader)";
  if (url.includes('/dist/')) return 'rokv (parse, UUID, answer)';
  if (url.includes('/lmdb/') || functionName === 'getByBinary') return 'lmdb-js (get)';
  if (/\/(fastify|find-my-way|avvio|light-my-request|@fastify)\//.test(url)) return 'Fastify (routing, hooks, reply)';
  if (url.startsWith('node:')) return 'Node core (http, streams, events)';
  if (url === '')
    return onBun
      ? 'native (Bun.serve: sockets, HTTP parsing, Request, Response, Headers; JSC internals)'
      : 'native (syscalls such as writev, V8 internals)';
  return 'other JS';
}

// Start-up frames: Node's module loader and rokv's start; Bun's `require` and module evaluation.
const STARTUP =
  /Module\._load|loadAndTranslate|compileSourceTextModule|ModuleJob|startServer|readFileHandle|^require$|moduleEvaluation|^link$/;

/** Sums the profile's samples by layer and by leaf function, leaving out idle time and start-up. */
function summarise(p: CpuProfile): { layers: [string, number][]; functions: [string, number][] } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const startup = new Map<number, boolean>();
  const isStartup = (id: number): boolean => {
    if (startup.has(id)) return startup.get(id)!;
    const n = byId.get(id)!;
    const up = parent.get(id);
    const v = STARTUP.test(n.callFrame.functionName) || (up !== undefined && isStartup(up));
    startup.set(id, v);
    return v;
  };
  const layers = new Map<string, number>();
  const fns = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const n = byId.get(id)!;
    if (n.callFrame.functionName === '(idle)' || isStartup(id)) return;
    const t = p.timeDeltas[i] ?? 0;
    total += t;
    const l = layer(n.callFrame);
    layers.set(l, (layers.get(l) ?? 0) + t);
    const f = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
    fns.set(f, (fns.get(f) ?? 0) + t);
  });
  const pct = (m: Map<string, number>): [string, number][] =>
    [...m].map(([k, v]): [string, number] => [k, (100 * v) / total]).sort((a, b) => b[1] - a[1]);
  return { layers: pct(layers), functions: pct(fns) };
}

const o = benchOptions();
const batch = Number(process.env.BENCH_BATCH ?? 0);
if (onBun && !hasBun()) throw new Error(`the pinned Bun is not installed at ${BUN}: run npm install`);
ensureWrk();
const data = exampleDataset();
const dir = join(WORK_DIR, 'cpu-profile');
rmSync(dir, { recursive: true, force: true });
const rokv = await startRokv({
  ...data,
  port: o.basePort + 41,
  cpus: SERVER_CPU,
  ...(onBun ? { runtime: BUN } : {}),
  nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
});
const res = await runWrk({
  port: rokv.port,
  seconds: Math.max(10, o.seconds * 2),
  keysFile: data.keysFile,
  batch,
  cpus: LOAD_CPU,
});
// SIGTERM makes rokv close gracefully, which is when node (or Bun) writes the profile.
await rokv.proc.stop();
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error(`no profile written in ${dir}`);
const { layers, functions } = summarise(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
report({
  scenario: onBun ? '5-profile-bun' : '5-profile',
  title: 'Profile under load (share of busy CPU time)',
  command: `${onBun ? 'BENCH_RUNTIME=bun ' : ''}${batch > 0 ? `BENCH_BATCH=${batch} ` : ''}npm run bench:profile (profile kept in ${dir})`,
  throughput: [],
  lines: [
    `${res.rps} req/s while profiling rokv on ${onBun ? 'Bun' : `Node ${process.versions.node}`}` +
      (batch > 0 ? ` (POST /get_values, ${batch} keys a request)` : ''),
    ...layers.map(([l, v]) => `${v.toFixed(1)}% ${l}`),
    'top functions (self time):',
    ...functions.slice(0, 15).map(([f, v]) => `  ${v.toFixed(1)}% ${f}`),
  ],
});
