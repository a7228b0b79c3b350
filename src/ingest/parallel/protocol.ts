import type { CliErrorCode, HttpErrorCode } from '../../errors.js';
import type { Rejection } from '../rejects.js';
import type { RunFile } from '../sort/run-merge.js';

/** What a parse worker is started with. */
export interface WorkerSetup {
  /** Directory of the run files. */
  dir: string;
  /** Prefix of this worker's run file names. */
  name: string;
  newestFirst: boolean;
  runBytes: number | undefined;
  maxValueBytes: number;
}

/** A block of whole JSON lines for a worker to parse, validate and sort. */
export interface BlockJob {
  kind: 'block';
  /** The block's place in the input stream: results are applied in this order. */
  index: number;
  /** Name of the input, for messages. */
  name: string;
  /** Sequence number of the input's line 0 (see PairValidator). */
  seqBase: number;
  linesBefore: number;
  buf: ArrayBuffer;
}

/** Asks a worker to spill its last run and report its runs. */
export interface FinishJob {
  kind: 'finish';
}

/** A message to a parse worker. */
export type ToWorker = BlockJob | FinishJob;

/** An error, as it crosses the thread boundary: a catalog error keeps its code and status or exit code. */
export type ThreadError =
  | { kind: 'http'; code: HttpErrorCode; status: number; message: string }
  | { kind: 'cli'; code: CliErrorCode; exit: number; message: string }
  | { kind: 'other'; message: string };

/** A block's outcome: rows read, the rows rejected (in order), or the error that stopped it. */
export interface BlockDone {
  kind: 'block';
  index: number;
  rows: number;
  /** Number of the block's last line in its input. */
  lastLine: number;
  rejected: { where: string; rejection: Rejection }[];
  error?: ThreadError;
}

/** A worker's runs once it has finished. */
export interface Finished {
  kind: 'finished';
  runs: RunFile[];
  pairBytes: number;
  added: number;
}

/** A message from a parse worker. */
export type FromWorker = BlockDone | Finished | { kind: 'failed'; error: ThreadError };
