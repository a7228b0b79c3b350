import { rokvError, HttpError } from '../errors.js';
import type { Store } from '../store/store.js';
import { formatUuid, parseUuid, UUID_BYTES } from '../uuid.js';
import { errorAnswer, failure, valueAnswer, type FailureLog } from './answer.js';
import { parseJsonBytes, scanKeyBody } from './body.js';
import { GET_VALUE, type Answer, type DataPath } from './contract.js';

/**
 * A data route's answer core, the same for every runtime: the body's bytes in, the answer out.
 * It never throws and its promise never rejects: a failing store is a catalog 5xx, logged.
 * Synchronous engines answer synchronously, so no other request runs in between.
 */
export interface DataRoute {
  readonly path: DataPath;
  /** The largest body the route takes; an adapter refuses a longer one with BODY_TOO_LARGE. */
  readonly bodyLimit: number;
  /** Answers a body (undefined: the request had none, and no content type either). */
  answer(body: Uint8Array | undefined): Answer | Promise<Answer>;
}

/** Reads the `key` field of a parsed `/get_value` body, or returns the catalog error saying what is wrong. */
export function readKeyField(body: unknown): string | HttpError {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return rokvError('BODY_NOT_OBJECT', body);
  if (!Object.hasOwn(body, 'key')) return rokvError('KEY_MISSING');
  const key = (body as { key: unknown }).key;
  if (typeof key !== 'string') return rokvError('KEY_NOT_STRING', key);
  return key;
}

/** The answer core of `POST /get_value` over `store`. */
export function getValueRoute(store: Store, bodyLimit: number, log: FailureLog): DataRoute {
  // Lookups read the key before they return, so one scratch buffer serves every request.
  const keyBytes = new Uint8Array(UUID_BYTES);

  const found = (value: Uint8Array | undefined, key: Uint8Array): Answer => {
    const dataset = store.info().id;
    return value === undefined
      ? errorAnswer(rokvError('KEY_NOT_FOUND', formatUuid(key)), dataset)
      : valueAnswer(value, dataset);
  };
  const failed = (err: unknown): Answer => errorAnswer(failure(err, log), store.info().id);

  const lookup = (body: Uint8Array | undefined): Answer | Promise<Answer> => {
    // The canonical body's key is read from its bytes; any other body is parsed.
    if (body === undefined || !scanKeyBody(body, keyBytes)) {
      const key = readKeyField(parseJsonBytes(body));
      if (typeof key !== 'string') return errorAnswer(key, store.info().id);
      if (parseUuid(key, keyBytes) === undefined) return errorAnswer(rokvError('KEY_INVALID', key), store.info().id);
    }
    const value = store.get(keyBytes);
    if (!(value instanceof Promise)) return found(value, keyBytes);
    // The scratch buffer is reused before an asynchronous engine answers: the miss names a copy.
    const asked = keyBytes.slice();
    return value.then((settled) => found(settled, asked), failed);
  };

  return {
    path: GET_VALUE,
    bodyLimit,
    answer(body) {
      try {
        return lookup(body);
      } catch (err) {
        // The body's own errors (BODY_EMPTY, BODY_INVALID_JSON) and an engine that throws at once.
        return failed(err);
      }
    },
  };
}
