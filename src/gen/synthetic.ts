import { formatUuid, stampV4 } from '../uuid.js';

/**
 * sfc32: a small, fast, well-studied PRNG. Determinism for a given seed is what matters here (the
 * example data set must come out identical on every machine), which Math.random cannot give.
 */
function sfc32(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 15; i++) next();
  return next;
}

/** A generated pair. */
export interface SyntheticPair {
  key: string;
  value: string;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** A value like the example data's: 1 to 5 lowercase words of 3 to 9 letters, drawn from `rand`. */
export function syntheticValue(rand: () => number): string {
  const words = 1 + (rand() % 5);
  let value = '';
  for (let w = 0; w < words; w++) {
    if (w > 0) value += ' ';
    const len = 3 + (rand() % 7);
    for (let l = 0; l < len; l++) value += LETTERS[rand() % 26];
  }
  return value;
}

/**
 * Yields `count` pairs shaped like the original example data: UUIDv4 keys and values of 1 to 5
 * lowercase words of 3 to 9 letters. The same seed always yields the same pairs.
 */
export function* syntheticPairs(count: number, seed: number): Generator<SyntheticPair> {
  const rand = sfc32(seed);
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  for (let n = 0; n < count; n++) {
    for (let i = 0; i < 16; i += 4) view.setUint32(i, rand());
    const key = formatUuid(stampV4(bytes));
    yield { key, value: syntheticValue(rand) };
  }
}
