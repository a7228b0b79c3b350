import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { dataRoutes } from '../api/routes.js';
import { AJV_OPTIONS } from '../api/schemas.js';
import type { ServeConfig } from '../config.js';
import type { Store } from '../store/store.js';
import { registerAdmin, type AdminActions } from './admin.js';
import type { ApiKeys } from './api-keys.js';
import { registerDataRoutes } from './data-routes.js';
import { registerDataset, stampDataset, stampDatasetHeader } from './dataset.js';
import { opsAuthorizer } from './auth.js';
import { nodeTimeouts } from './connection-limits.js';
import { frameworkErrors, installErrorHandlers } from './errors.js';
import { BunFront } from './bun-front.js';
import { onBun } from './bun-runtime.js';
import { createLaneServer, FastLane } from './fast-lane.js';
import { installJsonBodyParser } from './json-body.js';
import { Metrics } from './metrics.js';
import { installMetrics, registerMetrics, type MetricsSource } from './metrics-routes.js';
import { installOpenApi } from './openapi.js';
import { Readiness, registerProbes, type VersionReport } from './probes.js';
import { hooksOn } from './request-hooks.js';
import { MAX_PATH_PARAM_LENGTH, registerValues } from './values.js';

/** The part of the configuration the HTTP app needs. */
export type AppConfig = Pick<
  ServeConfig,
  | 'bodyLimit'
  | 'headersTimeoutMs'
  | 'requestTimeoutMs'
  | 'keepAliveTimeoutMs'
  | 'logLevel'
  | 'batchMaxKeys'
  | 'batchBodyLimit'
  | 'batchMaxAnswerBytes'
  | 'cacheMaxAgeSeconds'
  | 'corsOrigins'
> &
  Partial<
    Pick<
      ServeConfig,
      'maxConnections' | 'maxEventLoopLagMs' | 'rateLimit' | 'authOps' | 'http2' | 'fastLane' | 'adminToken'
    >
  >;

/** PEM certificate chain and key: given, the app serves HTTPS (HTTP/2 too with `http2`). */
export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

/** Options that belong to the process, not the configuration. */
export interface AppOptions {
  /** A ready logger (the server's), or false for none, as in tests. */
  logger?: FastifyBaseLogger | false;
  /** The server's phase for /readyz; without one, the app counts as serving once it is ready. */
  readiness?: Readiness;
  /** Where /metrics reads from; the default is this process's registry. */
  metricsSource?: MetricsSource;
  /** A data root's reload status, for `/readyz` details and metrics. */
  versions?: () => VersionReport;
  /** The admin API: registered only when a token is configured. */
  admin?: { token: string; actions: AdminActions };
  /** Accepted API keys: given, data routes need `Authorization: Bearer <key>`. */
  apiKeys?: ApiKeys | undefined;
  /** Serve TLS with these; the server's `setSecureContext` swaps them later. */
  tls?: TlsFiles | undefined;
  /** Other processes listen on the same port (cluster workers): on Bun the front then sets SO_REUSEPORT. */
  sharedPort?: boolean;
}

/** Builds the Fastify app serving `store`; the caller decides whether to `listen` or to `inject`. */
export function buildApp(store: Store, config: AppConfig, options: AppOptions = {}): FastifyInstance {
  const timeouts = nodeTimeouts(config);
  const tls = options.tls ? { ...options.tls, ...timeouts, allowHTTP1: true } : undefined;
  // Fastify's types pick one server kind per call site; the options object decides at run time.
  const serverKind = (tls ? { https: tls, http2: config.http2 === true } : { http: timeouts }) as {
    http: typeof timeouts;
  };
  const readiness = options.readiness ?? new Readiness();
  const metrics = new Metrics(store, options.versions, readiness);
  const hookConfig = { ...config, apiKeys: options.apiKeys };
  const hooks = hooksOn(hookConfig);
  const routes = dataRoutes(
    store,
    {
      bodyLimit: config.bodyLimit,
      batch: {
        maxKeys: config.batchMaxKeys,
        bodyLimit: config.batchBodyLimit,
        maxAnswerBytes: config.batchMaxAnswerBytes,
      },
    },
    (err) => app.log.error({ err }, 'request failed'),
  );
  // The fast lane skips Fastify's hooks, so it runs only where no hook would change an answer,
  // and on plain HTTP only (node:http's server).
  const lane =
    config.fastLane !== false && tls === undefined && hooks.length === 0 ? new FastLane(routes, metrics) : undefined;
  const app = Fastify({
    ...serverKind,
    ...(lane
      ? {
          serverFactory: (handler: Parameters<typeof createLaneServer>[2]) =>
            onBun()
              ? // Fastify types its server as node:http's; it calls only what BunFront implements.
                (new BunFront({
                  routes,
                  metrics,
                  fastify: handler,
                  stamp: (response) => stampDataset(response, store),
                  // Bun.serve has one idle timer per connection, for waiting on a request and receiving it.
                  idleTimeoutSeconds: Math.min(255, Math.ceil(config.keepAliveTimeoutMs / 1000)),
                  reusePort: options.sharedPort === true,
                }) as unknown as ReturnType<typeof createLaneServer>)
              : createLaneServer(lane, store, handler, {
                  http: timeouts,
                  keepAliveTimeout: config.keepAliveTimeoutMs,
                  requestTimeout: config.requestTimeoutMs,
                }),
        }
      : {}),
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // Per-request log lines cost throughput (docs/performance.md, changes to the hot path); errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    // Fastify makes a pino child logger per request only to bind reqId; the few request-time log
    // lines pass reqId themselves, so every request shares the app's logger (docs/performance.md).
    childLoggerFactory: (logger) => logger,
    bodyLimit: config.bodyLimit,
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // Fastify's own 503 while closing has a body from outside the catalog, and would answer /readyz
    // with it too. Off, a request that arrives on a connection still open during the drain is
    // answered by its route (Fastify adds Connection: close), and /readyz says NOT_READY.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    frameworkErrors,
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    ajv: { customOptions: AJV_OPTIONS },
  }) as unknown as FastifyInstance;
  installJsonBodyParser(app);
  installErrorHandlers(app);
  if (lane) {
    app.addHook('preClose', (done) => {
      lane.stop();
      done();
    });
  } else {
    stampDatasetHeader(app.server, store);
  }
  installMetrics(app, metrics);
  installOpenApi(app);
  if (options.readiness === undefined) app.addHook('onReady', () => readiness.serving());
  // Queued before the routes plugin below, so its routes inherit the hooks.
  for (const hook of hooks) hook.install(app, hookConfig);
  // Routes go in a plugin so that they are added after the OpenAPI plugin loaded and saw them.
  void app.register(async (api) => {
    registerDataRoutes(api, routes, metrics, config.batchMaxKeys);
    registerValues(api, store, metrics, config.cacheMaxAgeSeconds);
    registerDataset(api, store);
    registerProbes(
      api,
      store,
      readiness,
      options.versions,
      opsAuthorizer(options.apiKeys, config.authOps === true, config.adminToken),
    );
    registerMetrics(api, metrics, options.metricsSource);
    if (options.admin) registerAdmin(api, options.admin.token, options.admin.actions);
  });
  if (config.maxConnections !== undefined) app.server.maxConnections = config.maxConnections;
  return app;
}
