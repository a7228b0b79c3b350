import type { Logger } from 'pino';
import type { ServeConfig } from '../config.js';
import { LmdbStore } from '../store/lmdb.js';
import type { Store } from '../store/store.js';

/** Opens the store the configuration names: the Redis store with `store`, else the snapshot at `dataDir`. */
export async function openStore(config: ServeConfig, dataDir: string | undefined, logger: Logger): Promise<Store> {
  if (config.store === undefined) return LmdbStore.open(dataDir!, { nativeReader: config.nativeReader });
  // Loaded only here, so that serving a snapshot does not load ioredis at start-up.
  const { RedisStore } = await import('../store/redis.js');
  return RedisStore.open(config.store, {
    pollMs: config.storePollMs,
    commandTimeoutMs: config.storeTimeoutMs,
    onEvent: ({ msg, err, version }) => (err === undefined ? logger.info({ version }, msg) : logger.warn({ err }, msg)),
  });
}
