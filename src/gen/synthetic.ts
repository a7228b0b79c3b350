import { UUID_BYTES, formatUuid, stampV4 } from '../uuid.js';

/**
 * sfc32: a small, fast, well-studied PRNG. Determinism for a given seed is what matters here (the
 * example data set must come out identical on every machine), which Math.random cannot give. Each
 * call returns 32 random bits as a signed 32-bit integer: V8 keeps that a small integer, where a
 * u32 above 2^31 would be a heap-allocated double.
 */
export function sfc32(seed: number): () => number {
  // Kept as signed 32-bit integers throughout: the same bits as the unsigned reference, no doubles.
  let a = 0x9e3779b9 | 0;
  let b = 0x243f6a88 | 0;
  let c = 0xb7e15162 | 0;
  let d = seed | 0;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t;
  };
  for (let i = 0; i < 15; i++) next();
  return next;
}

/** A generated pair. */
export interface SyntheticPair {
  key: string;
  value: string;
}

const LETTER_A = 0x61;
const SPACE = 0x20;
/** Most bytes a synthetic value takes: 5 words of 9 letters and the spaces between them. */
export const MAX_SYNTHETIC_VALUE_BYTES = 5 * 9 + 4;

/**
 * `r % m` for the 32 bits `r` read as unsigned (whether `r` holds them signed or not): `r >>> 0`
 * is only ever an operand here, so the optimizer keeps it a machine u32 (about a fifth less CPU a
 * value than splitting it into 16-bit halves, which kept every step a small integer).
 */
function below(r: number, m: number): number {
  return (r >>> 0) % m;
}

/** Writes a value like the example data's (1 to 5 lowercase words of 3 to 9 letters, drawn from `rand`'s 32-bit results) at `at`; returns its end. */
export function writeSyntheticValue(rand: () => number, out: Uint8Array, at: number): number {
  const words = 1 + below(rand(), 5);
  for (let w = 0; w < words; w++) {
    if (w > 0) out[at++] = SPACE;
    const len = 3 + below(rand(), 7);
    for (let l = 0; l < len; l++) out[at++] = LETTER_A + below(rand(), 26);
  }
  return at;
}

/** A value like the example data's, drawn from `rand` (see writeSyntheticValue). */
export function syntheticValue(rand: () => number): string {
  const out = Buffer.allocUnsafe(MAX_SYNTHETIC_VALUE_BYTES);
  return out.toString('latin1', 0, writeSyntheticValue(rand, out, 0));
}

/** Draws the next key's 16 bytes (a UUIDv4) from `rand` into `bytes`. */
export function drawSyntheticKey(rand: () => number, bytes: Uint8Array): Uint8Array {
  for (let i = 0; i < UUID_BYTES; i += 4) {
    const r = rand();
    bytes[i] = r >>> 24;
    bytes[i + 1] = r >>> 16;
    bytes[i + 2] = r >>> 8;
    bytes[i + 3] = r;
  }
  return stampV4(bytes);
}

/**
 * Yields `count` pairs shaped like the original example data: UUIDv4 keys and values of 1 to 5
 * lowercase words of 3 to 9 letters. The same seed always yields the same pairs.
 */
export function* syntheticPairs(count: number, seed: number): Generator<SyntheticPair> {
  const rand = sfc32(seed);
  const bytes = new Uint8Array(UUID_BYTES);
  for (let n = 0; n < count; n++) {
    const key = formatUuid(drawSyntheticKey(rand, bytes));
    yield { key, value: syntheticValue(rand) };
  }
}
