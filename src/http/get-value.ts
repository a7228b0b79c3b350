import type { FastifyInstance, FastifyReply } from 'fastify';
import { rokvError, type RokvError } from '../errors.js';
import type { Store } from '../store/store.js';
import { formatUuid, parseUuid, UUID_BYTES } from '../uuid.js';
import { DATASET_HEADER } from './dataset.js';
import { rejectOtherMethods, sendError } from './errors.js';

const VALUE_OPEN = Buffer.from('{"value":');
const VALUE_CLOSE = Buffer.from('}');

/** Reads the `key` field of a `/get_value` body, or returns the catalog error saying what is wrong. */
export function readKeyField(body: unknown): string | RokvError {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return rokvError('BODY_NOT_OBJECT', body);
  if (!Object.hasOwn(body, 'key')) return rokvError('KEY_MISSING');
  const key = (body as { key: unknown }).key;
  if (typeof key !== 'string') return rokvError('KEY_NOT_STRING', key);
  return key;
}

/** Wraps a stored JSON string literal into the exact success body `{"value":<literal>}`. */
export function valueBody(literal: Uint8Array): Buffer {
  return Buffer.concat([VALUE_OPEN, literal, VALUE_CLOSE], VALUE_OPEN.length + literal.length + 1);
}

/** Registers `POST /get_value`, the original one-key contract. */
export function registerGetValue(app: FastifyInstance, store: Store, bodyLimit: number): void {
  // Lookups are synchronous up to the store call, so one scratch buffer serves every request.
  const keyBytes = new Uint8Array(UUID_BYTES);

  const answer = (reply: FastifyReply, key: Uint8Array, found: Uint8Array | undefined): FastifyReply => {
    // The id was stamped when the request arrived; a live version swap since then would make it
    // name the wrong data set, so it is stamped again right after the lookup.
    reply.raw.setHeader(DATASET_HEADER, store.info().id);
    if (found === undefined) return sendError(reply, rokvError('KEY_NOT_FOUND', formatUuid(key)));
    return reply.type('application/json; charset=utf-8').send(valueBody(found));
  };

  app.post('/get_value', { bodyLimit }, (request, reply) => {
    const key = readKeyField(request.body);
    if (typeof key !== 'string') return sendError(reply, key);
    if (parseUuid(key, keyBytes) === undefined) return sendError(reply, rokvError('KEY_INVALID', key));
    const found = store.get(keyBytes);
    if (found instanceof Promise) {
      // An asynchronous engine: the scratch buffer will be reused before the answer comes back.
      const asked = keyBytes.slice();
      return found.then((v) => answer(reply, asked, v));
    }
    return answer(reply, keyBytes, found);
  });
  rejectOtherMethods(app, '/get_value', ['POST']);
}
