import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { rokvError } from '../errors.js';

/**
 * Runs `fill` on a temporary directory beside `target`, then renames it into place. The rename is
 * atomic on one filesystem, so a server never sees a half-written snapshot at `target`; when `fill`
 * fails or the process dies, only a hidden temporary directory is left, never `target`.
 */
export async function writeDirAtomically<T>(target: string, fill: (tmpDir: string) => Promise<T>): Promise<T> {
  const out = resolve(target);
  if (await exists(out)) throw rokvError('SNAPSHOT_EXISTS', target);
  const parent = dirname(out);
  await mkdir(parent, { recursive: true });
  const tmp = join(parent, `.${basename(out)}.tmp-${process.pid}-${Date.now()}`);
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

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
