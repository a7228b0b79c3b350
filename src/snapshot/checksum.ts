import { createHash, type Hash } from 'node:crypto';

/**
 * The content checksum of a snapshot: sha256 over the pairs in key order, each as 16 key bytes,
 * a big-endian u32 value length and the stored value bytes. It depends only on the pairs, so every
 * input format, and `rokv verify` reading the store back, arrive at the same digest.
 */
export class PairChecksum {
  private readonly hash: Hash = createHash('sha256');
  private readonly len = Buffer.alloc(4);

  /** Adds one pair; pairs must come in ascending key order. */
  add(key: Uint8Array, value: Uint8Array): void {
    this.len.writeUInt32BE(value.length, 0);
    this.hash.update(key);
    this.hash.update(this.len);
    this.hash.update(value);
  }

  /** The digest as `sha256:<hex>`. */
  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }
}

/** The id of a data set, derived from its content checksum. */
export function idFromChecksum(checksum: string): string {
  return checksum.replace(/^sha256:/, '').slice(0, 16);
}
