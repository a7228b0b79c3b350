import { loadSnapshot } from '../store/redis-load.js';
import type { CommandArgs } from './command.js';
import type { loadOptions } from './command-options.js';

/** `rokv load`: loads a snapshot into Redis as a new version, verifies it, activates it, prunes old ones. */
export async function load({ values, positionals }: CommandArgs<typeof loadOptions>): Promise<void> {
  const dir = positionals[0]!;
  const { store, ...rest } = values;
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
