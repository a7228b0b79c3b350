import { parseArgs } from 'node:util';
import { z } from 'zod';
import { storeUrl } from '../config.js';
import { rokvError } from '../errors.js';
import { loadSnapshot } from '../store/redis-load.js';
import { onePositional, withUsage } from './args.js';

const USAGE = 'rokv load SNAPSHOT --store URL [--keep 2] [--grace-ms 5000] [--window 1024] [--sample 1000]';

const options = z.object({
  store: storeUrl,
  keep: z.coerce.number().int().min(1).default(2),
  graceMs: z.coerce.number().int().min(0).default(5000),
  window: z.coerce.number().int().min(1).max(100_000).default(1024),
  sample: z.coerce.number().int().min(1).default(1000),
});

/** `rokv load`: loads a snapshot into Redis as a new version, verifies it, activates it, prunes old ones. */
export async function load(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { values, positionals } = withUsage(USAGE, () =>
    parseArgs({
      args: argv,
      options: {
        store: { type: 'string' },
        keep: { type: 'string' },
        'grace-ms': { type: 'string' },
        window: { type: 'string' },
        sample: { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    }),
  );
  const dir = onePositional(positionals, 'SNAPSHOT directory', USAGE);
  const parsed = options.safeParse({
    store: values.store ?? (env.ROKV_STORE || undefined),
    keep: values.keep,
    graceMs: values['grace-ms'],
    window: values.window,
    sample: values.sample,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw rokvError('USAGE', `--${issue.path.join('.')}: ${issue.message}\nusage: ${USAGE}`);
  }
  const { store, ...rest } = parsed.data;
  const result = await loadSnapshot(dir, store, {
    ...rest,
    log: (line) => process.stderr.write(`rokv load: ${line}\n`),
  });
  const rate = result.written
    ? ` in ${result.seconds.toFixed(2)} s (${Math.round(result.pairsPerSecond)} pairs/s)`
    : '';
  const removed = result.removed.length > 0 ? `; removed ${result.removed.join(', ')}` : '';
  process.stdout.write(`ok: version ${result.version} (${result.count} pairs) is active${rate}${removed}\n`);
}
