import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';
import type { ServeConfig } from '../config.js';
import { ApiKeys } from '../http/api-keys.js';
import { buildAdminApp } from '../http/admin.js';
import { buildApp, type TlsFiles } from '../http/app.js';
import { Readiness } from '../http/probes.js';
import { DATA_FILE } from '../snapshot/lmdb-file.js';
import { resolveDataSource } from '../snapshot/versions.js';
import type { Store } from '../store/store.js';
import { WarmUp, type WarmUpStatus } from '../store/warm-up.js';
import { announceListening, isWorker } from './cluster.js';
import { clusterMetricsSource } from './cluster-metrics.js';
import { VersionReloader } from './reload.js';
import { boundUrl, listenError } from './address.js';
import { openStore } from './open-store.js';
import { ServerSignals } from './signals.js';

const DATA_FLAGS = { port: '--port / PORT', host: '--host / HOST' };
const ADMIN_FLAGS = { port: '--admin-port / ROKV_ADMIN_PORT', host: '--admin-host / ROKV_ADMIN_HOST' };

/** A listening server and how to stop it. */
export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  /** The URL of the bound socket (`http://0.0.0.0:8080` when bound to every interface). */
  address: string;
  /** Follows the pointer of a data root; undefined when serving a single snapshot. */
  reloader: VersionReloader | undefined;
  /** What SIGHUP reloads, and the handlers the entry file installs with `signals.listen(close)`. */
  signals: ServerSignals;
  /** Stops accepting, lets in-flight requests finish (up to the shutdown timeout), closes the store. */
  close(): Promise<void>;
}

/**
 * Opens the store (the snapshot at `dataDir`, the current version when it is a data root, then
 * following its pointer, or `config.store`), builds the app and listens; the caller owns signals.
 */
export async function startServer(
  config: ServeConfig,
  dataDir: string | undefined,
  logger: Logger,
): Promise<RunningServer> {
  const source = dataDir === undefined ? undefined : await resolveDataSource(dataDir);
  const reloader =
    source?.kind === 'root' ? await VersionReloader.start(source.root, source.version, config, logger) : undefined;
  const store: Store = reloader?.store ?? (await openStore(config, source?.dir, logger));
  // Fastify logs a line per listening address at info; rokv prints its own single start line, so
  // the app's logger starts at warn unless debugging was asked for.
  const appLogger =
    config.logLevel === 'debug' || config.logLevel === 'trace' ? logger : logger.child({}, { level: 'warn' });
  if (config.adminToken !== undefined && !reloader)
    logger.warn('the admin API needs a data root (--data ROOT); it is off');
  const admin =
    config.adminToken !== undefined && reloader ? { token: config.adminToken, actions: reloader } : undefined;
  const adminApp =
    admin && config.adminPort !== undefined ? buildAdminApp(admin.token, admin.actions, appLogger, config) : undefined;
  const readiness = new Readiness();
  const signals = new ServerSignals(logger);
  if (reloader) signals.onReload('data root', () => reloader.reload('signal'));
  const apiKeys = loadApiKeys(config, logger, signals);
  const { tlsCert, tlsKey } = config;
  const loadTls = tlsCert !== undefined && tlsKey !== undefined ? () => readTls(tlsCert, tlsKey) : undefined;
  const app = buildApp(store, config, {
    logger: appLogger,
    apiKeys,
    tls: loadTls?.(),
    readiness,
    ...(isWorker() ? { metricsSource: clusterMetricsSource, sharedPort: true } : {}),
    ...(admin && !adminApp ? { admin } : {}),
    ...(reloader ? { versions: () => reloader.status() } : {}),
  });
  if (loadTls) signals.onReload('tls', () => (app.server as unknown as TlsServer).setSecureContext(loadTls()));
  const warmUp = source === undefined ? undefined : startWarmUp(join(source.dir, DATA_FILE), config, readiness, logger);
  try {
    await app.listen({ port: config.port, host: config.host });
    if (adminApp) {
      const adminAddress = await adminApp
        .listen({ port: config.adminPort!, host: config.adminHost })
        .catch((err: unknown) => {
          throw listenError(err, config.adminHost, config.adminPort!, ADMIN_FLAGS);
        });
      logger.info({ adminAddress }, `admin API on ${adminAddress}`);
    }
  } catch (err) {
    // Nothing is served: release what was opened so the process can end with one line.
    await Promise.allSettled([app.close(), adminApp?.close()]);
    apiKeys?.close();
    await warmUp?.stop();
    await (reloader ?? store).close();
    throw listenError(err, config.host, config.port, DATA_FLAGS);
  }
  const bound = app.server.address() as AddressInfo;
  const address = boundUrl(config.tlsCert === undefined ? 'http' : 'https', bound.address, bound.port);
  readiness.serving();
  if (isWorker()) announceListening(bound.address, bound.port);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      readiness.stopping();
      // Fastify's close waits for in-flight requests; the timer bounds a client that never finishes.
      const force = setTimeout(() => app.server.closeAllConnections(), config.shutdownTimeoutMs);
      force.unref();
      await Promise.all([app.close(), adminApp?.close()]);
      clearTimeout(force);
      apiKeys?.close();
      await warmUp?.stop();
      await (reloader ?? store).close();
    })();
    return closing;
  };
  return { app, store, address, reloader, signals, close };
}

