import type { PairSource } from '../snapshot/lmdb-file.js';
import type { MergedPair } from './sort/run-cursors.js';
import { compareKeyTails, KEY_BYTES, keyHead } from './sort/run-record.js';

/**
 * The merge's pairs with every key's later twins dropped: the merge puts equal keys next to each
 * other, the one to keep first, so a pair is a duplicate when its key equals the last one kept.
 * `onDuplicate` hears of each dropped pair with the sequence number of the one kept; `onKept` runs
 * every 65,536 pairs kept (progress). Pulled one pair at a time, like the merge under it.
 */
export class DistinctPairs implements PairSource {
  /** The last kept key, copied: the merge's buffer that held it may be refilled since. */
  private readonly last = Buffer.alloc(KEY_BYTES);
  private lastHead = -1;
  private lastSeq = -1;
  /** Pairs kept so far. */
  kept = 0;
  /** Pairs dropped as duplicates. */
  duplicates = 0;

  constructor(
    private readonly merged: { pull(): MergedPair | undefined },
    private readonly onDuplicate: (pair: MergedPair, keptSeq: number) => void,
    private readonly onKept: (kept: number) => void,
  ) {}

  pull(): MergedPair | undefined {
    const last = this.last;
    for (let p = this.merged.pull(); p !== undefined; p = this.merged.pull()) {
      const bytes = p.bytes;
      const at = p.keyAt;
      const head = keyHead(bytes, at);
      if (head === this.lastHead && compareKeyTails(bytes, at, last, 0) === 0) {
        this.duplicates++;
        this.onDuplicate(p, this.lastSeq);
        continue;
      }
      for (let b = 4; b < KEY_BYTES; b++) last[b] = bytes[at + b]!;
      this.lastHead = head;
      this.lastSeq = p.seq;
      if ((++this.kept & 0xffff) === 0) this.onKept(this.kept);
      return p;
    }
    return undefined;
  }
}
