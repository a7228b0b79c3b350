import type { onResponseHookHandler } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Outcome } from '../api/contract.js';
import type { Store } from '../store/store.js';
import type { Readiness, VersionReport } from './probes.js';

const DURATION_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/** What one route and method answered: counts by status and a latency histogram, as plain numbers. */
export class RouteStats {
  readonly byStatus = new Map<number, number>();
  /** Count per bucket (not cumulative); the last slot is +Inf. */
  readonly buckets = new Float64Array(DURATION_BUCKETS.length + 1);
  sum = 0;
  count = 0;

  constructor(
    readonly route: string,
    readonly method: string,
  ) {}

  /** Counts one answer with its status and the seconds it took. */
  record(status: number, seconds: number): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    let i = 0;
    while (i < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[i]!) i++;
    this.buckets[i]!++;
    this.sum += seconds;
    this.count++;
  }
}

/** A sample as prom-client's registry formats and its cluster aggregator sums. */
interface Sample {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

/**
 * rokv's Prometheus metrics, in a registry of their own (one per app, so tests can build many).
 * The per-request path only adds to plain numbers (a labelled prom-client update costs about half a
 * microsecond, several per request); the registry reads them when scraped.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly routes: RouteStats[] = [];
  private readonly outcomes = { found: 0, missing: 0, invalid: 0 };
  private readonly batchKeys = new Histogram({
    name: 'rokv_batch_keys',
    help: 'Keys per POST /get_values batch.',
    buckets: [1, 10, 50, 100, 250, 500, 1000, 5000],
    registers: [this.registry],
  });

  constructor(store: Store, versions?: () => VersionReport, readiness?: Readiness) {
    const registers = [this.registry];
    const routes = this.routes;
    const outcomes = this.outcomes;
    this.registry.registerMetric({
      name: 'rokv_http_requests_total',
      help: 'HTTP requests answered, by route, method and status.',
      type: 'counter',
      aggregator: 'sum',
      get: () => ({
        name: 'rokv_http_requests_total',
        help: 'HTTP requests answered, by route, method and status.',
        type: 'counter',
        aggregator: 'sum',
        values: routes.flatMap((r) =>
          [...r.byStatus].map(([status, value]): Sample => ({
            value,
            labels: { route: r.route, method: r.method, status: String(status) },
          })),
        ),
      }),
    } as unknown as Parameters<Registry['registerMetric']>[0]); // a custom collector: prom-client types only name its own classes
    this.registry.registerMetric({
      name: 'rokv_http_request_duration_seconds',
      help: 'Time from receiving a request to finishing its answer, by route and method.',
      type: 'histogram',
      aggregator: 'sum',
      get: () => ({
        name: 'rokv_http_request_duration_seconds',
        help: 'Time from receiving a request to finishing its answer, by route and method.',
        type: 'histogram',
        aggregator: 'sum',
        values: routes.filter((r) => r.count > 0).flatMap((r) => histogramSamples(r)),
      }),
    } as unknown as Parameters<Registry['registerMetric']>[0]); // as above
    new Counter({
      name: 'rokv_lookups_total',
      help: 'Keys looked up (one per /get_value or /values request, one per key of a batch), by outcome.',
      labelNames: ['outcome'] as const,
      registers,
      collect() {
        this.reset();
        for (const outcome of ['found', 'missing', 'invalid'] as const) this.inc({ outcome }, outcomes[outcome]);
      },
    });
    // Every worker serves the same data set, so cluster aggregation keeps the first worker's value.
    new Gauge({
      name: 'rokv_dataset_pairs',
      help: 'Pairs in the data set being served.',
      registers,
      aggregator: 'first',
      collect() {
        this.set(store.info().count);
      },
    });
    new Gauge({
      name: 'rokv_dataset_info',
      help: 'The data set being served (always 1), labelled with its id.',
      labelNames: ['id'] as const,
      registers,
      aggregator: 'first',
      collect() {
        this.reset();
        this.set({ id: store.info().id }, 1);
      },
    });
    if (readiness) {
      new Gauge({
        name: 'rokv_warmup_ratio',
        help: 'Share of the warm-up read into the page cache (1 when done or when there is none); /readyz waits for 1.',
        registers,
        aggregator: 'min',
        collect() {
          this.set(readiness.warmUp?.fraction ?? 1);
        },
      });
      new Gauge({
        name: 'rokv_warmup_seconds',
        help: 'Seconds the warm-up has run, or took once done.',
        registers,
        aggregator: 'max',
        collect() {
          this.set(readiness.warmUp?.status.seconds ?? 0);
        },
      });
    }
    if (versions) {
      new Counter({
        name: 'rokv_version_swaps_total',
        help: 'Data set versions this process swapped in (data root mode).',
        registers,
        collect() {
          this.reset();
          this.inc(versions().swaps);
        },
      });
      new Counter({
        name: 'rokv_version_refusals_total',
        help: 'Data set versions this process refused to serve because they failed verification.',
        registers,
        collect() {
          this.reset();
          this.inc(versions().refusals);
        },
      });
    }
    collectDefaultMetrics({ register: this.registry });
  }

  /** Counts what one answer did to lookups: its keys by outcome, and the size of a batch. */
  countOutcome(outcome: Outcome): void {
    if (outcome.batchKeys > 0) this.batchKeys.observe(outcome.batchKeys);
    this.outcomes.found += outcome.found;
    this.outcomes.missing += outcome.missing;
    this.outcomes.invalid += outcome.invalid;
  }

  /**
   * Counts an answer given outside Fastify (the fast lane): what the route hook and the data route
   * count for one given through Fastify.
   */
  recordAnswer(stats: RouteStats, status: number, seconds: number, outcome: Outcome): void {
    stats.record(status, seconds);
    this.countOutcome(outcome);
  }

  /** The counters of one route and method, created on first use; `record` on them counts an answer. */
  routeStats(route: string, method: string): RouteStats {
    let stats = this.routes.find((r) => r.route === route && r.method === method);
    if (stats === undefined) {
      stats = new RouteStats(route, method);
      this.routes.push(stats);
    }
    return stats;
  }

  /** An onResponse hook for one route, its label fixed when the route is added. */
  responseHook(route: string): onResponseHookHandler {
    const byMethod = new Map<string, RouteStats>();
    return (request, reply, done) => {
      const method = request.method;
      let stats = byMethod.get(method);
      if (stats === undefined) {
        stats = this.routeStats(route, method);
        byMethod.set(method, stats);
      }
      stats.record(reply.statusCode, reply.elapsedTime / 1000);
      done();
    };
  }
}

/** The Prometheus samples of one route's latency histogram: cumulative buckets, sum and count. */
function histogramSamples(r: RouteStats): Sample[] {
  const labels = { route: r.route, method: r.method };
  const samples: Sample[] = [];
  let cumulative = 0;
  for (let i = 0; i <= DURATION_BUCKETS.length; i++) {
    cumulative += r.buckets[i]!;
    const le = i < DURATION_BUCKETS.length ? DURATION_BUCKETS[i]! : '+Inf';
    samples.push({
      value: cumulative,
      labels: { ...labels, le },
      metricName: 'rokv_http_request_duration_seconds_bucket',
    });
  }
  samples.push({ value: r.sum, labels, metricName: 'rokv_http_request_duration_seconds_sum' });
  samples.push({ value: r.count, labels, metricName: 'rokv_http_request_duration_seconds_count' });
  return samples;
}
