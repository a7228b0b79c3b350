import type { FastifyInstance } from 'fastify';
import { rokvError } from '../errors.js';
import { parseUuidBytesInto, UUID_BYTES, UUID_LENGTH } from '../uuid.js';

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COLON = 58;
const COMMA = 44;
const KEY_CHARS = 36;
const KEYS_NAME = Buffer.from('"keys"');

/** The fewest body bytes a key of a batch takes: the key and its quotes. */
export const KEY_ELEMENT_BYTES = UUID_LENGTH + 2;

/**
 * The body nearly every client sends, `{"key":"<36 chars>"}` or `{"key": "<36 chars>"}`, read
 * without JSON.parse. It answers only when JSON.parse would give exactly `{key: <those chars>}`:
 * no quote, backslash or control character inside the string, nothing before or after. Anything
 * else returns undefined and goes through JSON.parse, so every rejection stays JSON.parse's.
 */
export function scanKeyBody(text: string): { key: string } | undefined {
  let start: number;
  if (text.length === 8 + KEY_CHARS + 2 && text.startsWith('{"key":"')) start = 8;
  else if (text.length === 9 + KEY_CHARS + 2 && text.startsWith('{"key": "')) start = 9;
  else return undefined;
  const end = start + KEY_CHARS;
  if (text.charCodeAt(end) !== QUOTE || text.charCodeAt(end + 1) !== CLOSE_BRACE) return undefined;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE || c === BACKSLASH || c < 32) return undefined;
  }
  return { key: text.slice(start, end) };
}

/**
 * Reads the batch body clients send, `{"keys":["<uuid>", ...]}` with any JSON whitespace between
 * tokens, packing the keys 16 bytes each into `out`, and returns how many. It answers only when
 * JSON.parse would give exactly `{keys: [<those keys>]}` and every key is a canonical UUIDv4 (hex
 * digits and hyphens, so no escape can hide in one); any other body, an empty list, or more keys
 * than `out` holds returns -1 and goes through JSON.parse and the schema, which say what is wrong.
 */
export function scanKeysBody(body: Uint8Array, out: Uint8Array): number {
  let i = skipSpace(body, 0);
  if (body[i] !== OPEN_BRACE) return -1;
  i = skipSpace(body, i + 1);
  for (let k = 0; k < KEYS_NAME.length; k++) if (body[i + k] !== KEYS_NAME[k]) return -1;
  i = skipSpace(body, i + KEYS_NAME.length);
  if (body[i] !== COLON) return -1;
  i = skipSpace(body, i + 1);
  if (body[i] !== OPEN_BRACKET) return -1;
  i = skipSpace(body, i + 1);
  const capacity = Math.floor(out.length / UUID_BYTES);
  let count = 0;
  for (;;) {
    if (count === capacity || body[i] !== QUOTE || body[i + 1 + UUID_LENGTH] !== QUOTE) return -1;
    if (!parseUuidBytesInto(body, i + 1, out, count * UUID_BYTES)) return -1;
    count++;
    i = skipSpace(body, i + KEY_ELEMENT_BYTES);
    if (body[i] === COMMA) {
      i = skipSpace(body, i + 1);
      continue;
    }
    if (body[i] !== CLOSE_BRACKET) return -1;
    break;
  }
  i = skipSpace(body, i + 1);
  if (body[i] !== CLOSE_BRACE) return -1;
  return skipSpace(body, i + 1) === body.length ? count : -1;
}

/** The index of the first byte at or after `i` that is not JSON whitespace. */
function skipSpace(body: Uint8Array, i: number): number {
  for (;;) {
    const c = body[i];
    // Space, tab, line feed, carriage return: the only whitespace JSON allows between tokens.
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return i;
    i++;
  }
}

/**
 * Parses a JSON request body: the canonical one-key body without JSON.parse, anything else with it.
 * Throws the catalog error for an empty or malformed body.
 */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0) throw rokvError('BODY_EMPTY');
  const fast = scanKeyBody(text);
  if (fast !== undefined) return fast;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw rokvError('BODY_INVALID_JSON', (err as Error).message);
  }
}

/**
 * Replaces Fastify's body parsers with one for `application/json` only: every other content type
 * (text/plain included, which Fastify would accept by default) answers 415. JSON.parse builds plain
 * own properties, so `__proto__` in a body never reaches a prototype.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    let parsed: unknown;
    try {
      parsed = parseJsonBody(body as string);
    } catch (err) {
      done(err as Error, undefined);
      return;
    }
    done(null, parsed);
  });
}
