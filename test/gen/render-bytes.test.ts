import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GEN_FORMATS, renderPairs } from '../../src/gen/format.js';
import { renderSyntheticBytes } from '../../src/gen/render-bytes.js';
import { syntheticPairs } from '../../src/gen/synthetic.js';

describe('rokv gen bytes', () => {
  for (const format of GEN_FORMATS) {
    for (const count of [0, 1, 30_000]) {
      test(`writes the same ${format} bytes as rendering the pairs as text (${count} pairs)`, () => {
        const bytes = Buffer.concat([...renderSyntheticBytes(count, 5, format)]);
        const text = [...renderPairs(syntheticPairs(count, 5), format)].join('');
        assert.equal(bytes.length, Buffer.byteLength(text));
        assert.ok(bytes.equals(Buffer.from(text)), `${format} output differs`);
      });
    }
  }

  test('spreads a large output over several chunks', () => {
    assert.ok([...renderSyntheticBytes(30_000, 5, 'jsonl')].length > 1);
  });
});
