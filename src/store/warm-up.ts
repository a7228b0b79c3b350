import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * What a server reads into the page cache before it says it is ready: `index` the snapshot's upper
 * B-tree pages (every branch page), `full` the whole data file, `auto` the whole file when it takes
 * at most half of this machine's memory and the index otherwise, `off` nothing.
 */
export type WarmUpMode = 'auto' | 'index' | 'full' | 'off';

/** Where a warm-up is: `done` of `total` units read (index probes, or bytes of the file). */
export interface WarmUpStatus {
  mode: 'index' | 'full';
  done: number;
  total: number;
  finished: boolean;
  /** Seconds since the warm-up started, or its duration once finished. */
  seconds: number;
}

/** Share of the machine's memory a data file may take for `auto` to read all of it. */
const FULL_SHARE_OF_MEMORY = 0.5;
/**
 * Index probes per branch page. The probes are keys spread evenly over the key space: each one's
 * lookup reads the branch pages on its path (and one leaf). Branch pages of an appended file cover
 * even slices of the keys, so a few probes per page reach all of them.
 */
const PROBES_PER_BRANCH_PAGE = 3;
const MIN_PROBES = 64;
/**
 * A data file this small is read at once, in the calling thread: it takes milliseconds, and the
 * server is then warm before it listens (the bundled example, test snapshots).
 */
const READ_AT_ONCE_BYTES = 1 << 20;
/** Bytes read at a time in `full` mode. */
const READ_BYTES = 8 << 20;
/** Progress messages a warm-up sends, at most. */
const PROGRESS_STEPS = 100;

/**
 * The warm-up thread, as plain JavaScript run with `eval` (as the LMDB writer thread: lmdb is
 * imported by the exact URL the caller resolved, the same under tsx and from dist/). Reading in a
 * thread keeps the event loop free: the server answers /healthz and lookups while the page cache
 * fills, which it shares with every thread and process mapping the file.
 */
const THREAD_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { path, mode, probesPerPage, minProbes, readBytes, steps } = workerData;
const report = (done, total) => parentPort.postMessage({ done, total });
function full() {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(readBytes);
    const total = workerData.size;
    const every = Math.max(readBytes, Math.ceil(total / steps));
    let done = 0, reported = 0;
    report(0, total);
    for (let got; (got = readSync(fd, buf, 0, buf.length, null)) > 0; ) {
      done += got;
      if (done - reported >= every) report((reported = done), total);
    }
    report(total, total);
  } finally {
    closeSync(fd);
  }
}
async function index() {
  const { open } = await import(workerData.lmdbUrl);
  const db = open({ path, noSubdir: true, readOnly: true, keyEncoding: 'binary', encoding: 'binary', cache: false });
  try {
    const stats = db.getStats();
    const total = Math.max(minProbes, probesPerPage * (stats.treeBranchPageCount || 0));
    const every = Math.max(1, Math.ceil(total / steps));
    const key = Buffer.alloc(16);
    report(0, total);
    for (let i = 0; i < total; i++) {
      // Probe i sits at i/total of the key space: the first 48 bits of the key carry the fraction.
      key.writeUIntBE(Math.floor((i / total) * 2 ** 48), 0, 6);
      db.getBinaryFast(key);
      if ((i + 1) % every === 0) report(i + 1, total);
    }
    report(total, total);
  } finally {
    await db.close();
  }
}
(mode === 'full' ? Promise.resolve().then(full) : index()).then(
  () => parentPort.postMessage({ finished: true }),
  (err) => parentPort.postMessage({ error: String((err && err.stack) || err) }),
);
`;

type Reply = { done: number; total: number } | { finished: true } | { error: string };

/**
 * Reads a snapshot's data file into the page cache in a worker thread, so that a server takes
 * traffic only once its lookups no longer wait on the disk for the B-tree's upper levels (or at
 * all, in `full` mode). `status` tells how far it is; `finished` settles when it is done.
 */
export class WarmUp {
  readonly status: WarmUpStatus;
  /** Resolves when the pages are read; rejects when reading failed. */
  readonly finished: Promise<void>;
  private readonly worker: Worker;
  private readonly started = process.hrtime.bigint();

  private constructor(path: string, mode: 'index' | 'full', size: number, onProgress: (s: WarmUpStatus) => void) {
    this.status = { mode, done: 0, total: mode === 'full' ? size : 0, finished: false, seconds: 0 };
    this.worker = new Worker(THREAD_CODE, {
      eval: true,
      workerData: {
        path,
        mode,
        size,
        lmdbUrl: import.meta.resolve('lmdb'),
        probesPerPage: PROBES_PER_BRANCH_PAGE,
        minProbes: MIN_PROBES,
        readBytes: READ_BYTES,
        steps: PROGRESS_STEPS,
      },
    });
    this.finished = new Promise<void>((resolve, reject) => {
      this.worker.on('message', (msg: Reply) => {
        this.status.seconds = this.elapsed();
        if ('error' in msg) reject(new Error(`warm-up of ${path}: ${msg.error}`));
        else if ('finished' in msg) {
          this.status.finished = true;
          resolve();
        } else {
          this.status.done = msg.done;
          this.status.total = msg.total;
        }
        onProgress(this.status);
      });
      this.worker.on('error', reject);
      this.worker.on('exit', (code) => {
        if (!this.status.finished) reject(new Error(`warm-up of ${path} stopped (thread exit code ${code})`));
      });
    });
    // A failed or stopped warm-up is reported through `finished`; nothing else waits on it.
    this.finished.catch(() => undefined);
  }

  /**
   * Starts warming the data file at `path`; returns undefined when there is nothing to wait for
   * (`off`, or a file of at most READ_AT_ONCE_BYTES, read before this returns).
   */
  static start(path: string, mode: WarmUpMode, onProgress: (s: WarmUpStatus) => void): WarmUp | undefined {
    if (mode === 'off') return undefined;
    const size = statSync(path).size;
    if (size <= READ_AT_ONCE_BYTES) {
      readAtOnce(path, size);
      return undefined;
    }
    const chosen = mode === 'auto' ? (size <= totalmem() * FULL_SHARE_OF_MEMORY ? 'full' : 'index') : mode;
    return new WarmUp(path, chosen, size, onProgress);
  }

  /** Share done, from 0 to 1. */
  get fraction(): number {
    if (this.status.finished) return 1;
    return this.status.total === 0 ? 0 : this.status.done / this.status.total;
  }

  /** Stops reading (at shutdown). */
  async stop(): Promise<void> {
    await this.worker.terminate();
  }

  private elapsed(): number {
    return Number(process.hrtime.bigint() - this.started) / 1e9;
  }
}

/** Reads the `size` bytes of a small file, for the page cache to keep them. */
function readAtOnce(path: string, size: number): void {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(size);
    for (let at = 0, got = 1; at < size && got > 0; at += got) got = readSync(fd, buf, at, size - at, at);
  } finally {
    closeSync(fd);
  }
}
