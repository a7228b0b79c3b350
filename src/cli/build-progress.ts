import cliProgress from 'cli-progress';
import type { BuildProgress } from '../ingest/build.js';

/** Shows a build's progress: a bar on a terminal, a plain line every few seconds otherwise, or nothing. */
export interface ProgressView {
  update(p: BuildProgress): void;
  stop(): void;
}

const PLAIN_EVERY_MS = 5_000;
const BAR_EVERY_MS = 200;

/** Picks the view for `stream`: a bar when it is a terminal, plain lines when not, none when quiet. */
export function progressView(stream: NodeJS.WriteStream, quiet: boolean): ProgressView {
  if (quiet) return { update() {}, stop() {} };
  return stream.isTTY ? new BarView(stream) : new LineView(stream);
}

function rate(rows: number, startedMs: number): number {
  return rows / Math.max(0.001, (Date.now() - startedMs) / 1000);
}

/** Progress as periodic plain lines, for logs and pipes. */
class LineView implements ProgressView {
  private readonly started = Date.now();
  private last = Date.now();

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(p: BuildProgress): void {
    const now = Date.now();
    if (now - this.last < PLAIN_EVERY_MS) return;
    this.last = now;
    const seconds = ((now - this.started) / 1000).toFixed(0);
    if (p.phase === 'read') {
      const share = p.totalBytes ? ` (${((100 * p.bytesRead) / p.totalBytes).toFixed(0)}% of input)` : '';
      this.stream.write(
        `build: read ${p.rows} rows${share}, ${rate(p.rows, this.started).toFixed(0)} rows/s, ${seconds} s\n`,
      );
    } else {
      this.stream.write(`build: wrote ${p.written} of ${p.sorted} pairs, ${seconds} s\n`);
    }
  }

  stop(): void {}
}

/** Progress as a terminal bar (cli-progress): input bytes while reading, pairs while writing. */
class BarView implements ProgressView {
  private readonly bar: cliProgress.SingleBar;
  private readonly started = Date.now();
  private phase: BuildProgress['phase'] | undefined;
  private last = 0;

  constructor(stream: NodeJS.WriteStream) {
    this.bar = new cliProgress.SingleBar(
      {
        stream,
        format: '{phase} [{bar}] {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}',
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  update(p: BuildProgress): void {
    const now = Date.now();
    if (p.phase === this.phase && now - this.last < BAR_EVERY_MS) return;
    this.last = now;
    const payload = {
      phase: p.phase === 'read' ? 'reading' : 'writing',
      rows: p.phase === 'read' ? p.rows : p.written,
      rate: rate(p.rows, this.started).toFixed(0),
    };
    if (p.phase !== this.phase) {
      if (this.phase !== undefined) this.bar.stop();
      this.phase = p.phase;
      // Reading is measured in input bytes (the file sizes are known up front), writing in pairs.
      const total = p.phase === 'read' ? (p.totalBytes ?? 0) : p.sorted;
      this.bar.start(total, 0, payload);
    }
    this.bar.update(p.phase === 'read' ? p.bytesRead : p.written, payload);
  }

  stop(): void {
    if (this.phase !== undefined) this.bar.stop();
  }
}
