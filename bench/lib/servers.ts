import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROKV_MAIN } from './dataset.js';
import { startProcess, waitForAnswer, type BenchProcess } from './proc.js';
import { BUN, ensureNginx } from './runtimes.js';

const BASELINES = fileURLToPath(new URL('../baselines/', import.meta.url));

/** A server under test: its process, port, and the seconds it took to answer its first request. */
export interface BenchServer {
  name: string;
  proc: BenchProcess;
  port: number;
  startSeconds: number;
}

async function ready(
  name: string,
  proc: BenchProcess,
  port: number,
  someKey: string,
  since: number,
  wait: Parameters<typeof waitForAnswer>[3] = {},
): Promise<BenchServer> {
  try {
    const startSeconds = await waitForAnswer(
      `http://127.0.0.1:${port}/get_value`,
      JSON.stringify({ key: someKey }),
      since,
      wait,
    );
    return { name, proc, port, startSeconds };
  } catch (err) {
    await proc.stop();
    throw new Error(`${name} did not answer: ${(err as Error).message}\n${proc.output()}`);
  }
}

/** `rokv serve` of `snapshot` on 127.0.0.1:`port` with `workers` workers: the arguments every bench starts it with. */
export function serveArgs(snapshot: string, port: number, workers = 1): string[] {
  return ['serve', '--data', snapshot, '--port', String(port), '--host', '127.0.0.1', '--workers', String(workers)];
}

/**
 * Starts `rokv serve` on `snapshot`; `nodeArgs` go to node itself (e.g. --trace-gc), `serveArgs` to
 * `rokv serve`, and `name` labels it in the results (default `rokv`). `runtime` runs it on another
 * executable than this process's node (another Node, or Bun), `main` another build of rokv (an
 * A/B run's other revision). `readyTimeoutMs` bounds the wait for its first answer (a full snapshot
 * check at start takes minutes on large data); `headers` go with that first request (API keys).
 */
export async function startRokv(o: {
  runtime?: string;
  main?: string;
  snapshot: string;
  port: number;
  someKey: string;
  cpus?: string;
  workers?: number;
  nodeArgs?: string[];
  serveArgs?: string[];
  name?: string;
  readyTimeoutMs?: number;
  headers?: Record<string, string>;
}): Promise<BenchServer> {
  const since = performance.now();
  const args = [
    ...(o.nodeArgs ?? []),
    o.main ?? ROKV_MAIN,
    ...serveArgs(o.snapshot, o.port, o.workers),
    '--log-level',
    'warn',
    ...(o.serveArgs ?? []),
  ];
  const proc = startProcess(o.runtime ?? process.execPath, args, { cpus: o.cpus });
  return ready(o.name ?? 'rokv', proc, o.port, o.someKey, since, { timeoutMs: o.readyTimeoutMs, headers: o.headers });
}

/** Starts rokv's fast lane alone on a plain node:http server (bench/lib/lane-alone.ts), with rokv's metrics or without. */
export async function startLaneAlone(o: {
  snapshot: string;
  port: number;
  someKey: string;
  cpus?: string;
  metrics: boolean;
}): Promise<BenchServer> {
  const since = performance.now();
  const env = { SNAPSHOT: o.snapshot, PORT: String(o.port), METRICS: o.metrics ? '1' : '0' };
  const proc = startProcess(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./lane-alone.ts', import.meta.url))],
    { cpus: o.cpus, env },
  );
  return ready(o.metrics ? 'lane alone with metrics' : 'lane alone', proc, o.port, o.someKey, since);
}

/** The naive job of the baselines (JSON file in a Map, JSON.parse, regex, JSON.stringify) on a runtime. */
const NAIVE = {
  node: { name: 'bare node:http', cmd: () => process.execPath, script: 'node-http.cjs' },
  bun: { name: 'Bun.serve naive', cmd: () => BUN, script: 'bun-serve.js' },
} as const;

/** Starts the naive baseline (bench/baselines/) on the same data (a JSON object file). */
async function startNaive(
  runtime: keyof typeof NAIVE,
  o: { json: string; port: number; someKey: string; cpus?: string },
): Promise<BenchServer> {
  const { name, cmd, script } = NAIVE[runtime];
  const since = performance.now();
  const proc = startProcess(cmd(), [`${BASELINES}${script}`], {
    cpus: o.cpus,
    env: { KV_DATA: o.json, PORT: String(o.port) },
  });
  return ready(name, proc, o.port, o.someKey, since);
}

/** Starts the bare node:http baseline on the same data (a JSON object file). */
export const startBareNode = (o: Parameters<typeof startNaive>[1]): Promise<BenchServer> => startNaive('node', o);

/** Starts the same naive job as the bare node:http baseline on Bun.serve. */
export const startBunServe = (o: Parameters<typeof startNaive>[1]): Promise<BenchServer> => startNaive('bun', o);

/**
 * Starts nginx answering every request with one fixed 200 JSON body and no lookup
 * (bench/baselines/nginx-fixed.conf): the HTTP floor of this machine with wrk as the client.
 */
export async function startNginxFloor(o: { port: number; someKey: string; cpus?: string }): Promise<BenchServer> {
  ensureNginx();
  const dir = mkdtempSync(join(tmpdir(), 'rokv-nginx-'));
  const conf = readFileSync(`${BASELINES}nginx-fixed.conf`, 'utf8')
    .replaceAll('NGINX_PORT', String(o.port))
    .replaceAll('NGINX_DIR', dir);
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const since = performance.now();
  const proc = startProcess('nginx', ['-c', join(dir, 'nginx.conf')], { cpus: o.cpus });
  return ready('nginx fixed body', proc, o.port, o.someKey, since);
}

/** True when the Python pieces of the FastAPI baseline are installed. */
export function hasFastapi(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', 'import fastapi, uvicorn, uvloop, httptools']).status === 0;
}

/** Starts the original FastAPI design on uvicorn + uvloop + httptools, or returns undefined if Python lacks them. */
export async function startFastapi(o: {
  json: string;
  port: number;
  someKey: string;
  cpus?: string;
}): Promise<BenchServer | undefined> {
  if (!hasFastapi()) return undefined;
  const since = performance.now();
  const args = [
    '-m',
    'uvicorn',
    'main:app',
    '--host',
    '127.0.0.1',
    '--port',
    String(o.port),
    '--log-level',
    'warning',
    '--loop',
    'uvloop',
    '--http',
    'httptools',
  ];
  const proc = startProcess('/usr/bin/python3', args, {
    cpus: o.cpus,
    cwd: dirname(`${BASELINES}fastapi/main.py`),
    env: { KV_DATA: o.json },
  });
  return ready('fastapi', proc, o.port, o.someKey, since);
}
