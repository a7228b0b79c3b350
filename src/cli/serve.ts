import { parseArgs } from 'node:util';
import { loadServeConfig, type ServeConfig } from '../config.js';
import { isWorker, runPrimary, workerConfig } from '../server/cluster.js';
import { createLogger } from '../server/logger.js';
import { exitOnSignals, startServer } from '../server/serve.js';
import { openStore } from '../server/open-store.js';
import { publicInfo, type ManifestInfo } from '../snapshot/manifest.js';
import { checkSnapshot } from '../snapshot/verify.js';
import { withUsage } from './args.js';
import { ensureExampleSnapshot } from './example-data.js';

const USAGE = 'rokv serve [--data DIR | --store URL] [--port 8080] [--host 0.0.0.0] [--workers N] [--log-level info]';

/** `rokv serve`: serves a snapshot (the bundled example without --data) on all cores. */
export async function serve(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  if (isWorker()) {
    const config = workerConfig(env);
    const logger = createLogger(config, { worker: true });
    const server = await startServer(config, config.data, logger);
    exitOnSignals(server.close, logger);
    return;
  }
  const { values } = withUsage(USAGE, () =>
    parseArgs({
      args: argv,
      options: {
        data: { type: 'string' },
        store: { type: 'string' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        workers: { type: 'string', short: 'w' },
        'log-level': { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    }),
  );
  const config = loadServeConfig({ ...values, logLevel: values['log-level'] }, env);
  const data = config.store === undefined ? (config.data ?? (await ensureExampleSnapshot())) : undefined;
  const resolved: ServeConfig = { ...config, data };
  const logger = createLogger(resolved);
  const manifest = data === undefined ? await storeInfo(resolved, logger) : publicInfo(await checkSnapshot(data));
  const announce = (address: string): void => {
    logger.info(
      {
        address,
        // A store URL may carry a password: it never reaches the log.
        data: data ?? resolved.store?.replace(/\/\/[^@/]*@/, '//***@'),
        dataset: manifest.id,
        source: manifest.source,
        pairs: manifest.count,
        workers: resolved.workers,
      },
      `rokv serving ${manifest.count} pairs from ${manifest.source} on ${address} with ${resolved.workers} worker(s)`,
    );
  };
  if (resolved.workers === 1) {
    const server = await startServer(resolved, data, logger);
    exitOnSignals(server.close, logger);
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
