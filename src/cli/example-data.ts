import { access, constants } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RokvError } from '../errors.js';
import { buildSnapshot } from '../ingest/build.js';
import { checkSnapshot } from '../snapshot/verify.js';
import { ROKV_VERSION } from '../version.js';

const DATA_DIR = fileURLToPath(new URL('../../data/', import.meta.url));

/** The bundled example data set: 10,000 pairs made by `rokv gen --count 10000 --seed 1`. */
export const EXAMPLE_INPUT = join(DATA_DIR, 'example.json');

/**
 * Returns the directory of the example snapshot, building it on first use. It lives beside the
 * example data when that folder is writable, else in the system temp folder (read-only installs).
 */
export async function ensureExampleSnapshot(): Promise<string> {
  const beside = join(DATA_DIR, `example-${ROKV_VERSION}.snapshot`);
  const fallback = join(tmpdir(), `rokv-example-${ROKV_VERSION}.snapshot`);
  for (const dir of [beside, fallback]) {
    if (await usable(dir)) return dir;
  }
  const out = (await writable(DATA_DIR)) ? beside : fallback;
  try {
    await buildSnapshot(EXAMPLE_INPUT, out);
  } catch (err) {
    // Another process starting at the same moment may have built it first; theirs is as good.
    if (!(err instanceof RokvError && err.code === 'SNAPSHOT_EXISTS')) throw err;
  }
  return out;
}

async function usable(dir: string): Promise<boolean> {
  try {
    await checkSnapshot(dir);
    return true;
  } catch {
    return false;
  }
}

async function writable(dir: string): Promise<boolean> {
  try {
    await access(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
