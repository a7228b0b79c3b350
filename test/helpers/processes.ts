import { readFile } from 'node:fs/promises';

/** The pids of the direct children of `pid` (Linux /proc), e.g. a primary's cluster workers. */
export async function childPids(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.trim().split(/\s+/).filter(Boolean).map(Number);
}

/** Polls `check` every 100 ms until it returns true or `ms` pass; returns whether it did. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** Resident set size of `pid` in bytes (from /proc/PID/status), or undefined if it is gone. */
export async function rssBytes(pid: number): Promise<number | undefined> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  const m = text === undefined ? null : /VmRSS:\s+(\d+) kB/.exec(text);
  return m ? Number(m[1]) * 1024 : undefined;
}
