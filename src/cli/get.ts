import { rokvError } from '../errors.js';
import { resolveDataSource } from '../snapshot/versions.js';
import { LmdbStore } from '../store/lmdb.js';
import { parseUuid } from '../uuid.js';
import type { CommandArgs } from './command.js';
import type { getOptions } from './command-options.js';
import { ensureExampleSnapshot } from './example-data.js';

/** `rokv get`: prints one value from a snapshot (a root's current version); a missing key exits 1. */
export async function get({ values, positionals }: CommandArgs<typeof getOptions>): Promise<void> {
  const key = positionals[0]!;
  const bytes = parseUuid(key);
  if (bytes === undefined) throw rokvError('KEY_INVALID', key);
  const dir = values.data ?? (await ensureExampleSnapshot());
  const store = await LmdbStore.open((await resolveDataSource(dir)).dir);
  try {
    const found = store.get(bytes);
    if (found === undefined) throw rokvError('KEY_NOT_FOUND', key.toLowerCase());
    process.stdout.write(`${JSON.parse(Buffer.from(found).toString('utf8')) as string}\n`);
  } finally {
    await store.close();
  }
}
