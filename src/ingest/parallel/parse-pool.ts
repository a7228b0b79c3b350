import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CliError, HttpError } from '../../errors.js';
import { emptyJsonl, lineBlocks } from '../read-jsonl.js';
import type { ReaderLimits } from '../rows.js';
import type { RunFile } from '../sort/run-merge.js';
import type { RejectSink } from '../validate.js';
import type { BlockDone, Finished, FromWorker, ThreadError, ToWorker, WorkerSetup } from './protocol.js';

/** Bytes of whole lines sent to a worker at a time. */
const BLOCK_BYTES = 1 << 20;
/** Blocks a worker may have queued: enough that it never waits for the reader, few enough to bound memory. */
const BLOCKS_PER_WORKER = 4;

/** One input, as the pool reads it. */
export interface PoolInput {
  name: string;
  seqBase: number;
  chunks: AsyncIterable<Buffer>;
}

/** What every worker's runs add up to once the inputs are read. */
export interface PoolRuns {
  runs: RunFile[];
  pairBytes: number;
  added: number;
}

// The worker runs this module's sibling: parse-worker.js from dist/, parse-worker.ts from src/ under
// tsx (tests, bench), whose module hooks a worker thread does not inherit on Node 20: there the
// bootstrap registers them before it imports the worker.
const OWN_EXTENSION = extname(fileURLToPath(import.meta.url));
const BOOT = {
  url: new URL(`./parse-worker${OWN_EXTENSION}`, import.meta.url).href,
  tsx: OWN_EXTENSION === '.ts' ? import.meta.resolve('tsx/esm/api') : undefined,
};
const BOOT_CODE = `const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.boot.tsx) (await import(workerData.boot.tsx)).register();
  await import(workerData.boot.url);
})();`;

function fromThread(e: ThreadError): Error {
  switch (e.kind) {
    case 'http':
      return new HttpError(e.code, e.status, e.message);
    case 'cli':
      return new CliError(e.code, e.exit, e.message);
    case 'other':
      return new Error(e.message);
  }
}

/**
 * Parse workers for JSON Lines input: the main thread cuts the input into blocks of whole lines and
 * hands them out; workers parse, validate and sort them into run files. Results are applied in
 * input order, so rejected rows, the error budget and the first error are exactly those of one
 * thread reading alone, and the sequence numbers (line numbers) keep the merge's order of equal keys.
 */
export class ParsePool {
  private readonly workers: Worker[] = [];
  private readonly queued: number[] = [];
  private readonly done = new Map<number, BlockDone>();
  private readonly finished: Finished[] = [];
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private next = 0;

  constructor(threads: number, setup: Omit<WorkerSetup, 'name'>) {
    for (let i = 0; i < threads; i++) {
      const workerSetup: WorkerSetup = { ...setup, name: `w${i}-` };
      const worker = new Worker(BOOT_CODE, { eval: true, workerData: { boot: BOOT, setup: workerSetup } });
      worker.on('message', (msg: FromWorker) => this.receive(i, msg));
      worker.on('error', (err) => this.fail(err));
      worker.on('exit', (code) => this.fail(new Error(`a parse worker exited with code ${code}`)));
      this.workers.push(worker);
      this.queued.push(0);
    }
  }

  /**
   * Reads one JSON Lines input through the workers; returns its rows and the number of its last
   * line. `onBlock` is called after each block is applied (for progress).
   */
  async read(
    input: PoolInput,
    limits: ReaderLimits,
    rejects: RejectSink,
    onBlock: (rows: number) => void,
  ): Promise<{ rows: number; lastLine: number }> {
    let sent = this.next;
    const first = this.next;
    let rows = 0;
    let lastLine = 0;
    const apply = (): void => {
      for (let r = this.done.get(this.next); r !== undefined; r = this.done.get(this.next)) {
        this.done.delete(this.next++);
        for (const { where, rejection } of r.rejected) rejects.add(where, rejection);
        if (r.error) throw fromThread(r.error);
        rows += r.rows;
        lastLine = Math.max(lastLine, r.lastLine);
        onBlock(rows);
      }
    };
    for await (const block of lineBlocks(input.chunks, input.name, limits, BLOCK_BYTES)) {
      while (this.queued.reduce((a, b) => a + b, 0) >= this.workers.length * BLOCKS_PER_WORKER) {
        await this.settle();
      }
      apply();
      const buf = new ArrayBuffer(block.buf.length);
      new Uint8Array(buf).set(block.buf);
      const w = this.queued.indexOf(Math.min(...this.queued));
      this.queued[w]!++;
      const job: ToWorker = {
        kind: 'block',
        index: sent++,
        name: input.name,
        seqBase: input.seqBase,
        linesBefore: block.linesBefore,
        buf,
      };
      this.workers[w]!.postMessage(job, [buf]);
    }
    for (apply(); this.next < sent; apply()) await this.settle();
    if (this.next === first || rows === 0) throw emptyJsonl(input.name);
    return { rows, lastLine };
  }

  /** Has every worker spill its last run; returns all the runs. */
  async finish(): Promise<PoolRuns> {
    for (const w of this.workers) w.postMessage({ kind: 'finish' } satisfies ToWorker);
    while (this.finished.length < this.workers.length) await this.settle();
    return {
      runs: this.finished.flatMap((f) => f.runs),
      pairBytes: this.finished.reduce((n, f) => n + f.pairBytes, 0),
      added: this.finished.reduce((n, f) => n + f.added, 0),
    };
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.failure ??= new Error('the parse pool is closed');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private receive(worker: number, msg: FromWorker): void {
    if (msg.kind === 'block') {
      this.queued[worker]!--;
      this.done.set(msg.index, msg);
    } else if (msg.kind === 'finished') this.finished.push(msg);
    else return this.fail(fromThread(msg.error));
    this.wake?.();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.wake?.();
  }

  /** Waits until a worker replies (or fails). */
  private settle(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this.wake = () => {
        this.wake = undefined;
        if (this.failure) reject(this.failure);
        else resolve();
      };
    });
  }
}
