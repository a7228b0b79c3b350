import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { rokvError } from './errors.js';

/** Store URLs `--store` accepts: one Redis node, or a Redis Cluster by its seed nodes. */
export const STORE_URL_PATTERN = /^(redis|rediss|redis-cluster):\/\/\S+$/;

/** The schema of a store URL, shared by `rokv serve` and `rokv load`. */
export const storeUrl = z
  .string()
  .regex(STORE_URL_PATTERN, 'expected redis://HOST:PORT or redis-cluster://H1:P1,H2:P2,...');

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().min(1);
const nonNegativeInt = z.coerce.number().int().min(0);
/** Booleans from flags (true) or the environment ("true"/"1"/"false"/"0"); z.coerce would read "false" as true. */
const flag = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
  .transform((v) => v === true || v === 'true' || v === '1');

/**
 * The one schema for `rokv serve`: flags and environment variables both land here, are validated
 * once at start, and come out typed. Nothing else in rokv reads `process.env`.
 */
export const serveConfigSchema = z
  .object({
    /** Snapshot directory; undefined means the bundled example data set. */
    data: z.string().min(1).optional(),
    /** A Redis store to serve from instead of a snapshot directory (see docs/scaling.md). */
    store: storeUrl.optional(),
    /** How often a Redis-backed server reads the version pointer that `rokv load` flips. */
    storePollMs: positiveInt.default(1000),
    /** How long one Redis lookup may take before it answers 503. */
    storeTimeoutMs: positiveInt.default(1000),
    port: port.default(8080),
    host: z.string().min(1).default('0.0.0.0'),
    workers: positiveInt.max(1024).default(() => availableParallelism()),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Largest accepted request body, in bytes; one key needs about 50. */
    bodyLimit: positiveInt.default(4096),
    /** Most keys one `POST /get_values` may ask for. */
    batchMaxKeys: positiveInt.default(1000),
    /** Largest accepted `POST /get_values` body, in bytes; 1,000 keys need about 40,000. */
    batchBodyLimit: positiveInt.default(65_536),
    /**
     * Largest `POST /get_values` answer, in bytes; a batch whose answer would be longer gets 413
     * before its answer is allocated (see docs/security.md for the default).
     */
    batchMaxAnswerBytes: positiveInt.default(8 * 1024 * 1024),
    /** How long shared caches may keep a `GET /values/{key}` answer, in seconds (revalidated by ETag after). */
    cacheMaxAgeSeconds: z.coerce.number().int().min(0).default(3600),
    /** Origins allowed to call the API from a browser (CORS); empty means CORS is off. */
    corsOrigins: z.array(z.string().min(1)).default([]),
    /** Time a client has to send its request headers (slow-header clients are cut off). */
    headersTimeoutMs: positiveInt.default(10_000),
    /** Time a client has to send the whole request. */
    requestTimeoutMs: positiveInt.default(30_000),
    /** How long an idle keep-alive connection stays open; above common load balancer idle timeouts (60 s). */
    keepAliveTimeoutMs: positiveInt.default(72_000),
    /** How long a graceful shutdown waits for in-flight requests before closing connections. */
    shutdownTimeoutMs: positiveInt.default(10_000),
    /** Enables the admin API (activate, rollback) for callers sending this bearer token. */
    adminToken: z.string().min(16, 'the admin token needs at least 16 characters').optional(),
    /** Serves the admin API on this port (and `adminHost`) instead of beside the data routes. */
    adminPort: port.optional(),
    /** Address of the separate admin port: loopback unless asked, so admin stays off the network. */
    adminHost: z.string().min(1).default('127.0.0.1'),
    /**
     * What a server checks before swapping in a new version of a data root: `full` also hashes the
     * data files (a stream read, seconds per GB), `quick` only the manifest, pair count and a sample.
     */
    reloadVerify: z.enum(['full', 'quick']).default('full'),
    /** File of accepted API keys, one SHA-256 hex digest a line; watched and reloaded when it changes. */
    apiKeysFile: z.string().min(1).optional(),
    /** Accepted API keys as comma-separated SHA-256 hex digests (for secrets injected as environment). */
    apiKeys: z.string().min(1).optional(),
    /** With API keys on, also close /metrics and /docs (probes always stay open). */
    authOps: flag.default(false),
    /** PEM certificate chain and private key files: both set turn TLS on; reloaded on SIGHUP. */
    tlsCert: z.string().min(1).optional(),
    tlsKey: z.string().min(1).optional(),
    /** Serve HTTP/2 (with HTTP/1.1 fallback) over TLS. */
    http2: flag.default(false),
    /** Open connections a worker accepts; beyond it new ones are closed at once (file descriptors are finite). */
    maxConnections: positiveInt.default(10_000),
    /** Answer 503 with Retry-After when the event loop lags more than this (ms); 0 turns shedding off. */
    maxEventLoopLagMs: nonNegativeInt.default(0),
    /** Requests a client address may make per minute; 0 turns rate limiting off. */
    rateLimit: nonNegativeInt.default(0),
    /**
     * Answer `POST /get_value` and `POST /get_values` on node:http ahead of Fastify's router where no
     * hook applies (see src/http/fast-lane.ts); off sends every request through Fastify, for
     * comparison or debugging.
     */
    fastLane: flag.default(true),
    /**
     * Read batches of an LMDB snapshot with rokv's native batch reader where it is built (see
     * native/rokv-lmdb.c); off reads them through lmdb-js, a call per key, for comparison or debugging.
     */
    nativeReader: flag.default(true),
  })
  .refine((c) => (c.tlsCert === undefined) === (c.tlsKey === undefined), {
    message: 'TLS needs both a certificate and a key',
    path: ['tlsCert'],
  })
  .refine((c) => !c.http2 || c.tlsCert !== undefined, {
    message: 'HTTP/2 is served over TLS only: give --tls-cert and --tls-key',
    path: ['http2'],
  });

