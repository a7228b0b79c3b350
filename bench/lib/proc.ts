import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const children = new Set<ChildProcess>();
const killAll = (): void => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
};
process.on('exit', killAll);
for (const s of ['SIGINT', 'SIGTERM'] as const) {
  process.on(s, () => {
    killAll();
    process.exit(130);
  });
}

/** True when `taskset` exists and the machine has at least two cores to split between server and load. */
export function canPin(): boolean {
  return spawnSync('taskset', ['-c', '0', 'true']).status === 0 && spawnSync('nproc').stdout.toString().trim() !== '1';
}

/** The command line prefixed with `taskset -c CPUS` when pinning is possible. */
export function pinned(cpus: string | undefined, cmd: string, args: string[]): [string, string[]] {
  return cpus !== undefined && canPin() ? ['taskset', ['-c', cpus, cmd, ...args]] : [cmd, args];
}

/** A process a benchmark started; killed when the benchmark exits, whatever happens. */
export interface BenchProcess {
  child: ChildProcess;
  pid: number;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM (SIGKILL after 5 s); resolves with the exit code, null when a signal ended it. */
  stop(): Promise<number | null>;
}

/** Starts `cmd args` pinned to `cpus`; its output is kept for logs and GC traces. */
export function startProcess(
  cmd: string,
  args: string[],
  options: { cpus?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): BenchProcess {
  const [c, a] = pinned(options.cpus, cmd, args);
  const child = spawn(c, a, {
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
  return {
    child,
    pid: child.pid!,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(timer);
      children.delete(child);
      return code;
    },
  };
}

/**
 * Posts `body` to `url` (with `headers` besides the content type) until the first answer with
 * status `status` arrives; returns the seconds that took from `since` (a performance.now() value),
 * or throws after `timeoutMs`.
 */
export async function waitForAnswer(
  url: string,
  body: string,
  since: number,
  {
    timeoutMs = 30_000,
    status = 200,
    headers = {},
  }: { timeoutMs?: number; status?: number; headers?: Record<string, string> } = {},
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      await res.arrayBuffer();
      if (res.status === status) return (performance.now() - since) / 1000;
    } catch {
      // Not listening yet.
    }
    await sleep(2);
  }
  throw new Error(`no ${status} answer from ${url} within ${timeoutMs} ms`);
}

/** CPU seconds (user + system) a process has used so far, from /proc/PID/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the command name; in clock ticks (100 Hz on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Memory of a process in bytes, from /proc/PID/smaps_rollup. `private` (Private_Clean + Private_Dirty)
 * counts pages only this process maps, which includes clean pages of the mapped data file while no
 * other process maps them; `anonymous` is heap, stacks and other memory no file backs.
 */
export function privateBytes(pid: number): { private: number; privateDirty: number; anonymous: number; rss: number } {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return {
    private: kb('Private_Clean') + kb('Private_Dirty'),
    privateDirty: kb('Private_Dirty'),
    anonymous: kb('Anonymous'),
    rss: kb('Rss'),
  };
}
