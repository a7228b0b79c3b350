import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from 'pino';
import type { ServeConfig } from '../config.js';
import { RokvError, rokvError } from '../errors.js';
import type { AdminActions, AdminOutcome } from '../http/admin.js';
import type { VersionReport } from '../http/probes.js';
import { removeLease, writeLease } from '../snapshot/leases.js';
import { checkSnapshotTo } from '../snapshot/verify.js';
import { switchVersion } from '../snapshot/switch-version.js';
import {
  readRootIndex,
  ROOT_FILE,
  versionDir,
  withCurrent,
  withRollback,
  type RootIndex,
} from '../snapshot/versions.js';
import { LmdbStore } from '../store/lmdb.js';
import { SwappableStore } from '../store/swappable.js';

/** How often the pointer is re-read in case a file-watch event was missed (network filesystems). */
const POLL_MS = 2_000;

/** What a server reports about its versions (what serves, the last version it refused), and its root. */
export interface ReloadStatus extends VersionReport {
  root: string;
}

/**
 * Keeps a server on the current version of a data root. It notices a pointer change (file watch,
 * a slow poll, SIGHUP or an admin call), opens and checks the new version, and only then swaps it
 * in; a version that fails its checks is refused, logged and reported, and the old one keeps
 * serving. The process's lease lists every version it still has open, so pruning spares them.
 */
export class VersionReloader implements AdminActions {
  readonly store: SwappableStore;
  private version: string;
  private readonly open = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  private pending = false;
  private watcher: FSWatcher | undefined;
  private poller: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly counts = { swaps: 0, refusals: 0 };
  private lastRefusal: ReloadStatus['lastRefusal'] = null;

  private constructor(
    private readonly root: string,
    version: string,
    initial: LmdbStore,
    private readonly config: OpenOptions,
    private readonly logger: Logger,
  ) {
    this.version = version;
    this.store = new SwappableStore(initial);
    this.hold(version);
  }

  /**
   * Opens version `version` of `root` and starts following the pointer. The start check at
   * `config.verify` is the caller's (`rokv serve` runs it once, before forking workers): here the
   * first version gets the quick check, every later swap the configured one.
   */
  static async start(root: string, version: string, config: OpenOptions, logger: Logger): Promise<VersionReloader> {
    const store = await openVersion(root, version, { ...config, verify: 'quick' });
    const reloader = new VersionReloader(root, version, store, config, logger);
    reloader.follow();
    return reloader;
  }

  /** Re-reads the pointer and swaps if it moved; never throws (a refusal is logged and reported). */
  reload(trigger: 'watch' | 'poll' | 'signal'): Promise<void> {
    if (this.pending) return this.queue.then(() => undefined);
    this.pending = true;
    return this.serial(async () => {
      this.pending = false;
      let index: RootIndex;
      try {
        index = await readRootIndex(this.root);
      } catch (err) {
        this.logger.error(
          { err: (err as Error).message, trigger },
          'cannot read the data root pointer; keeping the current version',
        );
        return;
      }
      const target = index.current;
      if (target === null || target === this.version) return;
      // A refused version is retried when the pointer is written again or on SIGHUP, not on every poll.
      if (trigger === 'poll' && this.lastRefusal?.version === target) return;
      try {
        await this.install(target, await this.openHeld(target), trigger);
      } catch (err) {
        this.refuse(target, err);
      }
    }).catch(() => undefined);
  }

  /** Admin: verifies version `id`, makes it current in the pointer (other workers follow), swaps to it. */
  activate(id: string): Promise<AdminOutcome> {
    return this.serial(() => this.switchTo((index) => withCurrent(index, this.root, id), 'admin activate'));
  }

  /** Admin: goes back to the previous version, verified first. */
  rollback(): Promise<AdminOutcome> {
    return this.serial(() => this.switchTo((index) => withRollback(index, this.root), 'admin rollback'));
  }

