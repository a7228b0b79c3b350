import { copyBytes } from '../bytes.js';
import { UUID_BYTES } from '../uuid.js';
import type { GenFormat } from './format.js';
import { drawSyntheticKey, MAX_SYNTHETIC_VALUE_BYTES, sfc32, writeSyntheticValue } from './synthetic.js';

/** Bytes of output gathered before a chunk is handed on. */
const CHUNK_BYTES = 1 << 20;
/** Characters of a key in text: 32 hex digits and 4 hyphens. */
const KEY_CHARS = 36;

/** The text around each pair of one format: the same bytes renderPairs writes for synthetic pairs. */
interface Frame {
  header: string;
  /** Before the first pair's key, and before every other pair's key. */
  firstOpen: string;
  open: string;
  /** Between the key and the value. */
  middle: string;
  /** After the value. */
  close: string;
  footer: string;
}

// Synthetic values are lowercase letters and spaces: nothing in them needs JSON escaping or CSV quoting.
const FRAMES: Record<GenFormat, Frame> = {
  json: { header: '{', firstOpen: '\n"', open: ',\n"', middle: '": "', close: '"', footer: '\n}\n' },
  jsonl: { header: '', firstOpen: '{"key":"', open: '{"key":"', middle: '","value":"', close: '"}\n', footer: '' },
  csv: { header: 'key,value\n', firstOpen: '', open: '', middle: ',', close: '\n', footer: '' },
};

const HEX = Buffer.from('0123456789abcdef');

/** Writes the 36 characters of a UUID's text form at `at`; returns the end. */
function writeUuidText(key: Uint8Array, out: Buffer, at: number): number {
  for (let i = 0; i < UUID_BYTES; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out[at++] = 0x2d;
    const b = key[i]!;
    out[at++] = HEX[b >> 4]!;
    out[at++] = HEX[b & 15]!;
  }
  return at;
}

/**
 * The bytes of `count` synthetic pairs (syntheticPairs(count, seed)) rendered in `format`, in
 * chunks: the same bytes as renderPairs, written straight into buffers without a string per pair,
 * which is what lets `rokv gen` outrun `rokv build` in a pipe.
 */
export function* renderSyntheticBytes(count: number, seed: number, format: GenFormat): Generator<Buffer> {
  const f = FRAMES[format];
  const firstOpen = Buffer.from(f.firstOpen);
  const open = Buffer.from(f.open);
  const middle = Buffer.from(f.middle);
  const close = Buffer.from(f.close);
  const most =
    Math.max(firstOpen.length, open.length) + KEY_CHARS + middle.length + MAX_SYNTHETIC_VALUE_BYTES + close.length;
  const rand = sfc32(seed);
  const key = new Uint8Array(UUID_BYTES);
  let out = Buffer.allocUnsafe(CHUNK_BYTES);
  let at = out.write(f.header, 0, 'latin1');
  for (let n = 0; n < count; n++) {
    if (at + most > out.length) {
      yield out.subarray(0, at);
      out = Buffer.allocUnsafe(CHUNK_BYTES);
      at = 0;
    }
    const before = n === 0 ? firstOpen : open;
    at = copyBytes(out, at, before, 0, before.length);
    at = writeUuidText(drawSyntheticKey(rand, key), out, at);
    at = copyBytes(out, at, middle, 0, middle.length);
    at = writeSyntheticValue(rand, out, at);
    at = copyBytes(out, at, close, 0, close.length);
  }
  const footer = Buffer.from(f.footer);
  if (at + footer.length > out.length) {
    yield out.subarray(0, at);
    out = Buffer.allocUnsafe(CHUNK_BYTES);
    at = 0;
  }
  at += footer.copy(out, at);
  if (at > 0) yield out.subarray(0, at);
}
