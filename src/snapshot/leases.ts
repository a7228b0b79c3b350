import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureRealDir, unpredictable } from './root-files.js';

/**
 * Leases say which versions of a data root running server processes have open, so pruning never
 * deletes a snapshot under a reader. One small file per process, named by its pid; a lease whose
 * process is gone (killed, crashed) no longer counts.
 */
const LEASES_DIR = 'leases';

function leasePath(root: string, pid: number): string {
  return join(root, LEASES_DIR, `${pid}.json`);
}

/**
 * Records that this process has `versions` open. Synchronous on purpose: it is a few bytes, and
 * callers update it from store callbacks where ordering between two writes must be the call order.
 */
export function writeLease(root: string, versions: readonly string[]): void {
  ensureRealDir(join(root, LEASES_DIR));
  const path = leasePath(root, process.pid);
  const tmp = `${path}.tmp-${unpredictable()}`;
  writeFileSync(tmp, JSON.stringify({ pid: process.pid, versions }), { flag: 'wx' });
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Removes this process's lease (it holds nothing open any more). */
export function removeLease(root: string): void {
  rmSync(leasePath(root, process.pid), { force: true });
}

/** What live processes hold; `complete` is false when a live lease could not be read. */
export interface Leases {
  versions: Set<string>;
  complete: boolean;
}

/** The versions some live process has open; leases of dead processes are removed on the way. */
export async function leasedVersions(root: string): Promise<Leases> {
  const dir = join(root, LEASES_DIR);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return { versions: new Set(), complete: true };
  }
  const held = new Set<string>();
  let complete = true;
  for (const name of names) {
    const m = /^(\d+)\.json$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (!isAlive(pid)) {
      await rm(join(dir, name), { force: true });
      continue;
    }
    try {
      const lease = JSON.parse(await readFile(join(dir, name), 'utf8')) as { versions?: unknown };
      if (Array.isArray(lease.versions)) for (const v of lease.versions) if (typeof v === 'string') held.add(v);
    } catch {
      // Leases are replaced by rename, so this is damage, not a race: callers must assume the worst.
      complete = false;
    }
  }
  return { versions: held, complete };
}

/** True while process `pid` exists (on this machine). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else; it may well hold the version.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
