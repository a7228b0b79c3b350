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

/**
 * The one schema for `rokv serve`: flags and environment variables both land here, are validated
 * once at start, and come out typed. Nothing else in rokv reads `process.env`.
 */
export const serveConfigSchema = z.object({
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
  /** Time a client has to send its request headers (slow-header clients are cut off). */
  headersTimeoutMs: positiveInt.default(10_000),
  /** Time a client has to send the whole request. */
  requestTimeoutMs: positiveInt.default(30_000),
  /** How long an idle keep-alive connection stays open; above common load balancer idle timeouts (60 s). */
  keepAliveTimeoutMs: positiveInt.default(72_000),
  /** How long a graceful shutdown waits for in-flight requests before closing connections. */
  shutdownTimeoutMs: positiveInt.default(10_000),
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
  });
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
      `${field}: ${issue.message}; received ${JSON.stringify(cleaned[field as keyof typeof cleaned])}`,
    );
  }
  return result.data;
}

/** The snapshot directory for commands that read one (`get`): `--data`, else `ROKV_DATA`, else none. */
export function dataDirFrom(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return flag ?? (env.ROKV_DATA || undefined);
}
