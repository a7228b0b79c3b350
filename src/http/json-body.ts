import type { FastifyInstance } from 'fastify';
import { rokvError } from '../errors.js';

const QUOTE = 34;
const BACKSLASH = 92;
const CLOSE_BRACE = 125;
const KEY_CHARS = 36;

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
