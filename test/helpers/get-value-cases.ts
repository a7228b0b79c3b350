/** The contract's cases for POST /get_value, shared by the route's tests and the fast lane's side-by-side test. */

export const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';
export const MISSING = '0b8a4bb1-6d1d-4c5e-9a8b-2f2f0f2f2f2f';
/** Values that stress the stored JSON literal: empty, escapes, multibyte, large, JSON-looking, a lone surrogate. */
export const pairs: Record<string, string> = {
  [KEY]: 'lunmtp ftxemjfob pmo hwoya',
  '11111111-1111-4111-8111-111111111111': '',
  '22222222-2222-4222-9222-222222222222': 'quote " backslash \\ tab \t newline \n nul \u0000 bell \u0007',
  '33333333-3333-4333-a333-333333333333': 'emoji 🦄 and ünïcödé and 中文',
  '44444444-4444-4444-b444-444444444444': 'x'.repeat(100_000),
  '55555555-5555-4555-8555-555555555555': '{"value":"not json inside"}',
  '66666666-6666-4666-8666-666666666666': 'lone surrogate \ud800 here',
};

/** Keys that are not a canonical UUIDv4 or not a string: name, key, expected code. */
export const badKeys: [string, unknown, string][] = [
  ['a number', 123, 'KEY_NOT_STRING'],
  ['null', null, 'KEY_NOT_STRING'],
  ['an object', { k: KEY }, 'KEY_NOT_STRING'],
  ['an array', [KEY], 'KEY_NOT_STRING'],
  ['a boolean', true, 'KEY_NOT_STRING'],
  ['an empty string', '', 'KEY_INVALID'],
  ['a key with braces', `{${KEY}}`, 'KEY_INVALID'],
  ['a urn key', `urn:uuid:${KEY}`, 'KEY_INVALID'],
  ['a key without hyphens', KEY.replaceAll('-', ''), 'KEY_INVALID'],
  ['a key with surrounding spaces', ` ${KEY} `, 'KEY_INVALID'],
  ['a version 1 key', '8a35eb59-62b3-181c-8875-1f248df4c952', 'KEY_INVALID'],
  ['the nil uuid', '00000000-0000-0000-0000-000000000000', 'KEY_INVALID'],
  ['a very long string', 'a'.repeat(3000), 'KEY_INVALID'],
];

/** Bodies that are not a one-key object: name, raw body, expected code. */
export const badBodies: [string, string, string][] = [
  ['invalid JSON', '{"key": ', 'BODY_INVALID_JSON'],
  ['a trailing comma', `{"key": "${KEY}",}`, 'BODY_INVALID_JSON'],
  ['single quotes', `{'key': '${KEY}'}`, 'BODY_INVALID_JSON'],
  ['an array', `["${KEY}"]`, 'BODY_NOT_OBJECT'],
  ['a number', '42', 'BODY_NOT_OBJECT'],
  ['a string', `"${KEY}"`, 'BODY_NOT_OBJECT'],
  ['null', 'null', 'BODY_NOT_OBJECT'],
  ['an empty object', '{}', 'KEY_MISSING'],
  ['a key only in __proto__', `{"__proto__": {"key": "${KEY}"}}`, 'KEY_MISSING'],
  ['a constructor.prototype trick', `{"constructor": {"prototype": {"key": "${KEY}"}}}`, 'KEY_MISSING'],
  ['deeply nested arrays', `${'['.repeat(1500)}${']'.repeat(1500)}`, 'BODY_NOT_OBJECT'],
  ['a deeply nested key', `{"key": ${'['.repeat(1000)}${']'.repeat(1000)}}`, 'KEY_NOT_STRING'],
  ['an empty body', '', 'BODY_EMPTY'],
];
