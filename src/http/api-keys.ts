import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { rokvError } from '../errors.js';

const DIGEST = /^[0-9a-f]{64}$/;

/** The SHA-256 hex digest of an API key: what a keys file or `ROKV_API_KEYS` holds, never the key. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Parses a keys text: one SHA-256 hex digest a line (or comma-separated), blank lines and `#`
 * comments ignored. A line that is not a digest is refused so a plain key pasted by mistake is noticed.
 */
export function parseKeyDigests(text: string, where: string): Buffer[] {
  const digests: Buffer[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    for (const item of line.replace(/#.*/, '').split(',')) {
      const digest = item.trim().toLowerCase();
      if (digest === '') continue;
      if (!DIGEST.test(digest)) {
        throw rokvError(
          'CONFIG_INVALID',
          `${where} line ${i + 1}: expected a SHA-256 hex digest of a key (64 hex digits)`,
        );
      }
      digests.push(Buffer.from(digest, 'hex'));
    }
  });
  return digests;
}

/** Where the accepted keys come from. */
export interface ApiKeySource {
  file?: string | undefined;
  digests?: string | undefined;
}

/**
 * The accepted API keys. Checks hash the presented key and compare it with every accepted digest
 * in constant time, so neither the position nor the number of matching bytes shows in the timing.
 * The file source is re-read when it changes (and on `reload()`), so keys rotate without a restart;
 * a file that fails to read or parse keeps the previous keys.
 */
export class ApiKeys {
  private digests: Buffer[];
  private readonly source: ApiKeySource;
  private watching = false;

  constructor(source: ApiKeySource) {
    this.source = source;
    this.digests = this.read();
  }

  /** True if `key` is one of the accepted keys. */
  allows(key: string): boolean {
    const presented = createHash('sha256').update(key, 'utf8').digest();
    let match = false;
    for (const digest of this.digests) match = timingSafeEqual(presented, digest) || match;
    return match;
  }

  /** How many keys are accepted now. */
  get size(): number {
    return this.digests.length;
  }

  /** Re-reads the sources; on failure keeps the current keys and throws the reason. */
  reload(): void {
    this.digests = this.read();
  }

  /** Polls the keys file (polling survives editors and secret mounts that replace the file). */
  watch(onChange: (err?: unknown) => void, intervalMs = 1_000): void {
    const file = this.source.file;
    if (file === undefined || this.watching) return;
    this.watching = true;
    watchFile(file, { interval: intervalMs, persistent: false }, (now: Stats, before: Stats) => {
      if (now.mtimeMs === before.mtimeMs && now.ino === before.ino && now.size === before.size) return;
      try {
        this.reload();
        onChange();
      } catch (err) {
        onChange(err);
      }
    });
  }

  /** Stops watching the keys file. */
  close(): void {
    if (this.source.file !== undefined && this.watching) unwatchFile(this.source.file);
    this.watching = false;
  }

  private read(): Buffer[] {
    const digests: Buffer[] = [];
    if (this.source.digests !== undefined) digests.push(...parseKeyDigests(this.source.digests, 'ROKV_API_KEYS'));
    if (this.source.file !== undefined) {
      let text: string;
      try {
        text = readFileSync(this.source.file, 'utf8');
      } catch (err) {
        throw rokvError(
          'CONFIG_INVALID',
          `cannot read the API keys file ${this.source.file}: ${(err as Error).message}`,
        );
      }
      digests.push(...parseKeyDigests(text, this.source.file));
    }
    return digests;
  }
}
