import { constants, lstatSync, mkdirSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RokvError, rokvError } from '../errors.js';
import { buildSnapshot } from '../ingest/build.js';
import { verifySnapshot } from '../snapshot/verify.js';
import { succeeds } from '../succeeds.js';
import { ROKV_VERSION } from '../version.js';

const DATA_DIR = fileURLToPath(new URL('../../data/', import.meta.url));

/** The bundled example data set: 10,000 pairs made by `rokv gen --count 10000 --seed 1`. */
export const EXAMPLE_INPUT = join(DATA_DIR, 'example.json');

/**
 * Returns the directory of the example snapshot, building it on first use. It lives beside the
 * example data when that folder is writable (it is then as trusted as the code beside it), else in
 * a private directory of this user under the system temp folder (read-only installs), whose owner
 * and mode are checked: a shared temp folder is where others could plant a snapshot first.
 * Either copy is verified in full before use (10,000 pairs: milliseconds).
 */
export async function ensureExampleSnapshot(): Promise<string> {
  const beside = join(DATA_DIR, `example-${ROKV_VERSION}.snapshot`);
  if (await usable(beside)) return beside;
  const out = (await writable(DATA_DIR)) ? beside : join(privateDir(), `example-${ROKV_VERSION}.snapshot`);
  if (out !== beside && (await usable(out))) return out;
  try {
    await buildSnapshot(EXAMPLE_INPUT, out);
  } catch (err) {
    // Another process starting at the same moment may have built it first; theirs is as good.
    if (!(err instanceof RokvError && err.code === 'SNAPSHOT_EXISTS')) throw err;
  }
  return out;
}

/**
 * `rokv-<uid>` in the system temp folder, created 0700 if missing; refused unless it is a real
 * directory owned by this user that no one else may enter.
 */
export function privateDir(base = tmpdir()): string {
  const uid = process.getuid?.() ?? 0;
  const dir = join(base, `rokv-${uid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const s = lstatSync(dir);
  const why =
    s.isSymbolicLink() || !s.isDirectory()
      ? 'it is not a directory'
      : s.uid !== uid
        ? `it belongs to user ${s.uid}, not to this user (${uid})`
        : (s.mode & 0o077) !== 0
          ? `others may use it (mode ${(s.mode & 0o777).toString(8)}, expected 700)`
          : undefined;
  if (why !== undefined) {
    throw rokvError('INPUT_UNREADABLE', dir, `${why}; remove it, or serve your own data with --data DIR`);
  }
  return dir;
}

/** True when `dir` holds an intact snapshot. */
const usable = (dir: string): Promise<boolean> => succeeds(verifySnapshot(dir));

/** True when this process may write in `dir`. */
const writable = (dir: string): Promise<boolean> => succeeds(access(dir, constants.W_OK));