  /** What this process serves and what it refused last. */
  status(): ReloadStatus {
    return { root: this.root, version: this.version, ...this.counts, lastRefusal: this.lastRefusal };
  }

  /** Stops following the pointer, closes the store (after running lookups) and drops the lease. */
  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.close();
    clearInterval(this.poller);
    await this.queue.catch(() => undefined);
    await this.store.close();
    try {
      removeLease(this.root);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'cannot remove the lease of this process');
    }
  }

  private async switchTo(next: (index: RootIndex) => RootIndex, trigger: string): Promise<AdminOutcome> {
    const previous = this.version;
    const open = (version: string): Promise<LmdbStore> =>
      this.openHeld(version).catch((err: unknown) => {
        throw this.refuse(version, err);
      });
    const discard = async (store: LmdbStore, version: string): Promise<void> => {
      await store.close();
      this.forget(version);
    };
    const { version, checked: store } = await switchVersion(this.root, next, open, discard);
    if (version !== this.version) await this.install(version, store, trigger);
    else await store.close();
    return { version, previous };
  }

  private async install(version: string, store: LmdbStore, trigger: string): Promise<void> {
    const old = this.version;
    this.version = version;
    this.counts.swaps++;
    this.logger.info({ from: old, to: version, pairs: store.info().count, trigger }, `now serving version ${version}`);
    void this.store.swap(store).then(
      () => this.forget(old),
      (err: unknown) => {
        this.logger.error({ err, version: old }, 'closing the replaced version failed');
        this.forget(old);
      },
    );
  }

  /** Opens a version with it already on the lease, so a prune running meanwhile spares it. */
  private async openHeld(version: string): Promise<LmdbStore> {
    this.hold(version);
    try {
      return await openVersion(this.root, version, this.config);
    } catch (err) {
      this.forget(version);
      throw err;
    }
  }

  private hold(version: string): void {
    this.open.add(version);
    this.writeLease();
  }

  private forget(version: string): void {
    if (version === this.version || this.closed) return;
    this.open.delete(version);
    this.writeLease();
  }

  private writeLease(): void {
    try {
      writeLease(this.root, [...this.open]);
    } catch (err) {
      // A read-only root still serves; only pruning loses the knowledge of what is open here.
      this.logger.warn({ err: (err as Error).message }, 'cannot record the open versions in the data root');
    }
  }

  private refuse(version: string, err: unknown): RokvError {
    const reason = err instanceof Error ? err.message : String(err);
    this.counts.refusals++;
    this.lastRefusal = { version, reason, at: new Date().toISOString() };
    this.logger.error({ version, reason }, `refused version ${version}; still serving ${this.version}`);
    return rokvError('VERSION_REFUSED', version, reason);
  }

  private follow(): void {
    try {
      this.watcher = watch(this.root, (_event, name) => {
        if (name === ROOT_FILE) void this.reload('watch');
      });
      this.watcher.on('error', (err) => this.logger.warn({ err }, 'watching the data root failed; polling only'));
      this.watcher.unref();
    } catch (err) {
      this.logger.warn({ err }, 'cannot watch the data root; polling only');
    }
    this.poller = setInterval(() => void this.reload('poll'), POLL_MS);
    this.poller.unref();
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** What opening a version depends on: how much to verify, and which reader reads batches. */
type OpenOptions = Pick<ServeConfig, 'verify' | 'nativeReader'>;

/** Opens a version after the checks a swap needs; any failure is a catalog error saying why. */
async function openVersion(root: string, id: string, config: OpenOptions): Promise<LmdbStore> {
  const dir = versionDir(root, id);
  const manifest = await checkSnapshotTo(dir, config.verify);
  if (manifest.id !== id)
    throw rokvError('SNAPSHOT_CORRUPT', dir, `its manifest id ${manifest.id} is not the version id ${id}`);
  return LmdbStore.open(dir, { nativeReader: config.nativeReader });
}