/** The validated configuration of `rokv serve`. */
export type ServeConfig = z.infer<typeof serveConfigSchema>;

/** Flags of `rokv serve` as the command line gave them (strings, unvalidated). */
export interface ServeFlags {
  data?: string | undefined;
  store?: string | undefined;
  port?: string | undefined;
  host?: string | undefined;
  workers?: string | undefined;
  logLevel?: string | undefined;
  corsOrigin?: string[] | undefined;
  adminToken?: string | undefined;
  adminPort?: string | undefined;
  adminHost?: string | undefined;
  reloadVerify?: string | undefined;
  apiKeys?: string | undefined;
  authOps?: boolean | undefined;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  http2?: boolean | undefined;
  maxConnections?: string | undefined;
  maxEventLoopLagMs?: string | undefined;
  rateLimit?: string | undefined;
  headersTimeoutMs?: string | undefined;
  batchMaxAnswerBytes?: string | undefined;
  fastLane?: boolean | undefined;
  nativeReader?: boolean | undefined;
}

/** Merges flags over environment variables over defaults and validates the result once. */
export function loadServeConfig(flags: ServeFlags, env: NodeJS.ProcessEnv): ServeConfig {
  const pick = (flag: string | undefined, name: string): string | undefined => flag ?? (env[name] || undefined);
  return parseServeConfig({
    data: dataDirFrom(flags.data, env),
    store: pick(flags.store, 'ROKV_STORE'),
    port: pick(flags.port, 'PORT'),
    host: pick(flags.host, 'HOST'),
    workers: pick(flags.workers, 'ROKV_WORKERS'),
    logLevel: pick(flags.logLevel, 'ROKV_LOG_LEVEL'),
    corsOrigins: flags.corsOrigin ?? listFrom(env.ROKV_CORS_ORIGINS),
    bodyLimit: env.ROKV_BODY_LIMIT || undefined,
    batchBodyLimit: env.ROKV_BATCH_BODY_LIMIT || undefined,
    batchMaxKeys: env.ROKV_BATCH_MAX_KEYS || undefined,
    batchMaxAnswerBytes: pick(flags.batchMaxAnswerBytes, 'ROKV_BATCH_MAX_ANSWER_BYTES'),
    cacheMaxAgeSeconds: env.ROKV_CACHE_MAX_AGE || undefined,
    adminToken: pick(flags.adminToken, 'ROKV_ADMIN_TOKEN'),
    adminPort: pick(flags.adminPort, 'ROKV_ADMIN_PORT'),
    adminHost: pick(flags.adminHost, 'ROKV_ADMIN_HOST'),
    reloadVerify: pick(flags.reloadVerify, 'ROKV_RELOAD_VERIFY'),
    apiKeysFile: pick(flags.apiKeys, 'ROKV_API_KEYS_FILE'),
    apiKeys: env.ROKV_API_KEYS || undefined,
    authOps: flags.authOps ?? (env.ROKV_AUTH_OPS || undefined),
    tlsCert: pick(flags.tlsCert, 'ROKV_TLS_CERT'),
    tlsKey: pick(flags.tlsKey, 'ROKV_TLS_KEY'),
    http2: flags.http2 ?? (env.ROKV_HTTP2 || undefined),
    maxConnections: pick(flags.maxConnections, 'ROKV_MAX_CONNECTIONS'),
    maxEventLoopLagMs: pick(flags.maxEventLoopLagMs, 'ROKV_MAX_EVENT_LOOP_LAG_MS'),
    rateLimit: pick(flags.rateLimit, 'ROKV_RATE_LIMIT'),
    headersTimeoutMs: pick(flags.headersTimeoutMs, 'ROKV_HEADERS_TIMEOUT_MS'),
    fastLane: flags.fastLane ?? (env.ROKV_FAST_LANE || undefined),
    nativeReader: flags.nativeReader ?? (env.ROKV_NATIVE_READER || undefined),
  });
}

/** Splits a comma-separated environment list; empty or unset gives undefined (the default). */
function listFrom(text: string | undefined): string[] | undefined {
  const items = (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return items.length === 0 ? undefined : items;
}

/** Validates an already assembled configuration object (from flags, a worker's hand-over, or tests). */
export function parseServeConfig(input: Record<string, unknown>): ServeConfig {
  const cleaned = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const result = serveConfigSchema.safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.join('.') || 'config';
    throw rokvError(
      'CONFIG_INVALID',
      `${field}: ${issue.message}; received ${field === 'adminToken' ? 'a secret (not shown)' : JSON.stringify(cleaned[field as keyof typeof cleaned])}`,
    );
  }
  return result.data;
}

/** The snapshot directory for commands that read one (`get`): `--data`, else `ROKV_DATA`, else none. */
export function dataDirFrom(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return flag ?? (env.ROKV_DATA || undefined);
}
