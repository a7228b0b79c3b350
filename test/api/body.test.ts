import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scanKeyBody, scanKeysBody } from '../../src/api/body.js';
import { parseUuid } from '../../src/uuid.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';

describe('scanKeyBody', () => {
  const taken: [string, string][] = [
    ['the compact body', `{"key":"${KEY}"}`],
    ['the body with a space after the colon', `{"key": "${KEY}"}`],
    ['an upper-case key', `{"key":"${KEY.toUpperCase()}"}`],
  ];
  for (const [name, body] of taken) {
    test(`reads ${name} exactly as JSON.parse does`, () => {
      const out = new Uint8Array(16);
      assert.equal(scanKeyBody(Buffer.from(body), out), true);
      assert.deepEqual(out, parseUuid((JSON.parse(body) as { key: string }).key));
    });
  }

  const leftToJsonParse: [string, string][] = [
    ['a key with an escaped quote', `{"key":"${'a'.repeat(34)}\\""}`],
    ['a 36-character key holding an escaped backslash', `{"key":"\\\\${'a'.repeat(34)}"}`],
    ['a key with a raw control character', `{"key":"${KEY.slice(0, 35)}\n"}`],
    ['a key with a raw quote inside', `{"key":"${KEY.slice(0, 20)}"${KEY.slice(21)}"}`],
    ['a shorter key', `{"key":"${KEY.slice(1)}"}`],
    ['a longer key', `{"key":"${KEY}0"}`],
    ['trailing text', `{"key":"${KEY}"} `],
    ['another field', `{"key":"${KEY}","a":1}`],
    ['a different field name', `{"kez":"${KEY}"}`],
    ['a missing closing brace', `{"key":"${KEY}"]`],
    ['leading space', ` {"key":"${KEY}"}`],
    ['the empty body', ''],
    // JSON.parse reads the key; the route then says it is not a UUID.
    ['36 characters that are not a UUID', `{"key":"${'z'.repeat(36)}"}`],
    ['a key that is not a version 4 UUID', '{"key":"8a35eb59-62b3-181c-8875-1f248df4c952"}'],
  ];
  for (const [name, body] of leftToJsonParse) {
    test(`leaves ${name} to JSON.parse`, () => {
      assert.equal(scanKeyBody(Buffer.from(body), new Uint8Array(16)), false);
    });
  }
});

describe('scanKeysBody', () => {
  const OTHER = '0b8a4bb1-6d1d-4c5e-9a8b-2f2f0f2f2f2f';
  /** The keys JSON.parse reads from `body`, packed as the scanner packs them. */
  const packedByJsonParse = (body: string): Uint8Array => {
    const keys = (JSON.parse(body) as { keys: string[] }).keys;
    return Uint8Array.from(keys.flatMap((key) => [...parseUuid(key)!]));
  };

  const taken: [string, string][] = [
    ['one key', `{"keys":["${KEY}"]}`],
    ['several keys', `{"keys":["${KEY}","${OTHER}","${KEY}"]}`],
    ['upper-case keys', `{"keys":["${KEY.toUpperCase()}","${OTHER}"]}`],
    ['whitespace around every token', ` \r\n{ "keys" :\t[ "${KEY}" ,\n "${OTHER}" ] } \n`],
  ];
  for (const [name, body] of taken) {
    test(`reads ${name} as JSON.parse does`, () => {
      const out = new Uint8Array(16 * 8);
      const count = scanKeysBody(Buffer.from(body), out);
      const expected = packedByJsonParse(body);
      assert.equal(count, expected.length / 16);
      assert.deepEqual(out.subarray(0, count * 16), expected);
    });
  }

  const leftToJsonParse: [string, string][] = [
    ['an empty list', '{"keys":[]}'],
    ['a key that is not a UUID', `{"keys":["${KEY}","${'z'.repeat(36)}"]}`],
    ['a key that is not a version 4 UUID', '{"keys":["8a35eb59-62b3-181c-8875-1f248df4c952"]}'],
    ['a key written with an escape', `{"keys":["\\u0038${KEY.slice(1)}"]}`],
    ['a 36-character string holding an escape', `{"keys":["${KEY.slice(0, 30)}\\u0030"]}`],
    ['a shorter key', `{"keys":["${KEY.slice(1)}"]}`],
    ['a longer key', `{"keys":["${KEY}0"]}`],
    ['an element that is not a string', `{"keys":["${KEY}",1]}`],
    ['another field', `{"keys":["${KEY}"],"a":1}`],
    ['the field given twice', `{"keys":["${KEY}"],"keys":["${KEY}"]}`],
    ['a different field name', `{"kes":["${KEY}"]}`],
    ['a trailing comma', `{"keys":["${KEY}",]}`],
    ['a missing closing bracket', `{"keys":["${KEY}"}`],
    ['a missing closing brace', `{"keys":["${KEY}"]`],
    ['text after the body', `{"keys":["${KEY}"]}x`],
    ['a list, not an object', `["${KEY}"]`],
    ['a byte-order mark', `\ufeff{"keys":["${KEY}"]}`],
    ['the empty body', ''],
  ];
  for (const [name, body] of leftToJsonParse) {
    test(`leaves ${name} to JSON.parse`, () => {
      assert.equal(scanKeysBody(Buffer.from(body), new Uint8Array(16 * 8)), -1);
    });
  }

  test('leaves a body with more keys than it has room for to JSON.parse and the schema', () => {
    const body = Buffer.from(JSON.stringify({ keys: [KEY, OTHER, KEY] }));
    assert.equal(scanKeysBody(body, new Uint8Array(16 * 2)), -1);
    assert.equal(scanKeysBody(body, new Uint8Array(16 * 3)), 3);
  });
});
