import type { FastifyInstance, FastifyReply } from 'fastify';
import { rokvError, RokvError } from '../errors.js';
import type { Store } from '../store/store.js';
import { formatUuid, parseUuid, UUID_BYTES } from '../uuid.js';
import { DATASET_HEADER } from './dataset.js';
import { rejectOtherMethods, sendError } from './errors.js';

const VALUE_OPEN = Buffer.from('{"value":');
const VALUE_CLOSE = Buffer.from('}');

/** What a `/get_value` body resolves to: the value's stored JSON literal, or the catalog error saying why not. */
export type KeyLookup = Uint8Array | RokvError;

/** Reads the `key` field of a `/get_value` body, or returns the catalog error saying what is wrong. */
export function readKeyField(body: unknown): string | RokvError {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return rokvError('BODY_NOT_OBJECT', body);
  if (!Object.hasOwn(body, 'key')) return rokvError('KEY_MISSING');
  const key = (body as { key: unknown }).key;
  if (typeof key !== 'string') return rokvError('KEY_NOT_STRING', key);
  return key;
}

/**
 * Looks up the key already parsed into `keyBytes`. A synchronous engine's answer is a view valid
 * until its next lookup; an asynchronous engine gets its own copy of the key, since the caller's
 * scratch buffer is reused before the answer comes back.
 */
export function lookupKeyBytes(store: Store, keyBytes: Uint8Array): KeyLookup | Promise<KeyLookup> {
  const found = store.get(keyBytes);
  if (found instanceof Promise) {
    const asked = keyBytes.slice();
    return found.then((value) => value ?? rokvError('KEY_NOT_FOUND', formatUuid(asked)));
  }
  return found ?? rokvError('KEY_NOT_FOUND', formatUuid(keyBytes));
}

/** Answers a parsed `/get_value` body, using `keyBytes` (owned by the caller) as scratch for the key. */
export function lookupBody(store: Store, body: unknown, keyBytes: Uint8Array): KeyLookup | Promise<KeyLookup> {
  const key = readKeyField(body);
  if (typeof key !== 'string') return key;
  if (parseUuid(key, keyBytes) === undefined) return rokvError('KEY_INVALID', key);
  return lookupKeyBytes(store, keyBytes);
}

/** Wraps a stored JSON string literal into the exact success body `{"value":<literal>}`. */
export function valueBody(literal: Uint8Array): Buffer {
  return Buffer.concat([VALUE_OPEN, literal, VALUE_CLOSE], VALUE_OPEN.length + literal.length + 1);
}

/** Registers `POST /get_value`, the original one-key contract. */
export function registerGetValue(app: FastifyInstance, store: Store, bodyLimit: number): void {
  // Lookups are synchronous up to the store call, so one scratch buffer serves every request.
  const keyBytes = new Uint8Array(UUID_BYTES);

  const answer = (reply: FastifyReply, result: KeyLookup): FastifyReply => {
    // The id was stamped when the request arrived; a live version swap since then would make it
    // name the wrong data set, so it is stamped again right after the lookup.
    reply.raw.setHeader(DATASET_HEADER, store.info().id);
    if (result instanceof RokvError) return sendError(reply, result);
    return reply.type('application/json; charset=utf-8').send(valueBody(result));
  };

  app.post('/get_value', { bodyLimit }, (request, reply) => {
    const result = lookupBody(store, request.body, keyBytes);
    if (result instanceof Promise) return result.then((settled) => answer(reply, settled));
    return answer(reply, result);
  });
  rejectOtherMethods(app, '/get_value', ['POST']);
}
