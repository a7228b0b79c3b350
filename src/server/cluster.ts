import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { parseServeConfig, type ServeConfig } from '../config.js';
import { serveClusterMetrics } from './cluster-metrics.js';

/** Environment variable through which the primary hands the validated configuration to its workers. */
export const WORKER_CONFIG_ENV = 'ROKV_WORKER_CONFIG';

/** True in a worker process forked by `runPrimary`. */
export function isWorker(): boolean {
  return cluster.isWorker;
}

/** Reads the configuration the primary handed over, validated by the same schema as the flags. */
export function workerConfig(env: NodeJS.ProcessEnv): ServeConfig {
  return parseServeConfig(JSON.parse(env[WORKER_CONFIG_ENV] ?? '{}') as Record<string, unknown>);
}

const MAX_RESTART_DELAY_MS = 30_000;

/**
 * Forks `config.workers` workers that all listen on the same port (node:cluster shares the socket)
 * and all map the same snapshot, so memory does not grow with the worker count. Replaces a worker
 * that dies, with a growing delay; stops them all gracefully on SIGTERM/SIGINT and then exits.
 */
export function runPrimary(config: ServeConfig, logger: Logger, onAllListening: (address: string) => void): void {
  const env = { [WORKER_CONFIG_ENV]: JSON.stringify(config) };
  let stopping = false;
  let listening = 0;
  let restarts = 0;
  const everListened = new WeakSet<Worker>();

  const fork = (): void => {
    const worker = cluster.fork(env);
    worker.on('listening', (addr) => {
      everListened.add(worker);
      listening++;
      if (listening === config.workers) onAllListening(`http://${addr.address ?? config.host}:${addr.port}`);
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
      return;
    }
    if (!everListened.has(worker)) {
      logger.fatal({ workerPid: worker.process.pid, code, signal }, 'a worker failed to start; stopping');
      stopAll(1);
      return;
    }
    restarts++;
    const delay = Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** Math.min(restarts, 10));
    logger.error({ workerPid: worker.process.pid, code, signal, restartInMs: delay }, 'worker died; replacing it');
    setTimeout(fork, delay).unref();
  });

  const stopAll = (exitCode: number): void => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    if (workers.length === 0) process.exit(exitCode);
    for (const w of workers) w.process.kill('SIGTERM');
    setTimeout(() => {
      logger.error('workers did not stop in time; killing them');
      for (const w of workers) w.process.kill('SIGKILL');
      process.exit(1);
    }, config.shutdownTimeoutMs + 5_000).unref();
    if (exitCode !== 0) process.exitCode = exitCode;
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    logger.info({ signal }, 'shutting down: workers finish their in-flight requests');
    stopAll(0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // Each worker re-reads the data root pointer on SIGHUP; the primary serves nothing itself.
  process.on('SIGHUP', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGHUP');
  });

  serveClusterMetrics();
  for (let i = 0; i < config.workers; i++) fork();
}
