import { createHash, type Hash } from 'node:crypto';

const BATCH = 1 << 16;

/**
 * The content checksum of a snapshot: sha256 over the pairs in key order, each as 16 key bytes,
 * a big-endian u32 value length and the stored value bytes. It depends only on the pairs, so every
 * input format, and `rokv verify` reading the store back, arrive at the same digest.
 */
export class PairChecksum {
  private readonly hash: Hash = createHash('sha256');
  // Pairs are gathered into one buffer and hashed in batches: three hash updates per pair would
  // cost more than the hashing itself.
  private readonly batch = Buffer.allocUnsafe(BATCH);
  private fill = 0;

  /** Adds one pair; pairs must come in ascending key order. */
  add(key: Uint8Array, value: Uint8Array): void {
    const size = key.length + 4 + value.length;
    if (this.fill + size > BATCH) this.flush();
    if (size > BATCH) {
      const len = Buffer.allocUnsafe(4);
      len.writeUInt32BE(value.length, 0);
      this.hash.update(key);
      this.hash.update(len);
      this.hash.update(value);
      return;
    }
    const b = this.batch;
    const at = this.fill + key.length;
    const n = value.length;
    b.set(key, this.fill);
    b[at] = n >>> 24;
    b[at + 1] = n >>> 16;
    b[at + 2] = n >>> 8;
    b[at + 3] = n;
    b.set(value, at + 4);
    this.fill += size;
  }

  /** The digest as `sha256:<hex>`. */
  digest(): string {
    this.flush();
    return `sha256:${this.hash.digest('hex')}`;
  }

  private flush(): void {
    if (this.fill > 0) this.hash.update(this.batch.subarray(0, this.fill));
    this.fill = 0;
  }
}

/** The id of a data set, derived from its content checksum. */
export function idFromChecksum(checksum: string): string {
  return checksum.replace(/^sha256:/, '').slice(0, 16);
}
