import { readFile } from 'node:fs/promises';
import { rokvError } from '../errors.js';
import type { RawPair } from './pair.js';

/** Reads a JSON file holding one object `{"<uuid>": "<value>", ...}` and yields its pairs in file order. */
export async function* readJsonObject(file: string): AsyncGenerator<RawPair> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw rokvError('INPUT_UNREADABLE', file, (err as NodeJS.ErrnoException).code ?? String(err));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw rokvError('INPUT_INVALID', file, `not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw rokvError('INPUT_INVALID', file, 'expected one JSON object {"<uuid>": "<value>", ...}');
  }
  let n = 0;
  for (const [key, value] of Object.entries(parsed)) {
    n++;
    yield { key, value, where: `${file}, pair #${n}` };
  }
}
