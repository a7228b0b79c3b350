import { setTimeout as sleep } from 'node:timers/promises';
import { rokvError } from '../errors.js';
import { openDataFile, type DataFile } from '../snapshot/lmdb-file.js';
import { checkSnapshot } from '../snapshot/verify.js';
import { closeRedis, connectRedis, unreachable, type RedisClient } from './redis-connect.js';
import {
  bucketBitsFor,
  bucketCount,
  bucketKey,
  bucketOf,
  CURRENT_KEY,
  decodeMeta,
  encodeMeta,
  fieldOf,
  metaKey,
  VERSIONS_KEY,
  type VersionMeta,
} from './redis-layout.js';

/** Options of `rokv load`. */
export interface LoadOptions {
  /** Versions to keep, the active one included; older ones are removed after the flip. */
  keep: number;
  /** Wait between the flip and removing old versions, so every server has polled the new pointer. */
  graceMs: number;
  /** Commands in flight at once while writing. */
  window: number;
  /** Pairs read back and compared before the flip. */
  sample: number;
  /** Progress lines for the operator. */
  log?: (line: string) => void;
}

/** What a load did. */
export interface LoadResult {
  version: string;
  count: number;
  /** False when this version was already loaded and complete: only the pointer moved. */
  written: boolean;
  seconds: number;
  pairsPerSecond: number;
  removed: string[];
}

/** Keeps at most `size` commands in flight: `add` waits for a full window to settle before it returns. */
class Window {
  private pending: Promise<unknown>[] = [];
  constructor(private readonly size: number) {}

  async add(command: Promise<unknown>): Promise<void> {
    this.pending.push(command);
    if (this.pending.length >= this.size) await this.drain();
  }

  async drain(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    await Promise.all(batch);
  }
}

/** Where a load writes, what it reads from, and how many commands it keeps in flight. */
interface LoadTarget {
  client: RedisClient;
  db: DataFile;
  window: number;
}

/** Sends `command(b)` for every bucket of a `bits`-bit version, `window` at a time, and waits for all. */
async function forEachBucket(
  bits: number,
  window: number,
  command: (bucket: number) => Promise<unknown>,
): Promise<void> {
  const inflight = new Window(window);
  for (let b = 0; b < bucketCount(bits); b++) await inflight.add(command(b));
  await inflight.drain();
}

/** Writes every pair of the snapshot as one HSET per bucket; keys come in order, so a bucket's pairs are adjacent. */
async function writeBuckets({ client, db, window }: LoadTarget, version: string, bits: number): Promise<number> {
  const inflight = new Window(window);
  let count = 0;
  let bucket = -1;
  let args: Buffer[] = [];
  const flush = async (): Promise<void> => {
    if (args.length > 0) await inflight.add(client.hset(bucketKey(version, bucket), ...args));
    args = [];
  };
  for (const { key, value } of db.getRange({})) {
    const b = bucketOf(key, bits);
    if (b !== bucket) {
      await flush();
      bucket = b;
    }
    // Copies: the client may serialise the command after LMDB reused the buffers.
    args.push(fieldOf(key, bits), Buffer.from(value));
    count++;
  }
  await flush();
  await inflight.drain();
  return count;
}

/** Checks a loaded version against the snapshot: total field count and a spread sample of values. */
async function verifyLoaded({ client, db, window }: LoadTarget, meta: VersionMeta, sample: number): Promise<void> {
  let total = 0;
  await forEachBucket(meta.bits, window, (b) => client.hlen(bucketKey(meta.version, b)).then((n) => (total += n)));
  if (total !== meta.count) {
    throw rokvError('LOAD_VERIFY_FAILED', meta.version, `Redis holds ${total} pairs, the snapshot ${meta.count}`);
  }
  const stride = Math.max(1, Math.floor(meta.count / Math.max(1, sample)));
  let i = 0;
  const checks: Promise<void>[] = [];
  for (const { key, value } of db.getRange({})) {
    if (i++ % stride !== 0) continue;
    const expected = Buffer.from(value);
    const field = fieldOf(key, meta.bits);
    checks.push(
      client.hgetBuffer(bucketKey(meta.version, bucketOf(key, meta.bits)), field).then((got) => {
        if (got === null || !got.equals(expected)) {
          throw rokvError('LOAD_VERIFY_FAILED', meta.version, 'a sampled value differs from the snapshot');
        }
      }),
    );
  }
  await Promise.all(checks);
}

/** Removes every key of `version`: its buckets with UNLINK in batches (never KEYS or FLUSHALL), then its meta. */
export async function removeVersion(client: RedisClient, version: string, window: number): Promise<void> {
  const meta = decodeMeta(await client.hgetall(metaKey(version)));
  // One key per UNLINK: a multi-key UNLINK fails in a cluster when the keys sit in different slots.
  if (meta !== undefined) await forEachBucket(meta.bits, window, (b) => client.unlink(bucketKey(version, b)));
  await client.unlink(metaKey(version));
  await client.zrem(VERSIONS_KEY, version);
}

/**
 * Loads the snapshot at `dir` into Redis as a new version beside the served one, verifies it, flips
 * the version pointer (one atomic SET; servers poll it), then removes versions beyond `keep`.
 */
export async function loadSnapshot(dir: string, url: string, options: LoadOptions): Promise<LoadResult> {
  const log = options.log ?? (() => {});
  const manifest = await checkSnapshot(dir);
  const version = manifest.id;
  const client = connectRedis(url, { commandTimeoutMs: 60_000 });
  // The last connection error says why Redis cannot be reached; a failed command only says it gave up.
  let lastError: unknown;
  client.on('error', (err: unknown) => (lastError = err));
  const db = openDataFile(dir);
  try {
    const meta: VersionMeta = {
      version,
      bits: bucketBitsFor(manifest.count),
      count: manifest.count,
      checksum: manifest.checksum,
      createdAt: manifest.createdAt,
      source: manifest.source,
      formatVersion: manifest.formatVersion,
      complete: false,
    };
    const started = process.hrtime.bigint();
    const existing = decodeMeta(await client.hgetall(metaKey(version)));
    const written = existing?.complete !== true;
    if (written) {
      // Registered before any data, so a load that dies half way is still found and removed by --keep.
      await client.zadd(VERSIONS_KEY, Date.now(), version);
      await client.hset(metaKey(version), encodeMeta(meta));
      log(`loading ${manifest.count} pairs as version ${version} (${bucketCount(meta.bits)} buckets)`);
      const target = { client, db, window: options.window };
      await writeBuckets(target, version, meta.bits);
      await verifyLoaded(target, meta, options.sample);
      await client.hset(metaKey(version), 'complete', '1');
    } else {
      log(`version ${version} is already loaded; activating it`);
      await client.zadd(VERSIONS_KEY, Date.now(), version);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await client.set(CURRENT_KEY, version);
    log(`activated version ${version}`);

    const versions = await client.zrevrange(VERSIONS_KEY, 0, -1);
    const stale = versions.filter((v) => v !== version).slice(Math.max(0, options.keep - 1));
    if (stale.length > 0) {
      await sleep(options.graceMs);
      for (const old of stale) {
        await removeVersion(client, old, options.window);
        log(`removed version ${old}`);
      }
    }
    return {
      version,
      count: manifest.count,
      written,
      seconds,
      pairsPerSecond: written && seconds > 0 ? manifest.count / seconds : 0,
      removed: stale,
    };
  } catch (err) {
    throw unreachable(url, err, lastError);
  } finally {
    await db.close();
    await closeRedis(client);
  }
}
