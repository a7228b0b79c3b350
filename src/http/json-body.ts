import type { FastifyInstance } from 'fastify';
import { parseJsonText } from '../api/body.js';
import { REQUEST_TYPE } from '../api/contract.js';

/**
 * Replaces Fastify's body parsers with one for `application/json` only: every other content type
 * (text/plain included, which Fastify would accept by default) answers 415. The data routes
 * replace it again in their own scope with one that hands their cores the body's bytes.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(REQUEST_TYPE, { parseAs: 'string' }, (_request, body, done) => {
    let parsed: unknown;
    try {
      parsed = parseJsonText(body as string);
    } catch (err) {
      done(err as Error, undefined);
      return;
    }
    done(null, parsed);
  });
}
