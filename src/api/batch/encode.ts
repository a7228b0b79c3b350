import { copyBytes, copyWords, SHORT_COPY_BYTES, viewOf } from '../../bytes.js';
import type { PackedValues } from '../../store/store.js';
import { UUID_BYTES, UUID_LENGTH } from '../../uuid.js';
import { VALUE_CLOSE, VALUE_FRAME_BYTES, VALUE_OPEN } from '../answer.js';
import type { Outcome } from '../contract.js';
import { catalogJson, type PackedBatch } from './pack.js';

const RESULTS_OPEN = Buffer.from('{"results":[');
const RESULTS_CLOSE = Buffer.from(']}');
const VALUE_OPEN_VIEW = viewOf(VALUE_OPEN);
const CLOSE_BRACE = VALUE_CLOSE[0]!;
const COMMA = 0x2c;
const HYPHEN = 0x2d;
const HEX_DIGITS = Buffer.from('0123456789abcdef');

// A miss answers the catalog's KEY_NOT_FOUND for the canonical key: the bytes around the key are
// taken from the catalog once, and each miss writes only its key between them.
const SOME_KEY = '00000000-0000-0000-0000-000000000000';
const [MISS_HEAD, MISS_TAIL] = catalogJson('KEY_NOT_FOUND', SOME_KEY)
  .toString()
  .split(SOME_KEY)
  .map((part) => Buffer.from(part)) as [Buffer, Buffer];
const MISS_BYTES = MISS_HEAD.length + UUID_LENGTH + MISS_TAIL.length;

/** Values found for a batch that asked for no valid key. */
export const NOTHING_FOUND: PackedValues = {
  bytes: new Uint8Array(0),
  starts: new Int32Array(0),
  lengths: new Int32Array(0),
};

/** The exact size of a batch's answer and what its keys came to, counted before anything is written. */
export interface BatchSize {
  bytes: number;
  outcome: Outcome;
}

/** Counts the bytes of the answer to `batch` with the values `found`, and the outcome of its keys. */
export function measureBatch(batch: PackedBatch, found: PackedValues): BatchSize {
  const { count, asked, errors } = batch;
  const { lengths } = found;
  let bytes = RESULTS_OPEN.length + RESULTS_CLOSE.length + Math.max(0, count - 1);
  if (errors) for (const error of errors) if (error !== undefined) bytes += error.length;
  let hits = 0;
  for (let j = 0; j < asked; j++) {
    const length = lengths[j]!;
    if (length < 0) {
      bytes += MISS_BYTES;
    } else {
      bytes += VALUE_FRAME_BYTES + length;
      hits++;
    }
  }
  return { bytes, outcome: { found: hits, missing: asked - hits, invalid: count - asked, batchKeys: count } };
}

/**
 * Writes the answer to `batch`, `{"results":[...]}` with one element per asked key, each the body
 * `/get_value` gives for it, straight into one buffer of the size `measureBatch` counted, with no
 * object per key.
 */
export function writeBatch(batch: PackedBatch, found: PackedValues, size: number): Buffer {
  const { count, keys, slots, errors } = batch;
  const { bytes, starts, lengths } = found;
  const out = Buffer.allocUnsafe(size);
  const outView = viewOf(out);
  const bytesView = viewOf(bytes);
  let at = copyBytes(out, 0, RESULTS_OPEN, 0, RESULTS_OPEN.length);
  for (let i = 0; i < count; i++) {
    if (i > 0) out[at++] = COMMA;
    const j = slots === undefined ? i : slots[i]!;
    if (j < 0) {
      const error = errors![i]!;
      at = copyBytes(out, at, error, 0, error.length);
      continue;
    }
    const length = lengths[j]!;
    if (length < 0) {
      at = copyBytes(out, at, MISS_HEAD, 0, MISS_HEAD.length);
      at = writeUuid(out, at, keys, j * UUID_BYTES);
      at = copyBytes(out, at, MISS_TAIL, 0, MISS_TAIL.length);
    } else {
      at = copyWords(outView, at, VALUE_OPEN_VIEW, 0, VALUE_OPEN.length);
      at =
        length <= SHORT_COPY_BYTES
          ? copyWords(outView, at, bytesView, starts[j]!, length)
          : copyBytes(out, at, bytes, starts[j]!, length);
      out[at++] = CLOSE_BRACE;
    }
  }
  at = copyBytes(out, at, RESULTS_CLOSE, 0, RESULTS_CLOSE.length);
  // The buffer came from allocUnsafe: had the size been miscounted, old memory would be sent.
  if (at !== size) throw new Error(`batch answer is ${at} bytes, ${size} were counted`);
  return out;
}

/** Writes the 16 bytes at `key[from]` as a lowercase canonical UUID into `out` at `at`, as formatUuid does. */
function writeUuid(out: Buffer, at: number, key: Uint8Array, from: number): number {
  for (let b = 0; b < UUID_BYTES; b++) {
    if (b === 4 || b === 6 || b === 8 || b === 10) out[at++] = HYPHEN;
    const byte = key[from + b]!;
    out[at++] = HEX_DIGITS[byte >> 4]!;
    out[at++] = HEX_DIGITS[byte & 15]!;
  }
  return at;
}
