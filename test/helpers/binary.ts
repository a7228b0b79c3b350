import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import { snapshotOf } from './snapshot.js';

/** The compiled entry point, exactly what the `rokv` binary runs. */
export const ROKV_BIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** The checkout the binary was built in. */
export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/**
 * How a test starts the binary: the Node to run, the entry point, and a command line to run them
 * under (a namespace or user switch, which must exec its last arguments so the pid stays rokv's).
 */
export interface Launch {
  wrapper?: string[];
  node?: string;
  bin?: string;
}

/** The command and arguments that run `rokv ARGS` as `launch` says. */
function commandLine(args: string[], launch: Launch): [string, string[]] {
  const [command, ...prefix] = [...(launch.wrapper ?? []), launch.node ?? process.execPath];
  return [command, [...prefix, launch.bin ?? ROKV_BIN, ...args]];
}

/** Result of running the binary to completion. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `rokv ARGS` to completion (bounded by `timeoutMs`) and collects its output. */
export async function runRokv(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; launch?: Launch } = {},
): Promise<RunResult> {
  const child = spawn(...commandLine(args, options.launch ?? {}), {
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: options.timeoutMs ?? 60_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdin.end(options.input ?? '');
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** A `rokv serve` process started by a test, with the address it announced. */
export interface ServerProcess {
  child: ChildProcess;
  url: string;
  logs: () => string;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `rokv serve ARGS` on a free loopback port and waits for its start line. The process is
 * killed when the test file ends, whatever happened.
 */
export async function startRokv(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  launch: Launch = {},
): Promise<ServerProcess> {
  const child = spawn(...commandLine(['serve', '--host', '127.0.0.1', '--port', '0', ...args], launch), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
  const url = await new Promise<string>((resolve, reject) => {
    // A bound, not a wait: generous because the test machine may be shared and busy.
    const timer = setTimeout(() => reject(new Error(`rokv serve did not start in 60 s:\n${out}`)), 60_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const m = /"address":"(https?:\/\/[^"]+)"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`rokv serve exited with ${code} before starting:\n${out}`));
    });
  });
  return {
    child,
    url,
    logs: () => out,
    async stop(signal = 'SIGTERM') {
      const exited = once(child, 'exit') as Promise<[number | null]>;
      child.kill(signal);
      const [code] = await exited;
      return code;
    },
  };
}

/** Builds a snapshot of `pairs` and starts `rokv serve --data SNAPSHOT ARGS` on it (see startRokv). */
export async function serveSnapshotOf(
  pairs: Record<string, string>,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<ServerProcess> {
  return startRokv(['--data', await snapshotOf(pairs), ...args], env);
}

/** POSTs a JSON (or raw string) body to `url` with fetch and returns status and parsed body. */
export async function post(
  url: string,
  body: unknown,
  contentType = 'application/json',
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: await res.json() };
}
