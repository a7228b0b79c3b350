import { DATASET_HEADER } from './dataset.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { catalog, rokvError, type ErrorCode, type RokvError } from '../errors.js';
import type { Store } from '../store/store.js';
import { formatUuid, parseUuid, UUID_BYTES } from '../uuid.js';
import { rejectOtherMethods } from './errors.js';
import { readKeyField, valueBody } from './get-value.js';
import type { Metrics } from './metrics.js';
import { keysRequestSchema } from './schemas.js';

const RESULTS_OPEN = Buffer.from('{"results":[');
const RESULTS_CLOSE = Buffer.from(']}');
const COMMA = Buffer.from(',');

/** The exact bytes `sendError` produces for `err`, for an element of a batch answer. */
export function errorJson(err: RokvError): Buffer {
  return Buffer.from(JSON.stringify({ message: err.message, code: err.code }));
}

/**
 * The same bytes for a catalog error built from its code, without constructing an Error: a batch
 * may hold a thousand misses, and each Error would capture a stack trace nobody reads.
 */
function catalogJson<C extends ErrorCode>(code: C, ...args: Parameters<(typeof catalog)[C]>): Buffer {
  const make = catalog[code] as (...a: Parameters<(typeof catalog)[C]>) => { message: string };
  return Buffer.from(JSON.stringify({ message: make(...args).message, code }));
}

/** Limits of `POST /get_values`. */
export interface BatchLimits {
  maxKeys: number;
  bodyLimit: number;
}

/**
 * Answers a batch: one element per asked key, in order, each the body `/get_value` gives for
 * `{"key": <that key>}`. Valid keys are looked up together with the store's multi-get.
 */
export async function batchAnswer(store: Store, keys: readonly unknown[], metrics?: Metrics): Promise<Buffer> {
  const parts: Buffer[] = new Array<Buffer>(keys.length);
  const arena = new Uint8Array(keys.length * UUID_BYTES);
  const asked: Uint8Array[] = [];
  const slots: number[] = [];
  for (let i = 0; i < keys.length; i++) {
    // readKeyField is what /get_value runs on its body, so a non-string element gets the same error.
    const element = keys[i];
    const key = typeof element === 'string' ? element : readKeyField({ key: element });
    if (typeof key !== 'string') {
      parts[i] = errorJson(key);
      continue;
    }
    const bytes = parseUuid(key, arena.subarray(asked.length * UUID_BYTES, (asked.length + 1) * UUID_BYTES));
    if (bytes === undefined) {
      parts[i] = catalogJson('KEY_INVALID', key);
      continue;
    }
    asked.push(bytes);
    slots.push(i);
  }
  const found = asked.length === 0 ? [] : await store.getMany(asked);
  let hits = 0;
  for (let j = 0; j < asked.length; j++) {
    const value = found[j];
    if (value === undefined) {
      parts[slots[j]!] = catalogJson('KEY_NOT_FOUND', formatUuid(asked[j]!));
    } else {
      parts[slots[j]!] = valueBody(value);
      hits++;
    }
  }
  metrics?.countBatch(keys.length, hits, asked.length - hits, keys.length - asked.length);
  const pieces: Buffer[] = [RESULTS_OPEN];
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) pieces.push(COMMA);
    pieces.push(parts[i]!);
  }
  pieces.push(RESULTS_CLOSE);
  return Buffer.concat(pieces);
}

/** Turns a schema violation of the batch body into the catalog's 400 or 413. */
function batchError(maxKeys: number) {
  return (errors: { keyword: string; instancePath: string; message?: string }[]): RokvError => {
    const first = errors[0];
    if (first?.keyword === 'maxItems') return rokvError('BATCH_TOO_LARGE', maxKeys);
    const where = first?.instancePath ? `"${first.instancePath.slice(1)}"` : 'the body';
    return rokvError('BATCH_INVALID', `${where} ${first?.message ?? 'is not valid'}`, maxKeys);
  };
}

/** Registers `POST /get_values`: many keys in one round trip. */
export function registerGetValues(app: FastifyInstance, store: Store, limits: BatchLimits, metrics?: Metrics): void {
  app.post<{ Body: { keys: unknown[] } }>(
    '/get_values',
    {
      bodyLimit: limits.bodyLimit,
      schema: { body: keysRequestSchema(limits.maxKeys) },
      schemaErrorFormatter: batchError(limits.maxKeys),
    },
    async (request, reply: FastifyReply) => {
      const body = await batchAnswer(store, request.body.keys, metrics);
      reply.raw.setHeader(DATASET_HEADER, store.info().id);
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );
  rejectOtherMethods(app, '/get_values', ['POST']);
}
