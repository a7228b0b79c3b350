import { Worker } from 'node:worker_threads';
import { copyBytes, copyWords, SHORT_COPY_BYTES, viewOf } from '../bytes.js';
import { UUID_BYTES } from '../uuid.js';
import { NATIVE_ADDON_PATH, nativeAddon } from './native-addon.js';

/** A pair as it is stored: 16 key bytes and the stored value bytes. */
export interface StoredPair {
  key: Uint8Array;
  value: Uint8Array;
}

/**
 * A pair as it is stored, in place in one buffer: 16 key bytes at `keyAt`, the value's bytes at
 * `valueAt` up to `valueEnd`. A merge hands out views of its read buffers, so no pair costs an
 * allocation on its way to the writer.
 */
export interface PairView {
  bytes: Uint8Array;
  keyAt: number;
  valueAt: number;
  valueEnd: number;
  /**
   * A DataView over all of `bytes`, when the producer keeps one: the writer then copies the pair
   * four bytes at a time (copyWords) instead of byte by byte, which was most of the merge thread's
   * time (docs/scaling.md).
   */
  dataView?: DataView;
}

/**
 * Pairs pulled one at a time: `pull()` gives the next pair (valid until the next call), undefined
 * at the end. The build's merge hands its pairs over this way: an iterator's result object per pair,
 * through the merge's layers, was a third of the merge thread's time in garbage collection.
 */
export interface PairSource {
  pull(): PairView | undefined;
}

/** An iterable of pairs as a PairSource. */
function sourceOf(pairs: Iterable<PairView>): PairSource {
  const it = pairs[Symbol.iterator]();
  return {
    pull: () => {
      const r = it.next();
      return r.done === true ? undefined : r.value;
    },
  };
}

/** `pairs` as views, each copied into one scratch buffer (valid until the next pair). */
export function* viewsOf(pairs: Iterable<StoredPair>): Generator<PairView> {
  const view: PairView = { bytes: new Uint8Array(0), keyAt: 0, valueAt: UUID_BYTES, valueEnd: UUID_BYTES };
  for (const { key, value } of pairs) {
    if (key.length !== UUID_BYTES) throw new RangeError(`a key has ${UUID_BYTES} bytes, received ${key.length}`);
    if (view.bytes.length < UUID_BYTES + value.length) view.bytes = new Uint8Array(2 * (UUID_BYTES + value.length));
    view.bytes.set(key, 0);
    view.bytes.set(value, UUID_BYTES);
    view.valueEnd = UUID_BYTES + value.length;
    yield view;
  }
}

/** What writing the pairs produced. */
export interface WriteResult {
  count: number;
  checksum: string;
}

/** Bytes of pairs handed to the writer thread at a time, each batch one LMDB transaction. */
const BATCH_BYTES = 4 << 20;
/** Batches in flight: enough that neither thread waits for the other in the steady state. */
const BATCHES = 4;

/**
 * The writer thread, as plain JavaScript run with `eval`: a worker file would need a different path
 * under tsx (tests) and in dist/, and this way lmdb is imported by the exact URL the caller resolved.
 * Each batch holds records (16 key bytes, u32 BE value length, value bytes) in ascending key order,
 * which is byte for byte the stream the content checksum (PairChecksum) hashes: the thread hashes
 * each batch whole, writes it in one transaction and sends the buffer back for reuse. With the
 * native addon one call writes a batch (MDB_APPEND in C); lmdb-js takes a call per pair, whose
 * JavaScript was most of the write phase (bench/scale.ts compares the two).
 */
const THREAD_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hash = createHash('sha256');
const report = (err) => parentPort.postMessage({ error: String(err && err.stack || err) });
const nativeStore = (native) => {
  const writer = native.createWriter(workerData.path, workerData.mapSize);
  return { write: (buf, length) => native.writeBatch(writer, buf, length), close: async () => native.closeWriter(writer) };
};
const lmdbJsStore = ({ open }) => {
  const db = open({ path: workerData.path, noSubdir: true, keyEncoding: 'binary', encoding: 'binary', cache: false, noSync: true, mapSize: workerData.mapSize });
  const append = { append: true };
  return {
    write: (buf, length) => {
      let n = 0;
      db.transactionSync(() => {
        for (let at = 0; at < length; n++) {
          const len = buf[at + 16] * 0x1000000 + ((buf[at + 17] << 16) | (buf[at + 18] << 8) | buf[at + 19]);
          db.putSync(buf.subarray(at, at + 16), buf.subarray(at + 20, at + 20 + len), append);
          at += 20 + len;
        }
      });
      return n;
    },
    close: async () => {
      await db.flushed;
      await db.close();
    },
  };
};
const opened = workerData.nativePath
  ? Promise.resolve().then(() => nativeStore(require(workerData.nativePath)))
  : import(workerData.lmdbUrl).then(lmdbJsStore);
