// The option table of `rokv serve` (flag, env, schema, default, help of every option) and the config
// validated from it. Over 250 lines because the table lists every serve option, one entry each: one
// concern, and the one place each option is stated.
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import {
  choice,
  integer,
  list,
  option,
  portNumber,
  rawOptions,
  tableSchema,
  text,
  toggle,
  validateOptions,
  type OptionTable,
} from './options.js';

/** Store URLs `--store` accepts: one Redis node, or a Redis Cluster by its seed nodes. */
export const STORE_URL_PATTERN = /^(redis|rediss|redis-cluster):\/\/\S+$/;

/** A store URL, shared by `rokv serve` and `rokv load`. */
export const storeUrl = () => ({
  kind: 'string' as const,
  schema: z.string().regex(STORE_URL_PATTERN),
  expects: 'redis://HOST:PORT, rediss://HOST:PORT or redis-cluster://H1:P1,H2:P2,...',
});

/** `--data` of the commands that read a snapshot (`serve`, `get`). */
export const dataOption = option({
  flag: 'data',
  env: 'ROKV_DATA',
  value: 'DIR|ROOT',
  ...text('a snapshot directory or a data root'),
  help: 'snapshot directory, or data root whose current version is served',
  defaultText: 'the bundled example data set',
});

/**
 * Every option of `rokv serve`: flags and environment variables both land here, are validated once
 * at start, and come out typed. Nothing else in rokv reads `process.env`.
 */
