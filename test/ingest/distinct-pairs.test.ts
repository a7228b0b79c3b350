import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DistinctPairs } from '../../src/ingest/distinct-pairs.js';
import type { MergedPair } from '../../src/ingest/sort/run-cursors.js';

/** Merged pairs in order: each a 16-byte key (`key` repeated) with sequence number `seq`, no value. */
function merged(pairs: readonly { key: number; seq: number }[]): { pull(): MergedPair | undefined } {
  let i = 0;
  return {
    pull: () => {
      const p = pairs[i++];
      if (p === undefined) return undefined;
      // A fresh buffer each time, as a merge's refilled read buffer: the last key must have been copied.
      const bytes = Buffer.alloc(16, p.key);
      return { bytes, keyAt: 0, valueAt: 16, valueEnd: 16, seq: p.seq };
    },
  };
}

test('keeps the first pair of each key and reports the later twins with the kept sequence number', () => {
  const dropped: [number, number][] = [];
  const distinct = new DistinctPairs(
    merged([
      { key: 1, seq: 4 },
      { key: 1, seq: 9 },
      { key: 2, seq: 1 },
      { key: 3, seq: 2 },
      { key: 3, seq: 5 },
      { key: 3, seq: 7 },
    ]),
    (p, keptSeq) => dropped.push([p.seq, keptSeq]),
    () => {},
  );
  const kept: number[] = [];
  for (let p = distinct.pull(); p !== undefined; p = distinct.pull()) kept.push(p.seq);
  assert.deepEqual(kept, [4, 1, 2]);
  assert.deepEqual(dropped, [
    [9, 4],
    [5, 2],
    [7, 2],
  ]);
  assert.equal(distinct.kept, 3);
  assert.equal(distinct.duplicates, 3);
});

test('tells keys apart that differ only after their first four bytes', () => {
  const a = Buffer.alloc(16, 0);
  const b = Buffer.alloc(16, 0);
  b[15] = 1;
  const views = [a, b, Buffer.from(b)].map((bytes, seq) => ({ bytes, keyAt: 0, valueAt: 16, valueEnd: 16, seq }));
  let i = 0;
  const distinct = new DistinctPairs(
    { pull: () => views[i++] },
    () => {},
    () => {},
  );
  while (distinct.pull() !== undefined);
  assert.equal(distinct.kept, 2);
  assert.equal(distinct.duplicates, 1);
});
