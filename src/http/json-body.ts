import type { FastifyInstance } from 'fastify';
import { rokvError } from '../errors.js';

/**
 * Replaces Fastify's body parsers with one for `application/json` only: every other content type
 * (text/plain included, which Fastify would accept by default) answers 415. JSON.parse builds plain
 * own properties, so `__proto__` in a body never reaches a prototype.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.length === 0) {
      done(rokvError('BODY_EMPTY'), undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(rokvError('BODY_INVALID_JSON', (err as Error).message), undefined);
    }
  });
}
