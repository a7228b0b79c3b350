import { isUtf8 } from 'node:buffer';
import { rokvError } from '../errors.js';

/**
 * Decodes a byte stream as strict UTF-8 into text chunks. A byte sequence that is not UTF-8 stops
 * the build with the byte offset of the line holding it: silently replacing it would store a value
 * that differs from the source.
 */
export async function* decodeUtf8(chunks: AsyncIterable<Buffer>, name: string): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  for await (const chunk of chunks) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw invalidUtf8(name, offset + firstBadLineStart(chunk));
    }
    offset += chunk.length;
    if (text !== '') yield text;
  }
  let tail: string;
  try {
    tail = decoder.decode();
  } catch {
    throw invalidUtf8(name, offset);
  }
  if (tail !== '') yield tail;
}

function invalidUtf8(name: string, offset: number): Error {
  return rokvError(
    'INPUT_INVALID',
    `${name}, byte ${offset}`,
    'invalid UTF-8: the line starting here holds bytes that are not UTF-8 text; re-export the file as UTF-8',
  );
}

/** Offset in `chunk` of the first line that is not valid UTF-8 (0 when the bad sequence started in an earlier chunk). */
function firstBadLineStart(chunk: Buffer): number {
  let start = 0;
  while (start < chunk.length) {
    const nl = chunk.indexOf(0x0a, start);
    const end = nl === -1 ? chunk.length : nl;
    if (!isUtf8(chunk.subarray(start, end))) return start;
    start = end + 1;
  }
  return 0;
}
