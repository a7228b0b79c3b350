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
    let i = a.length;
    a.push(c);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = a[p]!;
      if (!this.less(c, parent)) break;
      a[i] = parent;
      i = p;
    }
    a[i] = c;
  }

  pop(): void {
    const last = this.items.pop()!;
    if (this.items.length > 0) {
      this.items[0] = last;
      this.fixTop();
    }
  }

  /**
   * Restores the heap after the top cursor advanced: it sinks through a hole, each level one write,
   * and most levels decide on the keys' first four bytes alone (`head`).
   */
  fixTop(): void {
    const a = this.items;
    const n = a.length;
    const moving = a[0]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let m = l;
      let child = a[l]!;
      if (r < n) {
        const right = a[r]!;
        if (this.less(right, child)) {
          m = r;
          child = right;
        }
      }
      if (!this.less(child, moving)) break;
      a[i] = child;
      i = m;
    }
    a[i] = moving;
  }

  private less(x: Cursor, y: Cursor): boolean {
    if (x.head !== y.head) return x.head < y.head;
    const c = compareKeyTails(x.bytes, x.keyAt, y.bytes, y.keyAt);
    if (c !== 0) return c < 0;
    return this.newestFirst ? x.seq > y.seq : x.seq < y.seq;
  }
}