opened.then((store) => {
  let count = 0;
  parentPort.on('message', async (msg) => {
    try {
      if (msg.done) {
        await store.close();
        parentPort.postMessage({ closed: true, count, checksum: 'sha256:' + hash.digest('hex') });
        return;
      }
      const buf = Buffer.from(msg.buf, 0, msg.length);
      hash.update(buf);
      count += store.write(buf, msg.length);
      parentPort.postMessage({ buf: msg.buf }, [msg.buf]);
    } catch (err) {
      report(err);
    }
  });
  parentPort.postMessage({ ready: true });
}, report);
`;

/** Which code writes the LMDB file: rokv's native addon (a call per batch) or lmdb-js (a call per pair). */
export type LmdbWriterKind = 'native' | 'lmdb-js';

/** The writer used when none is asked for: the native one where the addon is built. */
export const defaultLmdbWriter = (): LmdbWriterKind => (nativeAddon === undefined ? 'lmdb-js' : 'native');

type Reply =
  { ready: true } | { buf: ArrayBuffer } | { closed: true; count: number; checksum: string } | { error: string };

interface Written {
  count: number;
  checksum: string;
}

/**
 * Writes pairs, in strictly ascending key order, into a new LMDB file at `path` from a worker
 * thread, which also computes the content checksum, while this thread produces the next pairs:
 * the two halves of the work overlap on two cores. Returns the pair count and the checksum.
 */
export async function writeLmdbInThread(
  path: string,
  pairs: Iterable<PairView> | PairSource,
  mapSize: number,
  kind: LmdbWriterKind = defaultLmdbWriter(),
): Promise<WriteResult> {
  if (kind === 'native' && nativeAddon === undefined)
    throw new Error('the native LMDB writer is not built (npm run build:native)');
  const worker = new Worker(THREAD_CODE, {
    eval: true,
    workerData: {
      path,
      mapSize,
      lmdbUrl: import.meta.resolve('lmdb'),
      nativePath: kind === 'native' ? NATIVE_ADDON_PATH : undefined,
    },
  });
  const free: ArrayBuffer[] = [];
  let waiting: ((buf: ArrayBuffer) => void) | undefined;
  let failed: Error | undefined;
  let onFail: ((err: Error) => void) | undefined;
  let closed: ((written: Written) => void) | undefined;
  const fail = (err: Error): void => {
    failed ??= err;
    onFail?.(failed);
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the LMDB writer thread exited with code ${code}`)));
  worker.on('message', (msg: Reply) => {
    if ('error' in msg) fail(new Error(`LMDB writer thread: ${msg.error}`));
    else if ('ready' in msg) for (let i = 0; i < BATCHES; i++) give(new ArrayBuffer(BATCH_BYTES));
    else if ('buf' in msg) give(msg.buf);
    else closed?.({ count: msg.count, checksum: msg.checksum });
  });
  function give(buf: ArrayBuffer): void {
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(buf);
    } else free.push(buf);
  }
  const until = <T>(register: (resolve: (v: T) => void) => void): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (failed) return reject(failed);
      onFail = reject;
      register(resolve);
    });
  const take = (): Promise<ArrayBuffer> =>
    free.length > 0 ? Promise.resolve(free.pop()!) : until((r) => (waiting = r));
  const send = (buf: ArrayBuffer, length: number): void => worker.postMessage({ buf, length }, [buf]);

  const source = 'pull' in pairs ? pairs : sourceOf(pairs);
  let count = 0;
  try {
    let buf = Buffer.from(await take());
    let dst = viewOf(buf);
    let fill = 0;
    for (let p = source.pull(); p !== undefined; p = source.pull()) {
      const n = p.valueEnd - p.valueAt;
      const size = UUID_BYTES + 4 + n;
      if (fill + size > buf.length) {
        if (fill > 0) send(buf.buffer, fill);
        // A value larger than a batch gets a batch of its own size.
        buf = size > BATCH_BYTES ? Buffer.from(new ArrayBuffer(size)) : Buffer.from(await take());
        dst = viewOf(buf);
        fill = 0;
      }
      const src = p.dataView;
      if (src !== undefined) {
        copyWords(dst, fill, src, p.keyAt, UUID_BYTES);
        dst.setUint32(fill + UUID_BYTES, n);
        if (n <= SHORT_COPY_BYTES) copyWords(dst, fill + UUID_BYTES + 4, src, p.valueAt, n);
        else copyBytes(buf, fill + UUID_BYTES + 4, p.bytes, p.valueAt, n);
      } else {
        const at = copyBytes(buf, fill, p.bytes, p.keyAt, UUID_BYTES);
        dst.setUint32(at, n);
        copyBytes(buf, at + 4, p.bytes, p.valueAt, n);
      }
      fill += size;
      count++;
    }
    if (fill > 0) send(buf.buffer, fill);
    worker.postMessage({ done: true });
    const written = await until<Written>((r) => (closed = r));
    if (written.count !== count)
      throw new Error(`the LMDB writer thread wrote ${written.count} pairs, ${count} were sent`);
    return written;
  } finally {
    await worker.terminate();
  }
}
