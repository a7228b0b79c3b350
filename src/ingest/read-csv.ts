import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { preview, RokvError, rokvError } from '../errors.js';
import type { ReaderLimits, RowSink } from './rows.js';

interface CsvRecord {
  info: { lines: number };
  record: string[];
}

/**
 * Reads CSV or TSV (RFC 4180 quoting, via csv-parse) whose header row names a `key` and a `value`
 * column, in any position, among any others. A row with the wrong number of fields is a bad row;
 * broken quoting stops the build, since the rest of the file cannot be trusted.
 */
export async function readCsv(
  text: AsyncIterable<string>,
  sink: RowSink,
  name: string,
  delimiter: ',' | '\t',
  limits: ReaderLimits,
): Promise<void> {
  // max_record_size bounds memory when a quote is never closed and the rest of the file looks like one field.
  const parser = parse({
    delimiter,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: limits.maxRowChars,
  });
  const input = Readable.from(text);
  // pipe() does not forward errors: a read error (invalid UTF-8, say) must end the iteration below.
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  let keyAt = -1;
  let valueAt = -1;
  let width = 0;
  try {
    for await (const { info, record } of parser as AsyncIterable<CsvRecord>) {
      if (keyAt === -1) {
        const names = record.map((f) => f.trim().toLowerCase());
        keyAt = names.indexOf('key');
        valueAt = names.indexOf('value');
        width = record.length;
        if (keyAt === -1 || valueAt === -1) {
          throw rokvError(
            'INPUT_INVALID',
            `${name}:${info.lines}`,
            `missing header: the first row must name a "key" and a "value" column, found ${preview(record.join(delimiter))}`,
          );
        }
        continue;
      }
      if (record.length !== width) {
        sink.bad(info.lines, 'invalid-row', `has ${record.length} fields, the header has ${width}`);
        continue;
      }
      sink.row(record[keyAt], record[valueAt], info.lines);
    }
  } catch (err) {
    if (err instanceof RokvError) throw err;
    const e = err as Error & { lines?: number };
    throw rokvError(
      'INPUT_INVALID',
      `${name}:${e.lines ?? '?'}`,
      `not valid ${delimiter === ',' ? 'CSV' : 'TSV'} (${e.message})`,
    );
  }
  if (keyAt === -1)
    throw rokvError('INPUT_INVALID', name, `empty file: expected a header row naming "key" and "value" columns`);
}
