/**
 * Reading the data routes' request bodies from their bytes: scanners for the bodies nearly every
 * client sends, which answer only when JSON.parse would read exactly the same, and JSON.parse with
 * the catalog's errors for everything else.
 */
import { rokvError } from '../errors.js';
import { parseUuidBytes, parseUuidBytesInto, UUID_BYTES, UUID_LENGTH } from '../uuid.js';

const QUOTE = 34;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COLON = 58;
const COMMA = 44;
const SPACE = 32;
const KEY_NAME = Buffer.from('{"key":');
const KEYS_NAME = Buffer.from('"keys"');

/** The fewest body bytes a key of a batch takes: the key and its quotes. */
export const KEY_ELEMENT_BYTES = UUID_LENGTH + 2;

/**
 * Reads `{"key":"<uuid>"}` or `{"key": "<uuid>"}`, the one-key body nearly every client sends,
 * parsing the key into `out`. True only when the 36 characters are a canonical UUIDv4 (hex digits
 * and hyphens, so no quote or escape can hide in them) and nothing else is in the body; anything
 * else returns false and goes through JSON.parse, so every rejection stays JSON.parse's.
 */
export function scanKeyBody(body: Uint8Array, out: Uint8Array): boolean {
  const n = body.length;
  let at: number;
  if (n === KEY_NAME.length + 1 + UUID_LENGTH + 2 && body[KEY_NAME.length] === QUOTE) at = KEY_NAME.length + 1;
  else if (
    n === KEY_NAME.length + 2 + UUID_LENGTH + 2 &&
    body[KEY_NAME.length] === SPACE &&
    body[KEY_NAME.length + 1] === QUOTE
  )
    at = KEY_NAME.length + 2;
  else return false;
  if (body[n - 2] !== QUOTE || body[n - 1] !== CLOSE_BRACE) return false;
  for (let i = 0; i < KEY_NAME.length; i++) if (body[i] !== KEY_NAME[i]) return false;
  return parseUuidBytes(body, at, out) !== undefined;
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
 * Parses a JSON request body held as text. Throws the catalog error for an empty or malformed
 * body. JSON.parse builds plain own properties, so `__proto__` in a body never reaches a prototype.
 */
export function parseJsonText(text: string): unknown {
  if (text.length === 0) throw rokvError('BODY_EMPTY');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw rokvError('BODY_INVALID_JSON', (err as Error).message);
  }
}

/**
 * Parses a data route's body from its bytes (bytes that are not UTF-8 decode to U+FFFD, as
 * Fastify's string parser did); undefined, a request without a body, stays undefined.
 */
export function parseJsonBytes(body: Uint8Array | undefined): unknown {
  if (body === undefined) return undefined;
  return parseJsonText(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
}
