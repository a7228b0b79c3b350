import { isUtf8 } from 'node:buffer';
import { jsonType, rokvError } from '../errors.js';
import { parseUuidBytes, UUID_BYTES } from '../uuid.js';
import type { ReaderLimits, StoredRowSink } from './rows.js';

const NL = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const PREFIX = Buffer.from('{"key":"');
const MIDDLE = Buffer.from('","value":"');
/** Offset of the value's opening quote in a line of the canonical shape. */
const VALUE_AT = PREFIX.length + 36 + MIDDLE.length - 1;

/**
 * Reads JSON Lines: one `{"key": "...", "value": "..."}` object a line, from raw bytes. Lines in the
 * canonical shape that `rokv gen` and most exporters write (no spaces, no escapes in the value) are
 * read straight from the bytes: their value bytes already are the stored JSON literal. Any other
 * line goes through JSON.parse. One broken line is one bad row, not a broken file. Blank lines are
 * ignored; a file without a single row is an error, and so is text that is not UTF-8.
 */
export async function readJsonl(
  chunks: AsyncIterable<Buffer>,
  sink: StoredRowSink,
  name: string,
  limits: ReaderLimits,
): Promise<void> {
  const key = new Uint8Array(UUID_BYTES);
  let carry: Buffer | undefined;
  let line = 0;
  let rows = 0;
  const readLines = (buf: Buffer, end: number): void => {
    if (!isUtf8(buf.subarray(0, end))) throw invalidUtf8(name, line, buf, end);
    // A byte order mark may open the file; it is not part of the first line.
    const bom = line === 0 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    for (let start = bom; start < end;) {
      let nl = buf.indexOf(NL, start);
      if (nl === -1 || nl > end) nl = end;
      line++;
      if (readFast(buf, start, nl, key, line, sink) || readSlow(buf.toString('utf8', start, nl), line, sink)) rows++;
      start = nl + 1;
    }
  };
  for await (const chunk of chunks) {
    const buf = carry === undefined ? chunk : Buffer.concat([carry, chunk]);
    const last = buf.lastIndexOf(NL);
    if (last === -1) {
      carry = buf;
    } else {
      readLines(buf, last);
      carry = last + 1 < buf.length ? buf.subarray(last + 1) : undefined;
    }
    if (carry !== undefined && carry.length > limits.maxRowChars) {
      throw rokvError(
        'INPUT_INVALID',
        `${name}:${line + 1}`,
        `line is longer than ${limits.maxRowChars} bytes (see --max-value-bytes)`,
      );
    }
  }
  if (carry !== undefined) readLines(carry, carry.length);
  if (rows === 0)
    throw rokvError('INPUT_INVALID', name, 'empty file: expected JSON lines {"key": "<uuid>", "value": "<string>"}');
}

/**
 * Reads a line of the exact shape {"key":"<uuid>","value":"<text without escapes>"} from bytes.
 * False when the line has any other shape, and the caller falls back to JSON.parse.
 */
function readFast(
  buf: Buffer,
  start: number,
  end: number,
  key: Uint8Array,
  line: number,
  sink: StoredRowSink,
): boolean {
  if (buf[end - 1] === 0x0d) end--;
  if (end - start < VALUE_AT + 3 || buf.compare(PREFIX, 0, PREFIX.length, start, start + PREFIX.length) !== 0)
    return false;
  if (buf.compare(MIDDLE, 0, MIDDLE.length, start + PREFIX.length + 36, start + VALUE_AT + 1) !== 0) return false;
  if (parseUuidBytes(buf, start + PREFIX.length, key) === undefined) return false;
  const open = start + VALUE_AT;
  const close = end - 2;
  if (buf[close] !== QUOTE || buf[end - 1] !== 0x7d) return false;
  for (let i = open + 1; i < close; i++) {
    const b = buf[i]!;
    if (b === QUOTE || b === BACKSLASH || b < 0x20) return false;
  }
  sink.stored(key, buf, open, close + 1, line);
  return true;
}

/** Reads one line with JSON.parse; false for a blank line. */
function readSlow(raw: string, line: number, sink: StoredRowSink): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    if (raw.trim() === '') return false;
    sink.bad(line, 'invalid-row', `not valid JSON (${(err as Error).message})`);
    return true;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    sink.bad(
      line,
      'invalid-row',
      `expected an object {"key": "<uuid>", "value": "<string>"}, found ${jsonType(parsed)}`,
    );
    return true;
  }
  const row = parsed as { key?: unknown; value?: unknown };
  sink.row(row.key, row.value, line);
  return true;
}

/** The error for a block of lines that is not UTF-8, naming the first bad line. */
function invalidUtf8(name: string, linesBefore: number, buf: Buffer, end: number): Error {
  let line = linesBefore + 1;
  for (let start = 0; start < end; line++) {
    let nl = buf.indexOf(NL, start);
    if (nl === -1 || nl > end) nl = end;
    if (!isUtf8(buf.subarray(start, nl))) break;
    start = nl + 1;
  }
  return rokvError(
    'INPUT_INVALID',
    `${name}:${line}`,
    'invalid UTF-8: the line holds bytes that are not UTF-8 text; re-export the file as UTF-8',
  );
}