export const serveOptions = {
  data: dataOption,
  store: option({
    flag: 'store',
    env: 'ROKV_STORE',
    value: 'URL',
    ...storeUrl(),
    help: 'serve from a Redis store filled by `rokv load` instead of a snapshot (docs/scaling.md)',
  }),
  storePollMs: option({
    flag: 'store-poll-ms',
    env: 'ROKV_STORE_POLL_MS',
    value: 'MS',
    ...integer(1),
    default: 1000,
    help: 'how often a Redis-backed server reads the version pointer that `rokv load` flips',
  }),
  storeTimeoutMs: option({
    flag: 'store-timeout-ms',
    env: 'ROKV_STORE_TIMEOUT_MS',
    value: 'MS',
    ...integer(1),
    default: 1000,
    help: 'how long one Redis lookup may take before it answers 503',
  }),
  port: option({
    flag: 'port',
    short: 'p',
    env: 'PORT',
    value: 'PORT',
    ...portNumber(),
    default: 8080,
    help: 'TCP port to listen on (0 picks a free one)',
  }),
  host: option({
    flag: 'host',
    env: 'HOST',
    value: 'HOST',
    ...text('an address or host name'),
    default: '0.0.0.0',
    help: 'address to listen on (0.0.0.0: every IPv4 interface; 127.0.0.1: this machine only)',
  }),
  workers: option({
    flag: 'workers',
    short: 'w',
    env: 'ROKV_WORKERS',
    value: 'N',
    ...integer(1, 1024, 'a worker count'),
    default: () => availableParallelism(),
    defaultText: 'the number of CPUs',
    help: 'processes serving the same port and sharing one mapped snapshot',
  }),
  logLevel: option({
    flag: 'log-level',
    env: 'ROKV_LOG_LEVEL',
    value: 'LEVEL',
    ...choice(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    help: 'least severe log level written (JSON lines on stdout)',
  }),
  bodyLimit: option({
    flag: 'body-limit',
    env: 'ROKV_BODY_LIMIT',
    value: 'BYTES',
    ...integer(1),
    default: 4096,
    help: 'largest accepted request body in bytes (one key needs about 50)',
  }),
  batchMaxKeys: option({
    flag: 'batch-max-keys',
    env: 'ROKV_BATCH_MAX_KEYS',
    value: 'N',
    ...integer(1),
    default: 1000,
    help: 'most keys one POST /get_values may ask for',
  }),
  batchBodyLimit: option({
    flag: 'batch-body-limit',
    env: 'ROKV_BATCH_BODY_LIMIT',
    value: 'BYTES',
    ...integer(1),
    default: 65_536,
    help: 'largest accepted POST /get_values body in bytes (1,000 keys need about 40,000)',
  }),
  batchMaxAnswerBytes: option({
    flag: 'batch-max-answer-bytes',
    env: 'ROKV_BATCH_MAX_ANSWER_BYTES',
    value: 'BYTES',
    ...integer(1),
    default: 8 * 1024 * 1024,
    help: 'largest POST /get_values answer in bytes: a batch whose values add up to more is refused with 413 before its answer is allocated (docs/security.md)',
  }),
  cacheMaxAgeSeconds: option({
    flag: 'cache-max-age',
    env: 'ROKV_CACHE_MAX_AGE',
    value: 'S',
    ...integer(0),
    default: 3600,
    help: 'how long shared caches may keep a GET /values/{key} answer, in seconds (revalidated by ETag after)',
  }),
  corsOrigins: option({
    flag: 'cors-origin',
    env: 'ROKV_CORS_ORIGINS',
    value: 'ORIGIN',
    ...list('origins such as https://app.example.com'),
    default: [],
    defaultText: 'none: CORS off',
    help: 'origin allowed to call the API from a browser; repeat the flag, or comma-separate in the variable',
  }),
  headersTimeoutMs: option({
    flag: 'headers-timeout-ms',
    env: 'ROKV_HEADERS_TIMEOUT_MS',
    value: 'MS',
    ...integer(1),
    default: 10_000,
    help: 'time a client has to send its request headers (slow-header clients are cut off)',
  }),
  requestTimeoutMs: option({
    flag: 'request-timeout-ms',
    env: 'ROKV_REQUEST_TIMEOUT_MS',
    value: 'MS',
    ...integer(1),
    default: 30_000,
    help: 'time a client has to send the whole request',
  }),
  keepAliveTimeoutMs: option({
    flag: 'keep-alive-timeout-ms',
    env: 'ROKV_KEEP_ALIVE_TIMEOUT_MS',
    value: 'MS',
    ...integer(1),
    default: 72_000,
    help: 'how long an idle keep-alive connection stays open (above common load balancer idle timeouts, 60 s)',
  }),
  shutdownTimeoutMs: option({
    flag: 'shutdown-timeout-ms',
    env: 'ROKV_SHUTDOWN_TIMEOUT_MS',
    value: 'MS',
    ...integer(1),
    default: 10_000,
    help: 'how long a graceful shutdown waits for in-flight requests before closing connections',
  }),
  adminToken: option({
    flag: 'admin-token',
    env: 'ROKV_ADMIN_TOKEN',
    value: 'TOKEN',
    kind: 'string',
    schema: z.string().min(16),
    expects: 'a token of at least 16 characters',
    secret: true,
    help: 'turns the admin API (activate, rollback) on for callers sending this bearer token',
  }),
  adminPort: option({
    flag: 'admin-port',
    env: 'ROKV_ADMIN_PORT',
    value: 'PORT',
    ...portNumber(),
    help: 'serves the admin API on this port (and --admin-host) instead of beside the data routes',
  }),
  adminHost: option({
    flag: 'admin-host',
    env: 'ROKV_ADMIN_HOST',
    value: 'HOST',
    ...text('an address or host name'),
    default: '127.0.0.1',
    help: 'address of the separate admin port: loopback unless asked, so admin stays off the network',
  }),
  verify: option({
    flag: 'verify',
    env: 'ROKV_VERIFY',
    value: 'MODE',
    ...choice(['full', 'quick']),
    default: 'full',
    help: 'check of a snapshot before it serves, at start and before each swap: full hashes the data files and reads every pair (count, checksum, each value a JSON string of valid UTF-8); quick only the manifest, file sizes, count and a sample, for very large data (docs/security.md)',
  }),
  apiKeysFile: option({
    flag: 'api-keys',
    env: 'ROKV_API_KEYS_FILE',
    value: 'FILE',
    ...text('a file path'),
    help: 'file of accepted API keys, one SHA-256 hex digest a line; watched and reloaded when it changes',
  }),
  apiKeys: option({
    flag: 'api-key-digests',
    env: 'ROKV_API_KEYS',
    value: 'DIGESTS',
    ...text('comma-separated SHA-256 hex digests'),
    secret: true,
    help: 'accepted API keys as comma-separated SHA-256 hex digests (for secrets injected as environment)',
  }),
  authOps: option({
    flag: 'auth-ops',
    env: 'ROKV_AUTH_OPS',
    ...toggle(),
    default: false,
    help: 'with API keys on, also close /metrics and /docs (probes always stay open)',
  }),
  tlsCert: option({
    flag: 'tls-cert',
    env: 'ROKV_TLS_CERT',
    value: 'FILE',
    ...text('a PEM file path'),
    help: 'PEM certificate chain; with --tls-key turns TLS on; reloaded on SIGHUP',
  }),
  tlsKey: option({
    flag: 'tls-key',
    env: 'ROKV_TLS_KEY',
    value: 'FILE',
    ...text('a PEM file path'),
    help: 'PEM private key of --tls-cert',
  }),
  http2: option({
    flag: 'http2',
    env: 'ROKV_HTTP2',
    ...toggle(),
    default: false,
    help: 'serve HTTP/2 (with HTTP/1.1 fallback) over TLS',
  }),
  maxConnections: option({
    flag: 'max-connections',
    env: 'ROKV_MAX_CONNECTIONS',
    value: 'N',
    ...integer(1),
    default: 10_000,
    help: 'open connections a worker accepts; beyond it new ones are closed at once',
  }),
  maxEventLoopLagMs: option({
    flag: 'max-lag-ms',
    env: 'ROKV_MAX_EVENT_LOOP_LAG_MS',
    value: 'MS',
    ...integer(0),
    default: 0,
    help: 'answer 503 with Retry-After when the event loop lags more than this; 0 turns shedding off',
  }),
  rateLimit: option({
    flag: 'rate-limit',
    env: 'ROKV_RATE_LIMIT',
    value: 'N',
    ...integer(0),
    default: 0,
    help: 'requests a client address may make per minute; 0 turns rate limiting off',
  }),
  fastLane: option({
    flag: 'no-fast-lane',
    env: 'ROKV_FAST_LANE',
    negates: true,
    ...toggle(),
    default: true,
    defaultText: 'on',
    help: 'send POST /get_value and /get_values through Fastify too instead of answering them on node:http ahead of its router where no hook applies (for comparison or debugging)',
  }),
  nativeReader: option({
    flag: 'no-native-reader',
    env: 'ROKV_NATIVE_READER',
    negates: true,
    ...toggle(),
    default: true,
    defaultText: 'on',
    help: "read LMDB batches through lmdb-js, a call per key, instead of rokv's native batch reader (for comparison or debugging)",
  }),
  warmUp: option({
    flag: 'warm-up',
    env: 'ROKV_WARM_UP',
    value: 'MODE',
    ...choice(['auto', 'index', 'full', 'off']),
    default: 'auto',
    help: 'what a snapshot server reads into the page cache before /readyz says ready: index (every branch page of the B-tree), full (the whole data file), auto (full when it takes at most half the memory, else index), off',
  }),
} satisfies OptionTable;

/** The one schema for `rokv serve`: every option's schema plus the checks that span options. */
export const serveConfigSchema = tableSchema(serveOptions)
  .refine((c) => (c.tlsCert === undefined) === (c.tlsKey === undefined), {
    message: 'TLS needs both a certificate and a key: give --tls-cert and --tls-key',
    path: ['tlsCert'],
  })
  .refine((c) => !c.http2 || c.tlsCert !== undefined, {
    message: 'HTTP/2 is served over TLS only: give --tls-cert and --tls-key',
    path: ['http2'],
  });

/** The validated configuration of `rokv serve`. */
export type ServeConfig = z.output<typeof serveConfigSchema>;

/** Merges flags (as the command line parser gives them, by flag name) over environment variables over defaults, and validates once. */
export function loadServeConfig(flags: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv): ServeConfig {
  return parseServeConfig(rawOptions(serveOptions, flags, env));
}

/** Validates an already assembled configuration object (a worker's hand-over, or tests). */
export function parseServeConfig(input: Record<string, unknown>): ServeConfig {
  return validateOptions(serveOptions, serveConfigSchema, input);
}
