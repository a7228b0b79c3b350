import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { parseServeConfig, type ServeConfig } from '../config.js';
import { describeFailure } from '../errors.js';
import { onBun } from '../http/bun-runtime.js';
import { boundUrl } from './address.js';
import { serveClusterMetrics } from './cluster-metrics.js';

/** Environment variable through which the primary hands the validated configuration to its workers. */
export const WORKER_CONFIG_ENV = 'ROKV_WORKER_CONFIG';

/** True in a worker process forked by `runPrimary`. */
export function isWorker(): boolean {
  return cluster.isWorker;
}

const LISTENING = 'rokv:listening';

/** What a worker tells the primary once it accepts connections. */
interface ListeningMessage {
  type: typeof LISTENING;
  address: string;
  port: number;
}

/**
 * In a worker: tells the primary it is serving on `port`. A message rather than node:cluster's
 * `listening` event, which Bun's cluster does not emit for a Bun.serve server: one protocol for both runtimes.
 */
export function announceListening(address: string, port: number): void {
  process.send?.({ type: LISTENING, address, port } satisfies ListeningMessage);
}

/** Reads the configuration the primary handed over, validated by the same schema as the flags. */
export function workerConfig(env: NodeJS.ProcessEnv): ServeConfig {
  return parseServeConfig(JSON.parse(env[WORKER_CONFIG_ENV] ?? '{}') as Record<string, unknown>);
}

/** The message a worker sends its primary when it cannot start, with the one line to print. */
const START_FAILED = 'rokv:start-failed';

interface StartFailure {
  type: typeof START_FAILED;
  reason: string;
}

function isStartFailure(message: unknown): message is StartFailure {
  return (message as StartFailure | undefined)?.type === START_FAILED;
}

/**
 * Ends a worker that cannot start (port in use, store unreachable): tells the primary why, which
 * stops the whole server with that one line, and exits without printing a line of its own.
 */
export function failWorkerStart(err: unknown): Promise<never> {
  const reason = describeFailure(err) ?? `unexpected error: ${(err as Error)?.stack ?? String(err)}`;
  return new Promise<never>(() => {
    const exit = (): never => process.exit(1);
    if (process.send) process.send({ type: START_FAILED, reason } satisfies StartFailure, exit);
    else exit();
  });
}

/** Deaths within this window count towards the restart delay and the crash loop alarm. */
const CRASH_WINDOW_MS = 60_000;
/** This many deaths within the window is a crash loop: reported at fatal, restarts slow to the cap. */
export const CRASH_LOOP_DEATHS = 5;
const FIRST_RESTART_DELAY_MS = 100;
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * The delay before replacing a worker, from the deaths seen in the last minute (`recentDeaths`
 * includes this one): an isolated crash is replaced at once, repeated ones back off exponentially.
 */
export function restartDelayMs(recentDeaths: number): number {
  return Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** Math.max(0, recentDeaths - 1));
}

/**
 * Forks `config.workers` workers that all listen on the same port (node:cluster shares the socket;
 * on Bun each worker binds it with SO_REUSEPORT) and all map the same snapshot, so memory does not grow with the worker count. Supervises them: a
 * worker that dies (uncaught error, kill -9, out of memory) is replaced with a backoff that grows
 * with the deaths of the last minute while the others keep serving; a crash loop is reported. SIGHUP
 * is passed on to every worker (certificates, keys); SIGTERM/SIGINT stop them all gracefully.
 */
export function runPrimary(config: ServeConfig, logger: Logger, onAllListening: (address: string) => void): void {
  // On Bun, asked for any free port, the first worker picks one and the others (and replacements)
  // join it: each would otherwise bind a port of its own. node:cluster's primary shares one socket.
  let port = config.port;
  const pickFirst = port === 0 && onBun();
  const scheme = config.tlsCert !== undefined ? 'https' : 'http';
  let stopping = false;
  let listening = 0;
  let announced = false;
  let deaths: number[] = [];
  const everListened = new WeakSet<Worker>();

  // A worker that cannot start stops them all: the same cause would fail every replacement.
  const failStart = (reason: string, details: Record<string, unknown>): void => {
    if (stopping) return;
    logger.fatal(details, `a worker failed to start: ${reason}; stopping`);
    process.stderr.write(`rokv: ${reason}\n`);
    stopAll(1);
  };
  cluster.on('message', (worker, message: unknown) => {
    if (isStartFailure(message) && !announced) failStart(message.reason, { workerPid: worker.process.pid });
  });

  const fork = (): void => {
    const worker = cluster.fork({ [WORKER_CONFIG_ENV]: JSON.stringify({ ...config, port }) });
    worker.on('message', (message: Partial<ListeningMessage> | null) => {
      if (message?.type !== LISTENING || typeof message.port !== 'number') return;
      everListened.add(worker);
      listening++;
      if (pickFirst && port === 0) {
        port = message.port;
        for (let i = 1; i < config.workers; i++) fork();
      }
      if (announced) {
        logger.info({ workerPid: worker.process.pid }, 'replacement worker is serving');
      } else if (listening === config.workers) {
        announced = true;
        onAllListening(boundUrl(scheme, message.address ?? config.host, message.port));
      }
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
      return;
    }
    if (!everListened.has(worker) && !announced) {
      failStart(`a worker exited (${signal ?? `code ${code}`}) before it could listen`, {
        workerPid: worker.process.pid,
        code,
        signal,
      });
      return;
    }
    const now = Date.now();
    deaths = [...deaths.filter((t) => now - t < CRASH_WINDOW_MS), now];
    const delay = restartDelayMs(deaths.length);
    const details = {
      workerPid: worker.process.pid,
      code,
      signal,
      restartInMs: delay,
      deathsLastMinute: deaths.length,
    };
    if (deaths.length >= CRASH_LOOP_DEATHS)
      logger.fatal(details, 'crash loop: workers keep dying; replacing them more slowly');
    else logger.error(details, 'worker died; replacing it');
    // Not unref: with every worker dead, this timer is what keeps the primary alive to replace them.
    setTimeout(fork, delay);
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
  // Each worker re-reads the data root pointer, its certificates and API keys on SIGHUP; the
  // primary serves nothing itself.
  process.on('SIGHUP', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGHUP');
  });

  serveClusterMetrics();
  for (let i = 0; i < (pickFirst ? 1 : config.workers); i++) fork();
}
