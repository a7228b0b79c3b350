import { jsonType, rokvError } from '../errors.js';
import type { ReaderLimits, RowSink } from './rows.js';

/**
 * Reads JSON Lines: one `{"key": "...", "value": "..."}` object a line. Each line is parsed on its
 * own with JSON.parse (V8's native parser), so one broken line is one bad row, not a broken file.
 * Blank lines are ignored; a file without a single row is an error.
 */
export async function readJsonl(text: AsyncIterable<string>, sink: RowSink, name: string, limits: ReaderLimits): Promise<void> {
  let carry = '';
  let line = 0;
  let rows = 0;
  for await (const chunk of text) {
    const s = carry === '' ? chunk : carry + chunk;
    let start = 0;
    for (let nl = s.indexOf('\n'); nl !== -1; nl = s.indexOf('\n', start)) {
      line++;
      if (readLine(s.slice(start, nl), line, sink)) rows++;
      start = nl + 1;
    }
    carry = start === 0 ? s : s.slice(start);
    if (carry.length > limits.maxRowChars) {
      throw rokvError('INPUT_INVALID', `${name}:${line + 1}`, `line is longer than ${limits.maxRowChars} characters (see --max-value-bytes)`);
    }
  }
  if (carry !== '' && readLine(carry, ++line, sink)) rows++;
  if (rows === 0) throw rokvError('INPUT_INVALID', name, 'empty file: expected JSON lines {"key": "<uuid>", "value": "<string>"}');
}

/** Reads one line into the sink; false for a blank line. */
function readLine(raw: string, line: number, sink: RowSink): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    if (raw.trim() === '') return false;
    sink.bad(line, 'invalid-row', `not valid JSON (${(err as Error).message})`);
    return true;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    sink.bad(line, 'invalid-row', `expected an object {"key": "<uuid>", "value": "<string>"}, found ${jsonType(parsed)}`);
    return true;
  }
  const row = parsed as { key?: unknown; value?: unknown };
  sink.row(row.key, row.value, line);
  return true;
}
