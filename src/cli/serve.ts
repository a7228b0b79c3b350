import type { ServeConfig, serveOptions } from '../config.js';
import { failWorkerStart, isWorker, runPrimary, workerConfig } from '../server/cluster.js';
import { docsUrl } from '../server/address.js';
import { createLogger } from '../server/logger.js';
import { exitOnUncaught, startServer } from '../server/serve.js';
import { openStore } from '../server/open-store.js';
import { publicInfo, type ManifestInfo } from '../snapshot/manifest.js';
import { checkSnapshotTo } from '../snapshot/verify.js';
import { resolveDataSource } from '../snapshot/versions.js';
import type { CommandArgs } from './command.js';

/** `rokv serve`: serves a snapshot (the bundled example without --data) on all cores. */
export async function serve({ values: config, env }: CommandArgs<typeof serveOptions>): Promise<void> {
  if (isWorker()) {
    const config = workerConfig(env);
    const logger = createLogger(config, { worker: true });
    exitOnUncaught(logger);
    const server = await startServer(config, config.data, logger).catch(failWorkerStart);
    server.signals.listen(() => server.close());
    return;
  }
  const data = config.store === undefined ? (config.data ?? (await exampleSnapshot())) : undefined;
  const source = data === undefined ? undefined : await resolveDataSource(data);
  const resolved: ServeConfig = { ...config, data };
  const logger = createLogger(resolved);
  const manifest =
    source === undefined
      ? await storeInfo(resolved, logger)
      : publicInfo(await checkSnapshotTo(source.dir, resolved.verify));
  const announce = (address: string): void => {
    logger.info(
      {
        address,
        // A store URL may carry a password: it never reaches the log.
        data: data ?? resolved.store?.replace(/\/\/[^@/]*@/, '//***@'),
        dataset: manifest.id,
        ...(source?.kind === 'root' ? { root: source.root, version: source.version } : {}),
        source: manifest.source,
        pairs: manifest.count,
        workers: resolved.workers,
        docs: docsUrl(address),
      },
      `rokv serving ${manifest.count} pairs from ${manifest.source} on ${address} with ${resolved.workers} worker(s); API docs at ${docsUrl(address)}`,
    );
  };
  exitOnUncaught(logger);
  if (resolved.workers === 1) {
    const server = await startServer(resolved, data, logger);
    server.signals.listen(() => server.close());
    announce(server.address);
    return;
  }
  runPrimary(resolved, logger, announce);
}

/** Reads what the configured Redis store serves, failing start-up early when it holds no data set. */
async function storeInfo(config: ServeConfig, logger: Parameters<typeof openStore>[2]): Promise<ManifestInfo> {
  const store = await openStore(config, undefined, logger);
  try {
    return store.info();
  } finally {
    await store.close();
  }
}

/** The bundled example's snapshot, built on first use; its ingest code loads only when no data is named. */
async function exampleSnapshot(): Promise<string> {
  const { ensureExampleSnapshot } = await import('./example-data.js');
  return ensureExampleSnapshot();
}
