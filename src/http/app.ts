import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { ServeConfig } from '../config.js';
import type { Store } from '../store/store.js';
import { registerAdmin, type AdminActions } from './admin.js';
import { registerDatasetHeader } from './dataset-header.js';
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
  /** The admin API: registered only when a token is configured. */
  admin?: { token: string; actions: AdminActions };
}

/** Builds the Fastify app serving `store`; the caller decides whether to `listen` or to `inject`. */
export function buildApp(store: Store, config: AppConfig, options: AppOptions = {}): FastifyInstance {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // Per-request log lines cost about a fifth of the throughput; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
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
  registerDatasetHeader(app, store);
  registerGetValue(app, store, config.bodyLimit);
  if (options.admin) registerAdmin(app, options.admin.token, options.admin.actions);
  return app;
}
