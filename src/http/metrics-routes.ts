// The metrics on a Fastify app: the response hook that counts every route, and `GET /metrics`.
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { Registry } from 'prom-client';
import { rejectOtherMethods } from './errors.js';
import type { Metrics } from './metrics.js';
import { curlDoc, type RouteDocs } from './openapi.js';

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
  const docs: RouteDocs = {
    summary: 'Prometheus metrics (all workers)',
    description: curlDoc('curl -s localhost:8080/metrics'),
    response: {
      200: { description: 'Prometheus text format.', content: { 'text/plain': { schema: { type: 'string' } } } },
    },
  };
  app.get('/metrics', { config: { docs } }, async (_request, reply) => {
    const body = await text();
    return reply.type(metrics.registry.contentType).send(body);
  });
  rejectOtherMethods(app, '/metrics', ['GET', 'HEAD']);
}
