import { parentPort, workerData } from 'node:worker_threads';
import { CliError, HttpError } from '../../errors.js';
import { readJsonlBlock } from '../read-jsonl.js';
import { RunSorter } from '../sort/run-sorter.js';
import { PairValidator, type RejectSink } from '../validate.js';
import type { BlockDone, FromWorker, ThreadError, ToWorker, WorkerSetup } from './protocol.js';

/**
 * A parse worker: reads the JSON lines of the blocks it is sent, validates them and sorts the pairs
 * into run files of its own, so that parsing and run sorting use every core. Rejected rows go back
 * to the main thread, which applies the error budget in input order.
 */
const { setup } = workerData as { setup: WorkerSetup };
const port = parentPort!;
const sorter = new RunSorter(setup.dir, { newestFirst: setup.newestFirst, runBytes: setup.runBytes, name: setup.name });

function threadError(err: unknown): ThreadError {
  if (err instanceof HttpError) return { kind: 'http', code: err.code, status: err.statusCode, message: err.message };
  if (err instanceof CliError) return { kind: 'cli', code: err.code, exit: err.exitCode, message: err.message };
  return { kind: 'other', message: err instanceof Error ? err.message : String(err) };
}

port.on('message', (job: ToWorker) => {
  let reply: FromWorker;
  if (job.kind === 'block') {
    const rejected: BlockDone['rejected'] = [];
    const rejects: RejectSink = { add: (where, rejection) => rejected.push({ where, rejection }) };
    const sink = new PairValidator(job.seqBase, job.name, 'line', sorter, rejects, setup.maxValueBytes);
    const done: BlockDone = { kind: 'block', index: job.index, rows: 0, lastLine: job.linesBefore, rejected };
    try {
      done.lastLine = readJsonlBlock(
        { buf: Buffer.from(job.buf), linesBefore: job.linesBefore },
        sink,
        job.name,
      ).lastLine;
    } catch (err) {
      done.error = threadError(err);
    }
    done.rows = sink.rows;
    reply = done;
  } else {
    try {
      reply = { kind: 'finished', runs: sorter.finish(), pairBytes: sorter.pairBytes, added: sorter.added };
    } catch (err) {
      reply = { kind: 'failed', error: threadError(err) };
    }
  }
  port.postMessage(reply);
});
