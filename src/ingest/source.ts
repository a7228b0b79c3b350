import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { RokvError, rokvError } from '../errors.js';

/** One input opened for reading: its bytes, decompressed when gzip, and how far reading has come. */
export interface Source {
  /** The name shown in messages: the path, or `stdin`. */
  name: string;
  /** Size of the (possibly compressed) file, for progress; undefined for standard input. */
  size: number | undefined;
  /** Bytes of the file (not of the decompressed data) read so far. */
  bytesRead(): number;
  /** The input's bytes, gunzipped when the data starts with the gzip magic bytes. */
  chunks(): AsyncIterable<Buffer>;
}

const READ_CHUNK = 1 << 20;

/** Opens a file path, or `-` for standard input, without reading it yet. */
export async function openSource(path: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<Source> {
  let size: number | undefined;
  if (path !== '-') {
    try {
      const info = await stat(path);
      if (info.isDirectory()) throw rokvError('INPUT_UNREADABLE', path, 'it is a directory');
      size = info.size;
    } catch (err) {
      if (err instanceof RokvError) throw err;
      throw rokvError('INPUT_UNREADABLE', path, (err as NodeJS.ErrnoException).code ?? String(err));
    }
  }
  let read = 0;
  const name = path === '-' ? 'stdin' : path;
  return {
    name,
    size,
    bytesRead: () => read,
    async *chunks() {
      const raw: AsyncIterable<Buffer> =
        path === '-' ? (stdin as AsyncIterable<Buffer>) : createReadStream(path, { highWaterMark: READ_CHUNK });
      const counted = countBytes(raw, (n) => (read += n));
      try {
        yield* gunzipIfCompressed(counted, name);
      } catch (err) {
        if (err instanceof RokvError) throw err;
        throw rokvError('INPUT_UNREADABLE', name, (err as NodeJS.ErrnoException).code ?? (err as Error).message);
      }
    },
  };
}

async function* countBytes(chunks: AsyncIterable<Buffer>, add: (n: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    add(chunk.length);
    yield chunk;
  }
}

/**
 * Passes bytes through, or through gunzip when they start with the gzip magic bytes (1f 8b): the
 * content decides, not the file name, so compressed standard input works too.
 */
async function* gunzipIfCompressed(chunks: AsyncIterable<Buffer>, name: string): AsyncGenerator<Buffer> {
  const it = chunks[Symbol.asyncIterator]();
  try {
    let head: Buffer = Buffer.alloc(0);
    while (head.length < 2) {
      const next = await it.next();
      if (next.done) break;
      head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
    }
    if (head.length === 0) return;
    if (head[0] !== 0x1f || head[1] !== 0x8b) {
      yield* prepend(head, it);
      return;
    }
    const input = Readable.from(prepend(head, it), { objectMode: false });
    const gunzip = createGunzip({ chunkSize: READ_CHUNK });
    input.on('error', (err) => gunzip.destroy(err));
    try {
      for await (const chunk of input.pipe(gunzip) as AsyncIterable<Buffer>) yield chunk;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code?.startsWith('Z_'))
        throw rokvError('INPUT_INVALID', name, `not valid gzip data (${(err as Error).message})`);
      throw err;
    }
  } finally {
    await it.return?.();
  }
}

async function* prepend(head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield head;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}
