import type { Logger } from 'pino';

/** Something a SIGHUP re-reads: certificates, API keys, the data root pointer. */
export type Reloader = () => void | Promise<void>;

/**
 * The signals of one server process, owned by the server: SIGHUP runs every registered reloader
 * (certificates, API keys, the data root's version), one failing not stopping the others; SIGTERM
 * and SIGINT stop the server gracefully. Nothing is installed on the process until `listen`.
 */
export class ServerSignals {
  private readonly reloaders = new Map<string, Reloader>();

  constructor(private readonly logger: Logger) {}

  /** Registers `reload` under `name` to run on SIGHUP. */
  onReload(name: string, reload: Reloader): void {
    this.reloaders.set(name, reload);
  }

  /** Runs every registered reloader in registration order and logs what each did. */
  async reload(): Promise<void> {
    if (this.reloaders.size === 0) this.logger.info('SIGHUP: nothing to reload');
    for (const [name, reload] of this.reloaders) {
      try {
        await reload();
        this.logger.info({ reload: name }, `reloaded ${name}`);
      } catch (err) {
        this.logger.error({ reload: name, err }, `reload of ${name} failed; keeping the previous one`);
      }
    }
  }

  /**
   * Installs the process's handlers: SIGHUP reloads; the first SIGTERM or SIGINT runs `close` and
   * exits 0 (1 if closing failed). Returns a function that removes them again.
   */
  listen(close: () => Promise<void>): () => void {
    let stopping = false;
    const onHup = (): void => void this.reload();
    const onStop = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      this.logger.info({ signal }, 'shutting down: finishing in-flight requests');
      close().then(
        () => process.exit(0),
        (err: unknown) => {
          this.logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGHUP', onHup);
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
    return () => {
      process.off('SIGHUP', onHup);
      process.off('SIGTERM', onStop);
      process.off('SIGINT', onStop);
    };
  }
}
