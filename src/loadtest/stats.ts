import { build, type Histogram } from 'hdr-histogram-js';
import type { Outcome, Verdict, WrongAnswer } from './check.js';

/** Latency percentiles in milliseconds. */
export interface Latency {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** What happened during one interval (one second) of a run. */
export interface Interval {
  /** End of the interval, seconds since the measured run began. */
  t: number;
  /** Length of the interval in seconds (one, except for the last, shorter one). */
  seconds: number;
  requests: number;
  keys: number;
  errors: number;
  wrong: number;
  latency: Latency;
}

/** One bar of the latency histogram: answers that took from `fromMs` up to `toMs`. */
export interface Bucket {
  fromMs: number;
  toMs: number;
  count: number;
}

/** Totals of a run so far. */
export interface Totals {
  requests: number;
  keys: number;
  /** Answers by HTTP status, as strings ("200", "404", ...). */
  statuses: Record<string, number>;
  /** Requests that got no answer, by cause ("timeout", "ECONNREFUSED", ...). */
  failures: Record<string, number>;
  outcomes: Record<Outcome, number>;
  wrongExamples: WrongAnswer[];
}

const WRONG_EXAMPLES = 5;
// Histogram bars on a log scale, four a doubling: fine enough to see modes, few enough to draw.
const BUCKETS_PER_DOUBLING = 4;

function newHistogram(): Histogram {
  // Microseconds from 1 us to one hour, 3 significant digits; auto-resize covers anything longer.
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

/** Latency percentiles of a histogram (recorded in microseconds) in milliseconds. */
function latencyOf(h: Histogram): Latency {
  const ms = (us: number) => Math.round(us) / 1000;
  if (h.totalCount === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  // A percentile is reported as the top of its bucket, which can lie a hair above the exact maximum.
  const at = (percentile: number) => ms(Math.min(h.getValueAtPercentile(percentile), h.maxValue));
  return {
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: ms(h.maxValue),
    mean: ms(h.mean),
  };
}

/** Counts and latencies of a run: overall, per interval, and the histogram bars of the report. */
export class Recorder {
  readonly totals: Totals = {
    requests: 0,
    keys: 0,
    statuses: {},
    failures: {},
    outcomes: { found: 0, missing: 0, invalid: 0, wrong: 0, error: 0 },
    wrongExamples: [],
  };
  readonly intervals: Interval[] = [];
  private readonly overall = newHistogram();
  private readonly current = newHistogram();
  private readonly buckets = new Map<number, number>();
  private intervalStart = { requests: 0, keys: 0, errors: 0, wrong: 0 };

  /** Records an answered request: its latency (ms), status and one verdict per key. */
  answered(latencyMs: number, status: number, verdicts: readonly Verdict[]): void {
    const us = Math.max(1, Math.round(latencyMs * 1000));
    this.overall.recordValue(us);
    this.current.recordValue(us);
    const bucket = Math.floor(Math.log2(us) * BUCKETS_PER_DOUBLING);
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + 1);
    this.totals.requests++;
    this.totals.statuses[status] = (this.totals.statuses[status] ?? 0) + 1;
    for (const v of verdicts) {
      this.totals.keys++;
      this.totals.outcomes[v.outcome]++;
      if (v.wrong !== undefined && this.totals.wrongExamples.length < WRONG_EXAMPLES)
        this.totals.wrongExamples.push(v.wrong);
    }
  }

  /** Records a request that got no answer (cause: "timeout", an errno code, ...) for `keys` keys. */
  failed(cause: string, keys: number): void {
    this.totals.requests++;
    this.totals.keys += keys;
    this.totals.outcomes.error += keys;
    this.totals.failures[cause] = (this.totals.failures[cause] ?? 0) + 1;
  }

  /** Closes the current interval at `t` seconds and starts the next one. */
  closeInterval(t: number): Interval {
    const { requests, keys, outcomes } = this.totals;
    const errors = outcomes.error;
    const wrong = outcomes.wrong;
    const interval: Interval = {
      t,
      seconds: Math.round((t - (this.intervals.at(-1)?.t ?? 0)) * 1000) / 1000,
      requests: requests - this.intervalStart.requests,
      keys: keys - this.intervalStart.keys,
      errors: errors - this.intervalStart.errors,
      wrong: wrong - this.intervalStart.wrong,
      latency: latencyOf(this.current),
    };
    this.current.reset();
    this.intervalStart = { requests, keys, errors, wrong };
    this.intervals.push(interval);
    return interval;
  }

  /** True when requests were recorded since the last interval closed. */
  intervalHasRequests(): boolean {
    return this.totals.requests !== this.intervalStart.requests;
  }

  /** Latency percentiles over the whole run. */
  latency(): Latency {
    return latencyOf(this.overall);
  }

  /** The latency histogram as bars on a log scale, from the fastest to the slowest answer. */
  histogram(): Bucket[] {
    const indexes = [...this.buckets.keys()].sort((a, b) => a - b);
    if (indexes.length === 0) return [];
    const edgeMs = (i: number) => Math.round(2 ** (i / BUCKETS_PER_DOUBLING)) / 1000;
    const bars: Bucket[] = [];
    for (let i = indexes[0]!; i <= indexes[indexes.length - 1]!; i++) {
      bars.push({ fromMs: edgeMs(i), toMs: edgeMs(i + 1), count: this.buckets.get(i) ?? 0 });
    }
    return bars;
  }
}
