import { closeSync, openSync, writeSync } from 'node:fs';
import { rokvError } from '../errors.js';
import type { RejectReason } from './rows.js';

/** One rejected row, as written to the `--errors` file. */
export interface Rejection {
  file: string;
  /** Line (or pair number, for a JSON object) of the row in its file. */
  line: number;
  reason: RejectReason;
  key?: string;
  message: string;
}

/** What the build reports about rejected rows. */
export interface RejectSummary {
  total: number;
  byReason: Partial<Record<RejectReason, number>>;
  /** The first few rejections with their place as messages name it, for the summary a person reads. */
  examples: (Rejection & { where: string })[];
}

const EXAMPLES = 5;

/**
 * The error budget of a build. Every rejected row is counted by reason and, with an errors file,
 * appended to it as one JSON line. The row past the budget (`--max-errors`, 0 by default) stops the
 * build with its own location and reason.
 */
export class RejectLog {
  private readonly summary: RejectSummary = { total: 0, byReason: {}, examples: [] };
  private fd: number | undefined;
  private pending = '';

  constructor(
    private readonly maxErrors: number,
    errorsFile?: string,
  ) {
    if (errorsFile !== undefined) {
      try {
        this.fd = openSync(errorsFile, 'w');
      } catch (err) {
        throw rokvError(
          'USAGE',
          `cannot write --errors ${errorsFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        );
      }
    }
  }

  /** Records a rejected row described at `where`; throws once more rows were rejected than allowed. */
  add(where: string, rejection: Rejection): void {
    const s = this.summary;
    s.total++;
    s.byReason[rejection.reason] = (s.byReason[rejection.reason] ?? 0) + 1;
    if (s.examples.length < EXAMPLES) s.examples.push({ ...rejection, where });
    if (this.fd !== undefined) {
      this.pending += `${JSON.stringify(rejection)}\n`;
      if (this.pending.length > 1 << 16) this.flush();
    }
    if (s.total > this.maxErrors) {
      this.close();
      const budget = this.maxErrors === 0 ? '' : ` (more than --max-errors ${this.maxErrors} bad rows)`;
      throw rokvError('INPUT_INVALID', where, `${rejection.message}${budget}`);
    }
  }

  /** Counts per reason and the first examples. */
  result(): RejectSummary {
    return this.summary;
  }

  /** Writes what is pending and closes the errors file. */
  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private flush(): void {
    if (this.fd === undefined || this.pending === '') return;
    writeSync(this.fd, this.pending);
    this.pending = '';
  }
}
