import { parseArgs } from 'node:util';
import { loadServeConfig, type ServeConfig } from '../config.js';
import { isWorker, runPrimary, workerConfig } from '../server/cluster.js';
import { createLogger } from '../server/logger.js';
import { exitOnUncaught, startServer } from '../server/serve.js';
import { openStore } from '../server/open-store.js';
import { publicInfo, type ManifestInfo } from '../snapshot/manifest.js';
import { checkSnapshot } from '../snapshot/verify.js';
import { resolveDataSource } from '../snapshot/versions.js';
import { withUsage } from './args.js';

const USAGE =
  'rokv serve [--data DIR|ROOT | --store URL] [--port 8080] [--host 0.0.0.0] [--workers N] [--log-level info] [--cors-origin ORIGIN]... [--admin-token T] [--admin-port P] [--admin-host H] [--reload-verify full|quick]' +
  ' [--api-keys FILE] [--auth-ops] [--tls-cert FILE --tls-key FILE [--http2]] [--max-connections N] [--max-lag-ms MS] [--rate-limit N] [--headers-timeout-ms MS] [--batch-max-answer-bytes N] [--no-fast-lane] [--no-native-reader]';

/** `rokv serve`: serves a snapshot (the bundled example without --data) on all cores. */
export async function serve(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  if (isWorker()) {
    const config = workerConfig(env);
    const logger = createLogger(config, { worker: true });
    exitOnUncaught(logger);
    const server = await startServer(config, config.data, logger);
    server.signals.listen(server.close);
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
        'cors-origin': { type: 'string', multiple: true },
        'admin-token': { type: 'string' },
        'admin-port': { type: 'string' },
        'admin-host': { type: 'string' },
        'reload-verify': { type: 'string' },
        'api-keys': { type: 'string' },
        'auth-ops': { type: 'boolean' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        http2: { type: 'boolean' },
        'max-connections': { type: 'string' },
        'max-lag-ms': { type: 'string' },
        'rate-limit': { type: 'string' },
        'headers-timeout-ms': { type: 'string' },
        'batch-max-answer-bytes': { type: 'string' },
        'no-fast-lane': { type: 'boolean' },
        'no-native-reader': { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    }),
  );
  const config = loadServeConfig(
    {
      ...values,
      logLevel: values['log-level'],
      corsOrigin: values['cors-origin'],
      adminToken: values['admin-token'],
      adminPort: values['admin-port'],
      adminHost: values['admin-host'],
      reloadVerify: values['reload-verify'],
      apiKeys: values['api-keys'],
      authOps: values['auth-ops'],
      tlsCert: values['tls-cert'],
      tlsKey: values['tls-key'],
      maxConnections: values['max-connections'],
      maxEventLoopLagMs: values['max-lag-ms'],
      rateLimit: values['rate-limit'],
      headersTimeoutMs: values['headers-timeout-ms'],
      batchMaxAnswerBytes: values['batch-max-answer-bytes'],
      fastLane: values['no-fast-lane'] === true ? false : undefined,
      nativeReader: values['no-native-reader'] === true ? false : undefined,
    },
    env,
  );
  const data = config.store === undefined ? (config.data ?? (await exampleSnapshot())) : undefined;
  const source = data === undefined ? undefined : await resolveDataSource(data);
  const resolved: ServeConfig = { ...config, data };
  const logger = createLogger(resolved);
  const manifest =
    source === undefined ? await storeInfo(resolved, logger) : publicInfo(await checkSnapshot(source.dir));
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
      },
      `rokv serving ${manifest.count} pairs from ${manifest.source} on ${address} with ${resolved.workers} worker(s)`,
    );
  };
  exitOnUncaught(logger);
  if (resolved.workers === 1) {
    const server = await startServer(resolved, data, logger);
    server.signals.listen(server.close);
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
