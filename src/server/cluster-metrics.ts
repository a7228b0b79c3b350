import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { MetricsSource } from '../http/metrics-routes.js';

const REQUEST = 'rokv:metrics-request';
const REPLY = 'rokv:metrics-reply';
const TIMEOUT_MS = 5_000;

interface MetricsRequest {
  type: typeof REQUEST;
  id: number;
}

interface MetricsReply {
  type: typeof REPLY;
  id: number;
  text?: string;
  error?: string;
}

/**
 * In the primary: answers a worker's request for metrics with every worker's metrics, summed by
 * prom-client's AggregatorRegistry (counters and histograms add up; the data set gauges keep one value).
 */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: Partial<MetricsRequest> | null) => {
    if (message?.type !== REQUEST || typeof message.id !== 'number') return;
    const id = message.id;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: REPLY, id, text } satisfies MetricsReply),
      (err: unknown) => worker.send({ type: REPLY, id, error: (err as Error).message } satisfies MetricsReply),
    );
  });
}

/**
 * In a worker: `/metrics` asks the primary, which gathers this registry from every worker, so a
 * scrape reaches any worker and still sees them all.
 */
export const clusterMetricsSource: MetricsSource = (registry: Registry) => {
  AggregatorRegistry.setRegistries(registry);
  // prom-client installs the worker's answer to the primary's gathering only when an
  // AggregatorRegistry is constructed, in workers as in the primary.
  new AggregatorRegistry();
  let next = 0;
  const pending = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>();
  process.on('message', (message: Partial<MetricsReply> | null) => {
    if (message?.type !== REPLY || typeof message.id !== 'number') return;
    const waiter = pending.get(message.id);
    if (waiter === undefined) return;
    pending.delete(message.id);
    if (typeof message.text === 'string') waiter.resolve(message.text);
    else waiter.reject(new Error(`the primary could not gather metrics: ${message.error ?? 'no reason given'}`));
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('the primary did not answer the metrics request in time'));
      }, TIMEOUT_MS);
      pending.set(id, {
        resolve: (text) => {
          clearTimeout(timer);
          resolve(text);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      process.send?.({ type: REQUEST, id } satisfies MetricsRequest);
    });
};
