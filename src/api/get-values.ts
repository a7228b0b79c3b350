import { rokvError, HttpError } from '../errors.js';
import { lookupPacked, type PackedLookup } from '../store/packed.js';
import type { Store } from '../store/store.js';
import { UUID_BYTES } from '../uuid.js';
import { errorAnswer, failure, type FailureLog } from './answer.js';
import { measureBatch, NOTHING_FOUND, writeBatch } from './batch/encode.js';
import { packBatch, type PackedBatch } from './batch/pack.js';
import { batchValidator } from './batch/validate.js';
import { KEY_ELEMENT_BYTES, parseJsonBytes, scanKeysBody } from './body.js';
import { GET_VALUES, OUTCOME, type Answer } from './contract.js';
import type { DataRoute } from './get-value.js';

/** Limits of `POST /get_values`. */
export interface BatchLimits {
  /** Most keys one batch may ask for. */
  maxKeys: number;
  /** Largest body, in bytes. */
  bodyLimit: number;
  /** Largest answer, in bytes: a batch whose answer would be longer gets ANSWER_TOO_LARGE. */
  maxAnswerBytes: number;
}

/**
 * The answer core of `POST /get_values` over `store`: one element per asked key, in order, each the
 * body `/get_value` gives for `{"key": <that key>}`. The packed keys are looked up together and the
 * answer written into one buffer of its exact size, which is known, and checked against the limit,
 * before the buffer is allocated.
 */
export function getValuesRoute(store: Store, limits: BatchLimits, log: FailureLog): DataRoute {
  const validate = batchValidator(limits.maxKeys);

  const tooLarge = (dataset: string): Answer =>
    errorAnswer(rokvError('ANSWER_TOO_LARGE', limits.maxAnswerBytes), dataset, OUTCOME.none);
  const encode = (batch: PackedBatch, found: PackedLookup): Answer => {
    const dataset = store.info().id;
    if (found === undefined) return tooLarge(dataset);
    const size = measureBatch(batch, found);
    if (size.bytes > limits.maxAnswerBytes) return tooLarge(dataset);
    return { status: 200, body: writeBatch(batch, found, size.bytes), dataset, outcome: size.outcome };
  };
  const failed = (err: unknown): Answer => errorAnswer(failure(err, log), store.info().id, OUTCOME.none);

  /** The usual body's keys are read from its bytes; any other body is parsed and validated. */
  const keysOf = (body: Uint8Array | undefined): PackedBatch | Answer => {
    if (body !== undefined) {
      // Room for every key the body can hold, up to the limit: a body with more keys than the
      // limit fails the scan and goes the schema's way to its 413.
      const keys = new Uint8Array(Math.min(limits.maxKeys, Math.floor(body.length / KEY_ELEMENT_BYTES)) * UUID_BYTES);
      const count = scanKeysBody(body, keys);
      if (count > 0) return { count, keys, asked: count };
    }
    const elements = validate(parseJsonBytes(body));
    if (elements instanceof HttpError) return errorAnswer(elements, store.info().id, OUTCOME.none);
    return packBatch(elements);
  };

  const lookup = (body: Uint8Array | undefined): Answer | Promise<Answer> => {
    const batch = keysOf(body);
    if (!('keys' in batch)) return batch;
    if (batch.asked === 0) return encode(batch, NOTHING_FOUND);
    const found = lookupPacked(store, batch.keys, batch.asked, limits.maxAnswerBytes);
    if (found instanceof Promise) return found.then((settled) => encode(batch, settled), failed);
    return encode(batch, found);
  };

  return {
    path: GET_VALUES,
    bodyLimit: limits.bodyLimit,
    answer(body) {
      try {
        return lookup(body);
      } catch (err) {
        return failed(err);
      }
    },
  };
}
