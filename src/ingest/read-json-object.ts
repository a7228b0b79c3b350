import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import streamObject from 'stream-json/streamers/stream-object.js';
import { RokvError, rokvError } from '../errors.js';
import type { RowSink } from './rows.js';

/**
 * Reads a file holding one JSON object `{"<uuid>": "<value>", ...}` with a streaming parser
 * (stream-json), one property at a time: memory holds one pair, not the file. A syntax error
 * anywhere stops the build, since a broken object cannot be resynchronised.
 */
export async function readJsonObject(text: AsyncIterable<string>, sink: RowSink, name: string): Promise<void> {
  let pair = 0;
  let sawText = false;
  const watched = (async function* () {
    for await (const chunk of text) {
      if (!sawText && chunk.trim() !== '') sawText = true;
      yield chunk;
    }
  })();
  try {
    await pipeline(
      Readable.from(watched),
      streamObject.withParserAsStream(),
      new Writable({
        objectMode: true,
        write(item: { key: string; value: unknown }, _enc, done) {
          try {
            sink.row(item.key, item.value, ++pair);
            done();
          } catch (err) {
            done(err as Error);
          }
        },
      }),
    );
  } catch (err) {
    if (err instanceof RokvError) throw err;
    if (!sawText) throw emptyFile(name);
    const message = (err as Error).message;
    if (/Top-level object should be an object/.test(message)) {
      throw rokvError('INPUT_INVALID', name, 'expected one JSON object {"<uuid>": "<value>", ...}');
    }
    throw rokvError(
      'INPUT_INVALID',
      `${name}, after pair #${pair}`,
      `not valid JSON (${message.replace(/^Parser /, 'parser ')})`,
    );
  }
  if (!sawText) throw emptyFile(name);
}

function emptyFile(name: string): Error {
  return rokvError('INPUT_INVALID', name, 'empty file: expected one JSON object {"<uuid>": "<value>", ...}');
}
