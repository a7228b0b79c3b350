import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rokvError } from '../errors.js';
import { isAlive } from './leases.js';
import { unpredictable } from './root-files.js';

/** ROOT/.lock/: held while one process changes a data root's index. */
const LOCK_DIR = '.lock';
const LOCK_WAIT_MS = 30_000;

/**
 * Takes the root's lock, a directory holding the owner's pid. It is made whole under an
 * unpredictable name (so nothing planted in the root is followed) and renamed onto `.lock`, which
 * fails while another lock is there: a lock is never seen without its pid. A lock whose owner died
 * is taken over; two processes taking over the same dead lock at once is a window left open.
 */
export async function lockRoot(root: string): Promise<() => Promise<void>> {
  const dir = join(root, LOCK_DIR);
  const deadline = Date.now() + LOCK_WAIT_MS;
  const mine = join(root, `${LOCK_DIR}-${unpredictable()}`);
  await mkdir(mine, 0o700);
  try {
    await writeFile(join(mine, 'pid'), String(process.pid), { flag: 'wx' });
    for (;;) {
      try {
        await rename(mine, dir);
        return () => removeLock(root, dir);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOTDIR') {
          throw rokvError('ROOT_INVALID', root, `${dir} is not a directory; remove it, rokv keeps its lock there`);
        }
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      }
      // No pid: the lock was just released (or is an older rokv's, made before its pid).
      const pid = await readFile(join(dir, 'pid'), 'utf8').catch(() => 'unknown');
      const owner = Number(pid);
      if (Number.isSafeInteger(owner) && !isAlive(owner)) {
        await removeLock(root, dir);
        continue;
      }
      if (Date.now() > deadline) {
        throw rokvError(
          'ROOT_INVALID',
          root,
          `it stayed locked by process ${pid} for ${LOCK_WAIT_MS / 1000} s (${dir}; remove it if no rokv is running)`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await rm(mine, { recursive: true, force: true });
  }
}

/** Moves a lock out of the way before deleting it, so no one reads it half removed. */
async function removeLock(root: string, dir: string): Promise<void> {
  const gone = join(root, `${LOCK_DIR}-${unpredictable()}.gone`);
  try {
    await rename(dir, gone);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  await rm(gone, { recursive: true, force: true });
}
