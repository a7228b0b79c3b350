import type { Cursor } from './run-cursors.js';
import { compareKeyTails } from './run-record.js';

/** A binary min-heap of cursors by key, then by sequence number (reversed with `newestFirst`). */
export class CursorHeap {
  private readonly items: Cursor[] = [];

  constructor(private readonly newestFirst: boolean) {}

  get size(): number {
    return this.items.length;
  }

  top(): Cursor {
    return this.items[0]!;
  }

  push(c: Cursor): void {
    const a = this.items;
    a.push(c);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }

  pop(): void {
    const last = this.items.pop()!;
    if (this.items.length > 0) {
      this.items[0] = last;
      this.fixTop();
    }
  }

  /** Restores the heap after the top cursor advanced. */
  fixTop(): void {
    const a = this.items;
    const n = a.length;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const m = r < n && this.less(a[r]!, a[l]!) ? r : l;
      if (!this.less(a[m]!, a[i]!)) return;
      [a[i], a[m]] = [a[m]!, a[i]!];
      i = m;
    }
  }

  private less(x: Cursor, y: Cursor): boolean {
    if (x.head !== y.head) return x.head < y.head;
    const c = compareKeyTails(x.bytes, x.keyAt, y.bytes, y.keyAt);
    if (c !== 0) return c < 0;
    return this.newestFirst ? x.seq > y.seq : x.seq < y.seq;
  }
}
