import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { STORE_URL_PATTERN } from '../config.js';
import { rokvError, systemErrorWords } from '../errors.js';

/** A connection to one Redis node or to a Redis Cluster; both speak the same commands. */
export type RedisClient = Redis | Cluster;

/** How long one command may take before rokv gives up on it. */
export interface ConnectOptions {
  commandTimeoutMs: number;
}

/**
 * Delay before reconnect attempt `times`: exponential up to 2 s, with jitter so that many rokv
 * processes that lost the same node do not reconnect in lock step (no reconnect storm).
 */
export function reconnectDelay(times: number): number {
  return Math.min(2000, 50 * 2 ** Math.min(times, 6)) + Math.floor(Math.random() * 100);
}

/** A seed node of a cluster URL. */
interface Seed {
  host: string;
  port: number;
}

/** Parses the `H1:P1,H2:P2` part of a `redis-cluster://` URL, with optional `user:password@` before it. */
export function parseClusterUrl(url: string): { seeds: Seed[]; username?: string; password?: string } {
  const rest = url.slice('redis-cluster://'.length);
  const at = rest.lastIndexOf('@');
  const auth = at >= 0 ? rest.slice(0, at) : '';
  const hosts = (at >= 0 ? rest.slice(at + 1) : rest).replace(/\/.*$/, '');
  const seeds = hosts.split(',').map((hp) => {
    const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(hp.trim());
    if (!m)
      throw rokvError('CONFIG_INVALID', `store: "${hp}" is not HOST:PORT; expected redis-cluster://H1:P1,H2:P2,...`);
    return { host: m[1]!, port: Number(m[2]) };
  });
  const [user, ...pass] = auth.split(':');
  const password = pass.length > 0 ? decodeURIComponent(pass.join(':')) : undefined;
  return {
    seeds,
    ...(user ? { username: decodeURIComponent(user) } : {}),
    ...(password ? { password } : {}),
  };
}

/** Connects to `url`: `redis://` / `rediss://` for one node, `redis-cluster://H1:P1,...` for a cluster. */
export function connectRedis(url: string, options: ConnectOptions): RedisClient {
  if (!STORE_URL_PATTERN.test(url)) {
    throw rokvError('CONFIG_INVALID', `store: expected redis://HOST:PORT or redis-cluster://H1:P1,H2:P2,...`);
  }
  const nodeOptions: RedisOptions = {
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: Math.max(1000, options.commandTimeoutMs),
    // A lookup fails fast instead of waiting through many reconnects: the client retries, not rokv.
    maxRetriesPerRequest: 1,
    enableAutoPipelining: true,
  };
  if (!url.startsWith('redis-cluster://')) {
    return new Redis(url, { ...nodeOptions, retryStrategy: reconnectDelay });
  }
  const { seeds, username, password } = parseClusterUrl(url);
  return new Cluster(seeds, {
    redisOptions: { ...nodeOptions, ...(username ? { username } : {}), ...(password ? { password } : {}) },
    clusterRetryStrategy: reconnectDelay,
    // Commands to slots served by the same nodes go out as one pipeline: batch lookups are grouped by node.
    enableAutoPipelining: true,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 200,
    slotsRefreshTimeout: Math.max(1000, options.commandTimeoutMs),
    // Notices a promoted replica within seconds even when no command hit the dead master.
    slotsRefreshInterval: 2000,
  });
}

/** How long a closing client waits for the servers to answer QUIT before it drops the connections. */
const QUIT_WAIT_MS = 2000;

/** The part of ioredis's Cluster that `closeRedis` needs and its types do not declare. */
interface ClusterInternals {
  isRefreshing: boolean;
  clearNodesRefreshInterval(): void;
}

/**
 * Closes a client so that nothing of it keeps the process alive: QUIT where the servers answer in
 * time (a dead node never does), then every connection dropped. ioredis's Cluster re-arms its
 * slot-refresh timer when a refresh that was in flight during quit() completes, and then refreshes
 * every 2 s forever: once that refresh has settled, the timer is cleared for good.
 */
export async function closeRedis(client: RedisClient): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, QUIT_WAIT_MS)));
  await Promise.race([client.quit().catch(() => undefined), waited]);
  clearTimeout(timer);
  client.disconnect();
  if (!(client instanceof Cluster)) return;
  // Reaches into ioredis's private state (see above); checked so that a release without it fails soft.
  const internals = client as unknown as Partial<ClusterInternals>;
  if (typeof internals.clearNodesRefreshInterval !== 'function') return;
  const settleBy = Date.now() + QUIT_WAIT_MS + Math.max(1000, Number(client.options.slotsRefreshTimeout ?? 0));
  while (internals.isRefreshing === true && Date.now() < settleBy) await new Promise((r) => setTimeout(r, 50));
  internals.clearNodesRefreshInterval();
}

/** `HOST:PORT` (or the seed list) of a store URL, without credentials: for messages. */
export function storeEndpoint(url: string): string {
  return url
    .replace(/^[a-z-]+:\/\//, '')
    .replace(/^[^@/]*@/, '')
    .replace(/\/.*$/, '');
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH']);

/**
 * Turns a failure to reach Redis (refused, unresolvable, timed out: ioredis reports these as a
 * retry limit reached) into the catalog's one line naming the endpoint; other errors pass through.
 * `lastConnectionError` is the client's last `error` event, which says why the connection failed.
 */
export function unreachable(url: string, err: unknown, lastConnectionError?: unknown): unknown {
  const name = (err as Error | undefined)?.name;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const connectionFailed =
    name === 'MaxRetriesPerRequestError' ||
    name === 'ClusterAllFailedError' ||
    (code !== undefined && CONNECTION_CODES.has(code)) ||
    /Connection is closed|connect ETIMEDOUT|Failed to refresh slots cache/.test(
      (err as Error | undefined)?.message ?? '',
    );
  if (!connectionFailed) return err;
  const cause = lastConnectionError ?? err;
  const why = systemErrorWords(cause) ?? (cause as Error).message;
  return rokvError('STORE_UNREACHABLE', storeEndpoint(url), why).withCause(err);
}