/**
 * Starts reading the snapshot's pages into the page cache (config.warmUp); /readyz says ready once
 * it is done, with its progress logged at every tenth and shown in /readyz and /metrics meanwhile.
 * A warm-up that fails is logged and readiness no longer waits for it: the server still answers.
 */
function startWarmUp(file: string, config: ServeConfig, readiness: Readiness, logger: Logger): WarmUp | undefined {
  let logged = -1;
  const log = (s: WarmUpStatus): void => {
    // Every tenth once, and the end once more (its line says ready).
    const tenth = s.finished ? 11 : Math.floor((s.total === 0 ? 0 : s.done / s.total) * 10);
    if (tenth === logged) return;
    logged = tenth;
    const what = s.mode === 'full' ? 'of the data file' : "of the index's branch pages";
    const msg = s.finished
      ? `warm-up done: ${s.mode === 'full' ? 'the data file' : "the index's branch pages"} read in ${s.seconds.toFixed(1)} s; ready`
      : `warming up: ${tenth * 10}% ${what} read`;
    logger.info({ warmUp: s }, msg);
  };
  const warmUp = WarmUp.start(file, config.warmUp, log);
  readiness.warmUp = warmUp;
  warmUp?.finished.catch((err: unknown) => {
    if (readiness.phase === 'stopping') return;
    logger.warn({ err }, 'warm-up failed; ready without it');
    readiness.warmUp = undefined;
  });
  return warmUp;
}

/** Reads the certificate chain and key; a failure here fails the start or the reload, never half-applies. */
function readTls(certFile: string, keyFile: string): TlsFiles {
  return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

/** The configured API keys (file watched, reloaded on SIGHUP too), or undefined when auth is off. */
function loadApiKeys(config: ServeConfig, logger: Logger, signals: ServerSignals): ApiKeys | undefined {
  if (config.apiKeysFile === undefined && config.apiKeys === undefined) return undefined;
  const keys = new ApiKeys({ file: config.apiKeysFile, digests: config.apiKeys });
  if (keys.size === 0) logger.warn('API keys are on but none is configured: every data request will be refused');
  keys.watch((err) => {
    if (err) logger.error({ err }, 'API keys file changed but cannot be used; keeping the previous keys');
    else logger.info({ keys: keys.size }, 'API keys reloaded');
  });
  signals.onReload('api-keys', () => keys.reload());
  return keys;
}

/**
 * Logs an error that escaped every handler with pino (so it lands in the JSON log, not only on
 * stderr) and exits 1: state after such an error is unknown, and the supervisor starts a fresh process.
 */
export function exitOnUncaught(logger: Logger): void {
  const die = (err: unknown): void => {
    logger.fatal({ err }, 'uncaught error; exiting so a fresh process takes over');
    process.exit(1);
  };
  process.on('uncaughtException', die);
  process.on('unhandledRejection', die);
}
