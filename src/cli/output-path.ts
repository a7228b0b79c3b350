import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describeFailure, rokvError } from '../errors.js';

/**
 * Checks, before any work starts, that `file` (the value of `flag`) can be written: its directory
 * exists and is writable and the path is not a directory. A long run is then not lost at its end.
 */
export async function checkWritable(file: string, flag: string): Promise<void> {
  const dir = dirname(file);
  const why = await access(dir, constants.W_OK).then(
    async () => ((await stat(file).catch(() => undefined))?.isDirectory() ? 'it is a directory' : undefined),
    (err: unknown) =>
      `its directory ${dir} ${(err as { code?: string }).code === 'ENOENT' ? 'does not exist' : 'is not writable'}`,
  );
  if (why !== undefined) throw rokvError('OUTPUT_UNWRITABLE', flag, file, why);
}

/** Runs a write of `file`, turning its failure into the catalog's one line. */
export async function writing<T>(file: string, flag: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    throw rokvError('OUTPUT_UNWRITABLE', flag, file, describeFailure(err) ?? String(err));
  }
}
