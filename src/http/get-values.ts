import { AjvCompiler } from '@fastify/ajv-compiler';
import { DATASET_HEADER } from './dataset.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { catalog, rokvError, type ErrorCode, type RokvError } from '../errors.js';
import { lookupPacked } from '../store/packed.js';
import type { PackedValues, Store } from '../store/store.js';
import { parseUuidInto, UUID_BYTES, UUID_LENGTH } from '../uuid.js';
import { errorBody, rejectOtherMethods } from './errors.js';
import { readKeyField } from './get-value.js';
import type { Metrics } from './metrics.js';
import { AJV_OPTIONS, keysRequestSchema } from './schemas.js';

const RESULTS_OPEN = Buffer.from('{"results":[');
const RESULTS_CLOSE = Buffer.from(']}');
// The same wrapping as valueBody in get-value.ts; the batch tests compare both byte for byte.
const VALUE_OPEN = Buffer.from('{"value":');
const VALUE_OPEN_VIEW = viewOf(VALUE_OPEN);
const VALUE_CLOSE = 0x7d; // }
const COMMA = 0x2c;
const HYPHEN = 0x2d;
const HEX_DIGITS = Buffer.from('0123456789abcdef');

/** The exact bytes `sendError` produces for `err`, for an element of a batch answer. */
export function errorJson(err: RokvError): Buffer {
  return Buffer.from(JSON.stringify(errorBody(err)));
}

/**
 * The same bytes for a catalog error built from its code, without constructing an Error: a batch
 * may hold a thousand misses, and each Error would capture a stack trace nobody reads.
 */
function catalogJson<C extends ErrorCode>(code: C, ...args: Parameters<(typeof catalog)[C]>): Buffer {
  const make = catalog[code] as (...a: Parameters<(typeof catalog)[C]>) => { message: string };
  return Buffer.from(JSON.stringify({ message: make(...args).message, code }));
}

// A miss answers the catalog's KEY_NOT_FOUND for the canonical key: the bytes around the key are
// taken from the catalog once, and each miss writes only its key between them.
const SOME_KEY = '00000000-0000-0000-0000-000000000000';
const [MISS_HEAD, MISS_TAIL] = catalogJson('KEY_NOT_FOUND', SOME_KEY)
  .toString()
  .split(SOME_KEY)
  .map((part) => Buffer.from(part)) as [Buffer, Buffer];
const MISS_LENGTH = MISS_HEAD.length + UUID_LENGTH + MISS_TAIL.length;

const NOTHING_FOUND: PackedValues = { bytes: new Uint8Array(0), starts: new Int32Array(0), lengths: new Int32Array(0) };

/** Values up to this many bytes are copied byte by byte; longer ones with TypedArray.set. */
const SHORT_COPY = 64;

/** Copies `src[from, from + length)` into `out` at `at`; returns the position after it. */
function put(out: Buffer, at: number, src: Uint8Array, from: number, length: number): number {
  if (length <= SHORT_COPY) {
    // For the short pieces a batch is made of, a loop beats creating a view to hand to set().
    for (let b = 0; b < length; b++) out[at + b] = src[from + b]!;
  } else {
    out.set(src.subarray(from, from + length), at);
  }
  return at + length;
}

/** A DataView over all of `bytes`. */
function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * As `put` for a short piece, four bytes at a time through DataViews of both buffers: used for the
 * values and their wrapping, the bulk of a batch answer, where it takes ~30 ns a key less than the loop.
 */
function putWords(out: DataView, at: number, src: DataView, from: number, length: number): number {
  let b = 0;
  for (; b + 4 <= length; b += 4) out.setUint32(at + b, src.getUint32(from + b));
  for (; b < length; b++) out.setUint8(at + b, src.getUint8(from + b));
  return at + length;
}

/** Writes the 16 bytes at `key[from]` as a lowercase canonical UUID into `out` at `at`, as formatUuid does. */
function putUuid(out: Buffer, at: number, key: Uint8Array, from: number): number {
  for (let b = 0; b < UUID_BYTES; b++) {
    if (b === 4 || b === 6 || b === 8 || b === 10) out[at++] = HYPHEN;
    const byte = key[from + b]!;
    out[at++] = HEX_DIGITS[byte >> 4]!;
    out[at++] = HEX_DIGITS[byte & 15]!;
  }
  return at;
}

/** Limits of `POST /get_values`. */
export interface BatchLimits {
  maxKeys: number;
  bodyLimit: number;
}

/**
 * The keys of a batch, ready to look up: the valid ones packed 16 bytes each. `slots[i]` is the
 * index of element i among the packed keys, or -1 when `errors[i]` holds its answer; without
 * `slots`, element i is packed key i (every element was valid).
 */
export interface PackedBatch {
  count: number;
  keys: Uint8Array;
  asked: number;
  slots?: Int32Array;
  errors?: Buffer[];
}

/** Packs the elements of a parsed `keys` array; an element that is not a valid key gets its `/get_value` error. */
export function packBatch(elements: readonly unknown[]): PackedBatch {
  const count = elements.length;
  const keys = new Uint8Array(count * UUID_BYTES);
  const slots = new Int32Array(count);
  const errors: Buffer[] = [];
  let asked = 0;
  for (let i = 0; i < count; i++) {
    const element = elements[i];
    if (typeof element === 'string' && parseUuidInto(element, keys, asked * UUID_BYTES)) {
      slots[i] = asked++;
      continue;
    }
    // readKeyField is what /get_value runs on its body, so a non-string element gets the same error.
    const key = typeof element === 'string' ? element : readKeyField({ key: element });
    slots[i] = -1;
    errors[i] = typeof key === 'string' ? catalogJson('KEY_INVALID', key) : errorJson(key);
  }
  return { count, keys, asked, slots, errors };
}

