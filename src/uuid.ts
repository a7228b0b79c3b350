/**
 * The one place that knows UUID syntax. A key is accepted only in canonical form:
 * 8-4-4-4-12 hex digits with hyphens, version nibble 4, variant nibble 8/9/a/b, either case.
 */

/** Length of a canonical UUID string. */
export const UUID_LENGTH = 36;

/** Number of bytes in a binary UUID. */
export const UUID_BYTES = 16;

// Hex value of each char code, -1 where the char is not a hex digit. A table lookup per char is
// cheaper than a regex and cannot backtrack, whatever the input. It covers every UTF-16 code unit
// (64 KiB), so a lookup needs no range check; only its first 128 entries are ever hex.
const HEX = new Int8Array(65536).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX[65 + c] = 10 + c;
  HEX[97 + c] = 10 + c;
}

// Where the two hex digits of each of the 16 bytes sit in the 36 chars (the hyphens skipped).
const PAIR_AT = Uint8Array.of(0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34);

const DIGITS = '0123456789abcdef';

/**
 * Parses a canonical UUIDv4 string into 16 bytes, written into `out` (a fresh buffer if absent).
 * Returns undefined when the string is not a canonical UUIDv4.
 */
export function parseUuid(text: string, out: Uint8Array = new Uint8Array(UUID_BYTES)): Uint8Array | undefined {
  return parseUuidInto(text, out, 0) ? out : undefined;
}

/**
 * Parses a canonical UUIDv4 string into `out[at..at+16)`, with the same rules as `parseUuid`, and
 * says whether it was one. Lets a batch pack many keys into one buffer without a view per key.
 */
export function parseUuidInto(text: string, out: Uint8Array, at: number): boolean {
  if (
    text.length !== UUID_LENGTH ||
    text.charCodeAt(8) !== 45 ||
    text.charCodeAt(13) !== 45 ||
    text.charCodeAt(18) !== 45 ||
    text.charCodeAt(23) !== 45
  ) {
    return false;
  }
  // Any non-hex digit makes `bad` negative; checking once at the end keeps the loop branch-free.
  let bad = 0;
  for (let b = 0; b < UUID_BYTES; b++) {
    const i = PAIR_AT[b]!;
    const hi = HEX[text.charCodeAt(i)]!;
    const lo = HEX[text.charCodeAt(i + 1)]!;
    bad |= hi | lo;
    out[at + b] = (hi << 4) | lo;
  }
  return bad >= 0 && isV4At(out, at);
}

/**
 * Parses a canonical UUIDv4 held as ASCII bytes at `bytes[at..at+36)` into `out`, with the same rules
 * as `parseUuid`; lets a reader check a key without first making a string of it.
 */
export function parseUuidBytes(bytes: Uint8Array, at: number, out: Uint8Array): Uint8Array | undefined {
  return parseUuidBytesInto(bytes, at, out, 0) ? out : undefined;
}

/** As `parseUuidBytes`, into `out[outAt..outAt+16)`, saying whether it was a canonical UUIDv4. */
export function parseUuidBytesInto(bytes: Uint8Array, at: number, out: Uint8Array, outAt: number): boolean {
  if (at + UUID_LENGTH > bytes.length) return false;
  if (bytes[at + 8] !== 45 || bytes[at + 13] !== 45 || bytes[at + 18] !== 45 || bytes[at + 23] !== 45) return false;
  // As in parseUuidInto: one check of `bad` at the end keeps the loop branch-free.
  let bad = 0;
  for (let b = 0; b < UUID_BYTES; b++) {
    const i = at + PAIR_AT[b]!;
    const hi = HEX[bytes[i]!]!;
    const lo = HEX[bytes[i + 1]!]!;
    bad |= hi | lo;
    out[outAt + b] = (hi << 4) | lo;
  }
  return bad >= 0 && isV4At(out, outAt);
}

/** Whether the 16 bytes at `bytes[at]` are a v4: version nibble 4 (byte 6), variant bits 10 (byte 8). */
function isV4At(bytes: Uint8Array, at: number): boolean {
  return bytes[at + 6]! >> 4 === 4 && bytes[at + 8]! >> 6 === 2;
}

/** True when `text` is a canonical UUIDv4 (either case). */
export function isUuidV4(text: string): boolean {
  return parseUuid(text, SCRATCH) !== undefined;
}

const SCRATCH = new Uint8Array(UUID_BYTES);

/** Formats 16 bytes as a lowercase canonical UUID string. */
export function formatUuid(bytes: Uint8Array): string {
  if (bytes.length !== UUID_BYTES) throw new RangeError(`a UUID has 16 bytes, received ${bytes.length}`);
  let s = '';
  for (let i = 0; i < UUID_BYTES; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
    const b = bytes[i]!;
    s += DIGITS[b >> 4]! + DIGITS[b & 15]!;
  }
  return s;
}

/** Sets the version (4) and variant (10xx) bits of 16 random bytes, in place, making them a UUIDv4. */
export function stampV4(bytes: Uint8Array): Uint8Array {
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return bytes;
}
