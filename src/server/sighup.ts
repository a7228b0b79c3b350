import type { Logger } from 'pino';

/** Something a SIGHUP re-reads: certificates, API keys, a data set version. */
export type Reloader = () => void | Promise<void>;

const reloaders = new Map<string, Reloader>();
let installed = false;

/**
 * Registers `reload` under `name` to run on SIGHUP. One handler serves every reloader, so certificate
 * renewal, key rotation and data set swaps share the signal; one failing does not stop the others.
 */
export function onReload(name: string, reload: Reloader, logger: Logger): void {
  reloaders.set(name, reload);
  if (installed) return;
  installed = true;
  process.on('SIGHUP', () => {
    void runReloaders(logger);
  });
}

/** Runs every registered reloader and logs what each did. */
export async function runReloaders(logger: Logger): Promise<void> {
  for (const [name, reload] of reloaders) {
    try {
      await reload();
      logger.info({ reload: name }, `reloaded ${name}`);
    } catch (err) {
      logger.error({ reload: name, err }, `reload of ${name} failed; keeping the previous one`);
    }
  }
}
