import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { ServeConfig } from '../config.js';
import type { Store } from '../store/store.js';
import { frameworkErrors, installErrorHandlers } from './errors.js';
import { registerGetValue } from './get-value.js';
import { installJsonBodyParser } from './json-body.js';

/** The part of the configuration the HTTP app needs. */
export type AppConfig = Pick<
  ServeConfig,
  'bodyLimit' | 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs' | 'logLevel'
>;

/** Options that belong to the process, not the configuration. */
export interface AppOptions {
  /** A ready logger (the server's), or false for none, as in tests. */
  logger?: FastifyBaseLogger | false;
}

/** Builds the Fastify app serving `store`; the caller decides whether to `listen` or to `inject`. */
export function buildApp(store: Store, config: AppConfig, options: AppOptions = {}): FastifyInstance {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // Per-request log lines cost about a fifth of the throughput; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    // Fastify makes a pino child logger per request only to bind reqId; the few request-time log
    // lines pass reqId themselves, so every request shares the app's logger (about 1.5% of CPU).
    childLoggerFactory: (logger) => logger,
    bodyLimit: config.bodyLimit,
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    http: { headersTimeout: config.headersTimeoutMs },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    frameworkErrors,
  }) as unknown as FastifyInstance;
  installJsonBodyParser(app);
  installErrorHandlers(app);
  registerGetValue(app, store, config.bodyLimit);
  return app;
}
