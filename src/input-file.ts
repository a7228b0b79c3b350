import { readFile } from 'node:fs/promises';
import { rokvError } from './errors.js';

/** The text of a file an operator named (golden pairs, a key list), or the catalog's INPUT_UNREADABLE. */
export async function readInputFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw rokvError('INPUT_UNREADABLE', file, (err as NodeJS.ErrnoException).code ?? 'unknown error');
  }
}
