import type { FastifyInstance, onResponseHookHandler, RouteOptions } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../store/store.js';
import { rejectOtherMethods } from './errors.js';

/** Routes that look one key up: their status says the outcome of the lookup. */
const SINGLE_KEY_ROUTES = new Set(['/get_value', '/values/:key']);

/** The outcome of one key's lookup. */
export type Outcome = 'found' | 'missing' | 'invalid';

/** rokv's Prometheus metrics, in a registry of their own (one per app, so tests can build many). */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'rokv_http_requests_total',
    help: 'HTTP requests answered, by route, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'rokv_http_request_duration_seconds',
    help: 'Time from receiving a request to finishing its answer, by route and method.',
    labelNames: ['route', 'method'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  private readonly lookups = new Counter({
    name: 'rokv_lookups_total',
    help: 'Keys looked up (one per /get_value or /values request, one per key of a batch), by outcome.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly batchKeys = new Histogram({
    name: 'rokv_batch_keys',
    help: 'Keys per POST /get_values batch.',
    buckets: [1, 10, 50, 100, 250, 500, 1000, 5000],
    registers: [this.registry],
  });

  constructor(store: Store) {
    const registers = [this.registry];
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
    collectDefaultMetrics({ register: this.registry });
  }

  /** Counts lookups by outcome. */
  countLookups(outcome: Outcome, n = 1): void {
    if (n > 0) this.lookups.inc({ outcome }, n);
  }

  /** Counts one batch: its size and the outcome of each of its keys. */
  countBatch(keys: number, found: number, missing: number, invalid: number): void {
    this.batchKeys.observe(keys);
    this.countLookups('found', found);
    this.countLookups('missing', missing);
    this.countLookups('invalid', invalid);
  }

  /**
   * An onResponse hook for one route, its labels fixed when the route is added: no per-request
   * route lookup, and one bound counter per status seen.
   */
  responseHook(route: string): onResponseHookHandler {
    type Bound = { counters: Map<number, Counter.Internal>; timer: Histogram.Internal<'route' | 'method'> };
    const byMethod = new Map<string, Bound>();
    const single = SINGLE_KEY_ROUTES.has(route);
    return (request, reply, done) => {
      const method = request.method;
      let bound = byMethod.get(method);
      if (bound === undefined) {
        bound = { counters: new Map(), timer: this.duration.labels({ route, method }) };
        byMethod.set(method, bound);
      }
      const status = reply.statusCode;
      let counter = bound.counters.get(status);
      if (counter === undefined) {
        counter = this.requests.labels({ route, method, status: String(status) });
        bound.counters.set(status, counter);
      }
      counter.inc();
      bound.timer.observe(reply.elapsedTime / 1000);
      if (single) {
        if (status === 200 || status === 304) this.lookups.inc({ outcome: 'found' });
        else if (status === 404) this.lookups.inc({ outcome: 'missing' });
        else if (status === 400) this.lookups.inc({ outcome: 'invalid' });
      }
      done();
    };
  }
}

/** Where `/metrics` gets its text: this worker's registry, or all workers' through the primary. */
export type MetricsSource = (registry: Registry) => () => Promise<string>;

/** The default source: this process's registry only. */
export const localMetrics: MetricsSource = (registry) => () => registry.metrics();

/**
 * Adds the per-route response hook to every route added after this call (so it must come before the
 * routes). Requests no route matches (404s) are not counted: Fastify runs no route hook for them.
 */
export function installMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const hook = metrics.responseHook(route.url);
    const existing = route.onResponse;
    route.onResponse = existing === undefined ? [hook] : [...(Array.isArray(existing) ? existing : [existing]), hook];
  });
}

/** Registers `GET /metrics` in Prometheus text format, from `source` (this process's registry by default). */
export function registerMetrics(app: FastifyInstance, metrics: Metrics, source: MetricsSource = localMetrics): void {
  const text = source(metrics.registry);
  app.get('/metrics', async (_request, reply) => {
    const body = await text();
    return reply.type(metrics.registry.contentType).send(body);
  });
  rejectOtherMethods(app, '/metrics', ['GET', 'HEAD']);
}
