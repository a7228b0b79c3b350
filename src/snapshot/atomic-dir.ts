import { readdirSync, rmSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { rokvError } from '../errors.js';
import { succeeds } from '../succeeds.js';
import { isAlive } from './leases.js';
import { unpredictable } from './root-files.js';

/**
 * Runs `fill` on a temporary directory beside `target`, then renames it into place. The rename is
 * atomic on one filesystem, so a server never sees a half-written snapshot at `target`; when `fill`
 * fails or the process dies, only a hidden temporary directory is left, never `target`.
 */
export async function writeDirAtomically<T>(target: string, fill: (tmpDir: string) => Promise<T>): Promise<T> {
  const out = resolve(target);
  if (await succeeds(stat(out))) throw rokvError('SNAPSHOT_EXISTS', target);
  const parent = dirname(out);
  await mkdir(parent, { recursive: true });
  await removeAbandoned(parent, basename(out));
  const tmp = join(parent, `${ownPrefix(out)}${unpredictable()}`);
  await mkdir(tmp);
  try {
    const result = await fill(tmp);
    try {
      await rename(tmp, out);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') throw rokvError('SNAPSHOT_EXISTS', target);
      throw err;
    }
    return result;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** The start of the names of this process's temporary directories for the absolute path `out`. */
function ownPrefix(out: string): string {
  return `.${basename(out)}.tmp-${process.pid}-`;
}

/**
 * Removes this process's temporary directories for `target` at once (synchronously: it runs in a
 * signal handler just before the process exits, where nothing asynchronous would finish).
 */
export function removeOwnTemporariesSync(target: string): void {
  const out = resolve(target);
  const prefix = ownPrefix(out);
  let entries: string[];
  try {
    entries = readdirSync(dirname(out));
  } catch {
    return;
  }
  for (const entry of entries) {
    if (entry.startsWith(prefix)) rmSync(join(dirname(out), entry), { recursive: true, force: true });
  }
}

/**
 * Removes temporary directories left beside `name` by writers that died (killed builds): their
 * process is gone, so nothing will finish or remove them, and they may hold gigabytes.
 */
async function removeAbandoned(parent: string, name: string): Promise<void> {
  const prefix = `.${name}.tmp-`;
  for (const entry of await readdir(parent)) {
    const pid = entry.startsWith(prefix) ? /^(\d+)-[0-9a-f]+$/.exec(entry.slice(prefix.length))?.[1] : undefined;
    if (pid !== undefined && !isAlive(Number(pid))) await rm(join(parent, entry), { recursive: true, force: true });
  }
}
