import { isUtf8 } from 'node:buffer';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LOWER_U = 0x75;

/** The bytes that may follow a backslash in a JSON string, other than `u` (RFC 8259, section 7). */
const SIMPLE_ESCAPES = new Set([...'"\\/bfnrt'].map((c) => c.charCodeAt(0)));

function isHexDigit(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
}

/**
 * True when `bytes` is exactly one JSON string literal of valid UTF-8, the form every stored value
 * must have: the HTTP layer splices stored bytes into answers as they are, so anything else could
 * turn one answer into several, or into one whose length is not what was counted.
 */
export function isJsonStringLiteral(bytes: Uint8Array): boolean {
  const end = bytes.length - 1;
  if (end < 1 || bytes[0] !== QUOTE || bytes[end] !== QUOTE) return false;
  let i = 1;
  while (i < end) {
    const b = bytes[i]!;
    if (b === BACKSLASH) {
      const e = bytes[i + 1]!;
      if (e === LOWER_U) {
        if (i + 5 >= end) return false;
        for (let h = i + 2; h <= i + 5; h++) if (!isHexDigit(bytes[h]!)) return false;
        i += 6;
      } else {
        // The byte after a final backslash is the closing quote, which it would escape.
        if (i + 1 >= end || !SIMPLE_ESCAPES.has(e)) return false;
        i += 2;
      }
    } else if (b === QUOTE || b < 0x20) {
      return false;
    } else {
      i++;
    }
  }
  return isUtf8(bytes);
}
