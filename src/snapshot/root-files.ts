import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync } from 'node:fs';
import { chmod, lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { rokvError } from '../errors.js';

/**
 * How rokv writes inside a data root, where others may have write access too: temporary names are
 * unpredictable and created exclusively (`wx`: O_CREAT|O_EXCL, which also refuses a planted
 * symlink), and the directories written into must be real directories, not symlinks.
 */

/** A name suffix nobody can predict, for temporary files and directories. */
export function unpredictable(): string {
  return randomBytes(8).toString('hex');
}

/** Creates `dir` if missing and makes sure it is a real directory, not a symlink to somewhere else. */
export function ensureRealDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const s = lstatSync(dir);
  if (s.isSymbolicLink() || !s.isDirectory()) {
    throw rokvError(
      'ROOT_INVALID',
      dir,
      'it is a symbolic link or not a directory; rokv writes only into real directories',
    );
  }
}

/** Makes a published version read-only: its files 0444, its directory 0555. */
export async function sealReadOnly(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if ((await lstat(path)).isFile()) await chmod(path, 0o444);
  }
  await chmod(dir, 0o555);
}

/** Removes a version directory, read-only or not (its directory must be writable to empty it). */
export async function removeVersionDir(dir: string): Promise<void> {
  try {
    if ((await lstat(dir)).isDirectory()) await chmod(dir, 0o755);
  } catch {
    return;
  }
  await rm(dir, { recursive: true, force: true });
}
