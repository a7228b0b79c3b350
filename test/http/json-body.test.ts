import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scanKeyBody } from '../../src/http/json-body.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';

describe('scanKeyBody', () => {
  const taken: [string, string][] = [
    ['the compact body', `{"key":"${KEY}"}`],
    ['the body with a space after the colon', `{"key": "${KEY}"}`],
    ['an upper-case key', `{"key":"${KEY.toUpperCase()}"}`],
    ['36 characters that are not a UUID', `{"key":"${'z'.repeat(36)}"}`],
  ];
  for (const [name, body] of taken) {
    test(`reads ${name} exactly as JSON.parse does`, () => {
      assert.deepEqual(scanKeyBody(body), JSON.parse(body));
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
  ];
  for (const [name, body] of leftToJsonParse) {
    test(`leaves ${name} to JSON.parse`, () => {
      assert.equal(scanKeyBody(body), undefined);
    });
  }
});
