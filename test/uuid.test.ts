import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { formatUuid, isUuidV4, parseUuid } from '../src/uuid.js';

const valid = '8a35eb59-62b3-481c-8875-1f248df4c952';

describe('uuid', () => {
  const rejected: [string, string][] = [
    ['an empty string', ''],
    ['braces', `{${valid}}`],
    ['a urn prefix', `urn:uuid:${valid}`],
    ['32 digits without hyphens', valid.replaceAll('-', '')],
    ['a leading space', ` ${valid}`],
    ['a trailing space', `${valid} `],
    ['a trailing newline', `${valid}\n`],
    ['version 1', '8a35eb59-62b3-181c-8875-1f248df4c952'],
    ['version 7', '8a35eb59-62b3-781c-8875-1f248df4c952'],
    ['variant c', '8a35eb59-62b3-481c-c875-1f248df4c952'],
    ['variant 7', '8a35eb59-62b3-481c-7875-1f248df4c952'],
    ['the nil uuid', '00000000-0000-0000-0000-000000000000'],
    ['the max uuid', 'ffffffff-ffff-ffff-ffff-ffffffffffff'],
    ['a non-hex digit', '8a35eb59-62b3-481c-8875-1f248df4c95g'],
    ['hyphens in the wrong places', '8a35eb5-962b3-481c-8875-1f248df4c952'],
    ['a missing digit', '8a35eb59-62b3-481c-8875-1f248df4c95'],
    ['an extra digit', '8a35eb59-62b3-481c-8875-1f248df4c9520'],
    ['a full-width digit', '８a35eb59-62b3-481c-8875-1f248df4c952'],
    ['an underscore for a hyphen', '8a35eb59_62b3-481c-8875-1f248df4c952'],
  ];
  for (const [name, text] of rejected) {
    test(`rejects ${name}`, () => {
      assert.equal(parseUuid(text), undefined);
      assert.equal(isUuidV4(text), false);
    });
  }

  test('accepts variants 8, 9, a and b', () => {
    for (const v of '89abAB') assert.ok(isUuidV4(`8a35eb59-62b3-481c-${v}875-1f248df4c952`), v);
  });

  test('reads upper and lower case as the same key', () => {
    assert.deepEqual(parseUuid(valid.toUpperCase()), parseUuid(valid));
  });

  test('round-trips random v4 uuids through 16 bytes', () => {
    for (let i = 0; i < 1000; i++) {
      const id = randomUUID();
      const bytes = parseUuid(id);
      assert.ok(bytes, id);
      assert.equal(bytes.length, 16);
      assert.equal(formatUuid(bytes), id);
    }
  });

  test('refuses to format a buffer that is not 16 bytes', () => {
    assert.throws(() => formatUuid(new Uint8Array(15)), RangeError);
  });
});
