import { isUtf8 } from 'node:buffer';
import { jsonType, rokvError } from '../errors.js';
import { parseUuidBytesInto, UUID_BYTES } from '../uuid.js';
import type { ReaderLimits, StoredRowSink } from './rows.js';

const NL = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const PREFIX = Buffer.from('{"key":"');
const MIDDLE = Buffer.from('","value":"');
/** Offset of the value's opening quote in a line of the canonical shape. */
const VALUE_AT = PREFIX.length + 36 + MIDDLE.length - 1;

/** A run of whole lines of an input: `buf` ends at a line end (or the input's end). */
export interface LineBlock {
  buf: Buffer;
  /** Lines of the input before this block. */
  linesBefore: number;
}

/**
 * Cuts a byte stream into blocks of whole lines of at least `minBytes` (except the last), counting
 * lines so that each block knows where it starts. A line longer than `maxRowChars` stops the read:
 * memory stays bounded whatever the input.
 */
export async function* lineBlocks(
  chunks: AsyncIterable<Buffer>,
  name: string,
  limits: ReaderLimits,
  minBytes = 0,
): AsyncGenerator<LineBlock> {
  let parts: Buffer[] = [];
  let held = 0;
  /** Bytes after the last line end held. */
  let tail = 0;
  let lines = 0;
  const countLines = (buf: Buffer): number => {
    let n = 0;
    for (let at = buf.indexOf(NL); at !== -1; at = buf.indexOf(NL, at + 1)) n++;
    return n;
  };
  for await (const chunk of chunks) {
    parts.push(chunk);
    held += chunk.length;
    const nl = chunk.lastIndexOf(NL);
    tail = nl === -1 ? tail + chunk.length : chunk.length - nl - 1;
    if (tail > limits.maxRowChars) {
      const before = lines + parts.reduce((n, p) => n + countLines(p), 0);
      throw rokvError(
        'INPUT_INVALID',
        `${name}:${before + 1}`,
        `line is longer than ${limits.maxRowChars} bytes (see --max-value-bytes)`,
      );
    }
    if (held < minBytes || nl === -1) continue;
    const buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts, held);
    const block = buf.subarray(0, held - tail);
    parts = tail > 0 ? [buf.subarray(held - tail)] : [];
    held = tail;
    yield { buf: block, linesBefore: lines };
    lines += countLines(block);
  }
  if (held > 0) yield { buf: parts.length === 1 ? parts[0]! : Buffer.concat(parts, held), linesBefore: lines };
}

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
  let rows = 0;
  for await (const block of lineBlocks(chunks, name, limits)) rows += readJsonlBlock(block, sink, name).rows;
  if (rows === 0) throw emptyJsonl(name);
}

/** The error for JSON Lines input without a single row. */
export function emptyJsonl(name: string): Error {
  return rokvError('INPUT_INVALID', name, 'empty file: expected JSON lines {"key": "<uuid>", "value": "<string>"}');
}

/** Reads the lines of one block into `sink` (see readJsonl); returns the rows read and the last line's number. */
export function readJsonlBlock(
  { buf, linesBefore }: LineBlock,
  sink: StoredRowSink,
  name: string,
): { rows: number; lastLine: number } {
  if (!isUtf8(buf)) throw invalidUtf8(name, linesBefore, buf, buf.length);
  const key = new Uint8Array(UUID_BYTES);
  let line = linesBefore;
  let rows = 0;
  // A byte order mark may open the file; it is not part of the first line.
  const bom = linesBefore === 0 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  const end = buf.length;
  for (let start = bom; start < end;) {
    line++;
    const next = readFast(buf, start, end, key, line, sink);
    if (next !== -1) {
      rows++;
      start = next;
      continue;
    }
    let nl = buf.indexOf(NL, start);
    if (nl === -1) nl = end;
    if (readSlow(buf.toString('utf8', start, nl), line, sink)) rows++;
    start = nl + 1;
  }
  return { rows, lastLine: line };
}

/** Whether `buf[at..]` starts with `expected`: a loop, cheaper than Buffer#compare's checks for a few bytes. */
function startsWith(buf: Buffer, at: number, end: number, expected: Buffer): boolean {
  if (at + expected.length > end) return false;
  for (let i = 0; i < expected.length; i++) if (buf[at + i] !== expected[i]) return false;
  return true;
}

/**
 * Reads the line at `start` (of a block ending at `end`) when it has the exact shape
 * {"key":"<uuid>","value":"<text without escapes>"}, finding its end while scanning the value: one
 * pass over the bytes. Returns where the next line starts, or -1 when the line has any other shape
 * and the caller falls back to JSON.parse.
 */
function readFast(buf: Buffer, start: number, end: number, key: Uint8Array, line: number, sink: StoredRowSink): number {
  if (!startsWith(buf, start, end, PREFIX) || !startsWith(buf, start + PREFIX.length + 36, end, MIDDLE)) return -1;
  if (!parseUuidBytesInto(buf, start + PREFIX.length, key, 0)) return -1;
  const open = start + VALUE_AT;
  let close = open + 1;
  for (; close < end; close++) {
    const b = buf[close]!;
    if (b === QUOTE || b === BACKSLASH || b < 0x20) break;
  }
  if (buf[close] !== QUOTE || buf[close + 1] !== 0x7d) return -1;
  let after = close + 2;
  if (buf[after] === 0x0d) after++;
  if (after < end && buf[after] !== NL) return -1;
  sink.stored(key, buf, open, close + 1, line);
  return after + 1;
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
