import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ServeConfig } from '../config.js';
import { buildApp } from '../http/app.js';
import type { Store } from '../store/store.js';
import { openStore } from './open-store.js';

/** A listening server and how to stop it. */
export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  address: string;
  /** Stops accepting, lets in-flight requests finish (up to the shutdown timeout), closes the store. */
  close(): Promise<void>;
}

/** Opens the store (the snapshot at `dataDir`, or `config.store`), builds the app and listens; the caller owns signals. */
export async function startServer(config: ServeConfig, dataDir: string | undefined, logger: Logger): Promise<RunningServer> {
  const store = await openStore(config, dataDir, logger);
  // Fastify logs a line per listening address at info; rokv prints its own single start line, so
  // the app's logger starts at warn unless debugging was asked for.
  const appLogger = config.logLevel === 'debug' || config.logLevel === 'trace' ? logger : logger.child({}, { level: 'warn' });
  const app = buildApp(store, config, { logger: appLogger });
  const address = await app.listen({ port: config.port, host: config.host });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // Fastify's close waits for in-flight requests; the timer bounds a client that never finishes.
      const force = setTimeout(() => app.server.closeAllConnections(), config.shutdownTimeoutMs);
      force.unref();
      await app.close();
      clearTimeout(force);
      await store.close();
    })();
    return closing;
  };
  return { app, store, address, close };
}

/** Runs `close` on the first SIGTERM or SIGINT, then exits 0 (1 if closing failed). */
export function exitOnSignals(close: () => Promise<void>, logger: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
