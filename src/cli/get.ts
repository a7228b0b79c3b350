import { parseArgs } from 'node:util';
import { dataDirFrom } from '../config.js';
import { rokvError } from '../errors.js';
import { resolveDataSource } from '../snapshot/versions.js';
import { LmdbStore } from '../store/lmdb.js';
import { parseUuid } from '../uuid.js';
import { onePositional, withUsage } from './args.js';
import { ensureExampleSnapshot } from './example-data.js';

const USAGE = 'rokv get KEY [--data DIR|ROOT]';

/** `rokv get`: prints one value from a snapshot (a root's current version); a missing key exits 1. */
export async function get(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { values, positionals } = withUsage(USAGE, () =>
    parseArgs({ args: argv, options: { data: { type: 'string' } }, allowPositionals: true, strict: true }),
  );
  const key = onePositional(positionals, 'KEY', USAGE);
  const bytes = parseUuid(key);
  if (bytes === undefined) throw rokvError('KEY_INVALID', key);
  const dir = dataDirFrom(values.data, env) ?? (await ensureExampleSnapshot());
  const store = await LmdbStore.open((await resolveDataSource(dir)).dir);
  try {
    const found = store.get(bytes);
    if (found === undefined) throw rokvError('KEY_NOT_FOUND', key.toLowerCase());
    process.stdout.write(`${JSON.parse(Buffer.from(found).toString('utf8')) as string}\n`);
  } finally {
    await store.close();
  }
}
