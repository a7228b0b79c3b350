import type { FastifyInstance, FastifyReply } from 'fastify';
import { valueBody } from '../api/answer.js';
import { JSON_TYPE, OUTCOME, VALUES } from '../api/contract.js';
import { errorSchema, EXAMPLE_KEYS, keySchema, objectSchema, valueSchema } from '../api/schemas.js';
import { rokvError } from '../errors.js';
import type { Store } from '../store/store.js';
import { formatUuid, parseUuid } from '../uuid.js';
import { rejectOtherMethods, sendError } from './errors.js';
import type { Metrics } from './metrics.js';
import { curlDoc, jsonDoc, type RouteDocs } from './openapi.js';

const docs: RouteDocs = {
  summary: 'Look one key up with a cacheable GET',
  description: curlDoc(`curl -si localhost:8080/values/${EXAMPLE_KEYS[0]}`),
  params: objectSchema(['key'], { key: keySchema }),
  response: {
    200: {
      ...jsonDoc(valueSchema, 'The value, with a strong ETag and Cache-Control: public.'),
      headers: { etag: { schema: { type: 'string' } }, 'cache-control': { schema: { type: 'string' } } },
    },
    304: { description: 'If-None-Match matched the ETag.' },
    404: jsonDoc(errorSchema, 'The key is a valid UUIDv4 but not in the data set.'),
    400: jsonDoc(errorSchema, 'The request is malformed; the message says why.'),
  },
};

/**
 * The longest path segment the router hands to a route (find-my-way's `maxParamLength`, 100 by
 * default). Longer ones would never reach `/values/{key}` and would get a framework error echoing
 * the whole path, where a user expects the catalog's KEY_INVALID like for any bad key. The limit
 * guards regex parameters, which rokv has none of; Node's header size limit (16 KiB by default)
 * bounds a request line anyway.
 */
export const MAX_PATH_PARAM_LENGTH = 16 * 1024;

/** The strong ETag of the answer for `key` (lowercase canonical) in the data set `datasetId`. */
export function etagOf(datasetId: string, key: string): string {
  return `"${datasetId}.${key}"`;
}

/**
 * True when an `If-None-Match` header matches `etag`. The comparison is weak, as RFC 9110 asks for
 * If-None-Match: a `W/` prefix on a listed tag does not prevent the match.
 */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  for (const tag of header.split(',')) {
    const t = tag.trim();
    if ((t.startsWith('W/') ? t.slice(2) : t) === etag) return true;
  }
  return false;
}

/**
 * Registers `GET /values/{key}` (and the HEAD Fastify derives from it): the answers of
 * `/get_value` for a key in the path, cacheable by shared caches because a snapshot never changes;
 * the ETag names the data set, so a new data set invalidates what caches hold.
 */
export function registerValues(app: FastifyInstance, store: Store, metrics: Metrics, maxAgeSeconds: number): void {
  const cacheControl = `public, max-age=${maxAgeSeconds}`;

  const cacheable = (reply: FastifyReply, etag: string): FastifyReply =>
    reply.header('etag', etag).header('cache-control', cacheControl);

  app.get<{ Params: { key: string } }>(VALUES, { config: { docs } }, async (request, reply) => {
    const keyBytes = parseUuid(request.params.key);
    if (keyBytes === undefined) {
      metrics.countOutcome(OUTCOME.invalid);
      return sendError(reply, rokvError('KEY_INVALID', request.params.key));
    }
    const key = formatUuid(keyBytes);
    const etag = etagOf(store.info().id, key);
    // A stored miss is as stable as a hit: both answers may be cached and revalidated.
    cacheable(reply, etag);
    if (noneMatch(request.headers['if-none-match'], etag)) {
      metrics.countOutcome(OUTCOME.found);
      return reply.code(304).send();
    }
    const found = await store.get(keyBytes);
    if (found === undefined) {
      metrics.countOutcome(OUTCOME.missing);
      return sendError(reply, rokvError('KEY_NOT_FOUND', key));
    }
    metrics.countOutcome(OUTCOME.found);
    return reply.type(JSON_TYPE).send(valueBody(found));
  });
  rejectOtherMethods(app, VALUES, ['GET', 'HEAD']);
}
