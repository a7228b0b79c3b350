import { preview, rokvError, type HttpError } from '../errors.js';
import type { ManifestInfo } from '../snapshot/manifest.js';
import { isVersionId } from '../snapshot/version-id.js';
import { closeRedis, connectRedis, unreachable, type RedisClient } from './redis-connect.js';
import { bucketKey, bucketOf, CURRENT_KEY, decodeMeta, fieldOf, metaKey, type VersionMeta } from './redis-layout.js';
import type { Store } from './store.js';

/** Tuning of a Redis-backed store. */
export interface RedisStoreOptions {
  /** How often the version pointer is read, so a `rokv load` flip reaches every server in about this time. */
  pollMs: number;
  /** How long one lookup may take before it answers 503 instead of hanging. */
  commandTimeoutMs: number;
  /** Told about connection trouble and version switches (the server logs them). */
  onEvent?: (event: { msg: string; err?: unknown; version?: string }) => void;
}

/** Health of the store, for a readiness probe. */
export interface RedisStoreHealth {
  ready: boolean;
  /** The client's connection status (`ready`, `connecting`, `reconnecting`, ...). */
  status: string;
  version: string;
}

/** Reads the version pointer and that version's meta; throws STORE_NOT_LOADED when there is none. */
async function readActive(client: RedisClient): Promise<VersionMeta> {
  const version = await client.get(CURRENT_KEY);
  if (version === null) throw rokvError('STORE_NOT_LOADED', `${CURRENT_KEY} is not set`);
  if (!isVersionId(version))
    throw rokvError('STORE_NOT_LOADED', `${CURRENT_KEY} holds ${preview(version)}, not a version id`);
  const meta = decodeMeta(await client.hgetall(metaKey(version)));
  if (meta === undefined || !meta.complete) {
    throw rokvError('STORE_NOT_LOADED', `${CURRENT_KEY} names version ${version}, whose load is not complete`);
  }
  return meta;
}

function toInfo(meta: VersionMeta): ManifestInfo {
  return {
    id: meta.version,
    count: meta.count,
    createdAt: meta.createdAt,
    source: meta.source,
    formatVersion: meta.formatVersion,
  };
}

/**
 * The shared engine: pairs in a Redis node or Redis Cluster, laid out by redis-layout.ts. Every
 * lookup is one HGET; the client pipelines concurrent ones per node. A failed or timed-out command
 * becomes STORE_UNAVAILABLE (503) for that lookup only. The version pointer is polled, and a new
 * complete version is switched to between lookups, so a `rokv load` flip fails no request.
 */
export class RedisStore implements Store {
  private active: VersionMeta;
  private info_: ManifestInfo;
  private readonly poller: NodeJS.Timeout;
  private polling = false;

  private constructor(
    private readonly client: RedisClient,
    active: VersionMeta,
    private readonly options: RedisStoreOptions,
  ) {
    this.active = active;
    this.info_ = toInfo(active);
    this.poller = setInterval(() => void this.poll(), options.pollMs);
    this.poller.unref();
  }

  /** Connects to `url` and reads the active version; throws a catalog error when none is loaded. */
  static async open(url: string, options: RedisStoreOptions): Promise<RedisStore> {
    const client = connectRedis(url, { commandTimeoutMs: options.commandTimeoutMs });
    // Without a listener ioredis prints every connection error; the server logs them its own way.
    let lastError: unknown;
    client.on('error', (err: unknown) => {
      lastError = err;
      options.onEvent?.({ msg: 'redis connection error', err });
    });
    try {
      return new RedisStore(client, await readActive(client), options);
    } catch (err) {
      client.disconnect();
      throw unreachable(url, err, lastError);
    }
  }

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const { version, bits } = this.active;
    const lookup = this.client.hgetBuffer(bucketKey(version, bucketOf(key, bits)), fieldOf(key, bits));
    // The client's own command timeout does not cover commands it queues while the cluster is
    // unreachable or re-discovering its slots: this deadline does, so a lookup never hangs.
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(this.unavailable(new Error(`lookup timed out after ${this.options.commandTimeoutMs} ms`))),
        this.options.commandTimeoutMs,
      );
      lookup.then(
        (value) => {
          clearTimeout(timer);
          resolve(value ?? undefined);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(this.unavailable(err));
        },
      );
    });
  }

  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    // Issued together, the HGETs are grouped by node into one pipeline each by the client.
    return Promise.all(keys.map((key) => this.get(key)));
  }

  info(): ManifestInfo {
    return this.info_;
  }

  /** Whether lookups can be answered now, for `/readyz`. */
  health(): RedisStoreHealth {
    return { ready: this.client.status === 'ready', status: this.client.status, version: this.active.version };
  }

  async close(): Promise<void> {
    clearInterval(this.poller);
    await closeRedis(this.client);
  }

  private unavailable(err: unknown): HttpError {
    // The cause stays for the server's log; the client's body says nothing internal.
    return Object.assign(rokvError('STORE_UNAVAILABLE'), { cause: err });
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const version = await this.client.get(CURRENT_KEY);
      if (version === null || version === this.active.version) return;
      const next = await readActive(this.client);
      this.active = next;
      this.info_ = toInfo(next);
      this.options.onEvent?.({ msg: 'switched to a new data set version', version: next.version });
    } catch (err) {
      this.options.onEvent?.({ msg: 'could not read the data set version', err });
    } finally {
      this.polling = false;
    }
  }
}