/**
 * Answers a batch: one element per asked key, in order, each the body `/get_value` gives for
 * `{"key": <that key>}`. The packed keys are looked up together; the answer is written straight
 * into one buffer of the exact size, with no object per key. An engine that answers at once gets
 * an answer at once, so no other request runs in between.
 */
export function answerBatch(store: Store, batch: PackedBatch, metrics?: Metrics): Buffer | Promise<Buffer> {
  if (batch.asked === 0) return writeAnswer(batch, NOTHING_FOUND, metrics);
  const lookup = lookupPacked(store, batch.keys, batch.asked);
  if (lookup instanceof Promise) return lookup.then((found) => writeAnswer(batch, found, metrics));
  return writeAnswer(batch, lookup, metrics);
}

function writeAnswer(batch: PackedBatch, found: PackedValues, metrics: Metrics | undefined): Buffer {
  const { count, keys, asked, slots, errors } = batch;
  const { bytes, starts, lengths } = found;
  let size = RESULTS_OPEN.length + RESULTS_CLOSE.length + Math.max(0, count - 1);
  if (errors) for (const error of errors) if (error !== undefined) size += error.length;
  let hits = 0;
  for (let j = 0; j < asked; j++) {
    const length = lengths[j]!;
    if (length < 0) {
      size += MISS_LENGTH;
    } else {
      size += VALUE_OPEN.length + length + 1;
      hits++;
    }
  }
  metrics?.countBatch(count, hits, asked - hits, count - asked);

  const out = Buffer.allocUnsafe(size);
  const outView = viewOf(out);
  const bytesView = viewOf(bytes);
  let at = put(out, 0, RESULTS_OPEN, 0, RESULTS_OPEN.length);
  for (let i = 0; i < count; i++) {
    if (i > 0) out[at++] = COMMA;
    const j = slots === undefined ? i : slots[i]!;
    if (j < 0) {
      const error = errors![i]!;
      at = put(out, at, error, 0, error.length);
      continue;
    }
    const length = lengths[j]!;
    if (length < 0) {
      at = put(out, at, MISS_HEAD, 0, MISS_HEAD.length);
      at = putUuid(out, at, keys, j * UUID_BYTES);
      at = put(out, at, MISS_TAIL, 0, MISS_TAIL.length);
    } else {
      at = putWords(outView, at, VALUE_OPEN_VIEW, 0, VALUE_OPEN.length);
      at =
        length <= SHORT_COPY
          ? putWords(outView, at, bytesView, starts[j]!, length)
          : put(out, at, bytes, starts[j]!, length);
      out[at++] = VALUE_CLOSE;
    }
  }
  at = put(out, at, RESULTS_CLOSE, 0, RESULTS_CLOSE.length);
  // The buffer came from allocUnsafe: had the size been miscounted, old memory would be sent.
  if (at !== size) throw new Error(`batch answer is ${at} bytes, ${size} were counted`);
  return out;
}

/** Turns a schema violation of the batch body into the catalog's 400 or 413. */
function batchError(maxKeys: number) {
  return (errors: readonly { keyword: string; instancePath: string; message?: string }[]): RokvError => {
    const first = errors[0];
    if (first?.keyword === 'maxItems') return rokvError('BATCH_TOO_LARGE', maxKeys);
    const where = first?.instancePath ? `"${first.instancePath.slice(1)}"` : 'the body';
    return rokvError('BATCH_INVALID', `${where} ${first?.message ?? 'is not valid'}`, maxKeys);
  };
}

/** A schema check as Fastify's Ajv compiler builds it. */
type CompiledSchema = ReturnType<ReturnType<ReturnType<typeof AjvCompiler>>>;

/** The validation of a `POST /get_values` body that both Fastify's route and the fast lane run. */
export interface BatchValidator {
  /** Returns the body's `keys` when the body is valid, or the catalog error Fastify would answer. */
  (body: unknown): readonly unknown[] | RokvError;
  /** The compiled schema check, handed to Fastify as the route's validator. */
  compiled: CompiledSchema;
}

/**
 * Compiles the batch body's schema with Fastify's own compiler and the app's Ajv options, so the
 * route and the fast lane validate with one function and answer every invalid body alike.
 */
export function batchValidator(maxKeys: number): BatchValidator {
  const compiled = AjvCompiler()({}, { customOptions: AJV_OPTIONS })({
    schema: keysRequestSchema(maxKeys),
    method: 'POST',
    url: '/get_values',
    httpPart: 'body',
  });
  const toError = batchError(maxKeys);
  const validate = (body: unknown) =>
    compiled(body) ? (body as { keys: readonly unknown[] }).keys : toError(compiled.errors ?? []);
  return Object.assign(validate, { compiled });
}

/** Registers `POST /get_values`: many keys in one round trip. */
export function registerGetValues(
  app: FastifyInstance,
  store: Store,
  limits: BatchLimits,
  validator: BatchValidator,
  metrics?: Metrics,
): void {
  app.post<{ Body: { keys: unknown[] } }>(
    '/get_values',
    {
      bodyLimit: limits.bodyLimit,
      schema: { body: keysRequestSchema(limits.maxKeys) },
      validatorCompiler: () => validator.compiled,
      schemaErrorFormatter: batchError(limits.maxKeys),
    },
    async (request, reply: FastifyReply) => {
      const body = await answerBatch(store, packBatch(request.body.keys), metrics);
      reply.raw.setHeader(DATASET_HEADER, store.info().id);
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );
  rejectOtherMethods(app, '/get_values', ['POST']);
}
