import { Client } from 'undici';

/** The server's resource use at one moment of the run, from its `/metrics`. */
export interface ServerSample {
  /** Seconds since the measured run began. */
  t: number;
  /** CPU used since the previous sample, in percent of one core (200 = two cores busy). */
  cpuPercent: number;
  /** Resident memory of all the server's processes, MiB. */
  rssMiB: number;
}

/**
 * Sums every series of a Prometheus text-format metric (one per worker when the server labels them);
 * undefined when the metric is absent.
 */
export function sumMetric(text: string, name: string): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    // The name must end here: `process_cpu_seconds_total_x` is another metric.
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(
      rest
        .slice(rest.lastIndexOf('}') + 1)
        .trim()
        .split(/\s+/)[0],
    );
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
}

const CPU = 'process_cpu_seconds_total';
const RSS = 'process_resident_memory_bytes';

/**
 * Samples a server's CPU and memory from its `/metrics` over its own connection, so that the load's
 * queue never delays a sample. Servers without `/metrics` (or without process metrics) give no samples.
 */
export class MetricsSampler {
  readonly samples: ServerSample[] = [];
  private readonly client: Client;
  private readonly path: string;
  private last: { wallMs: number; cpuS: number } | undefined;

  constructor(url: string) {
    const base = new URL(url);
    this.client = new Client(base.origin, { headersTimeout: 2000, bodyTimeout: 2000 });
    this.path = `${base.pathname.replace(/\/+$/, '')}/metrics`;
  }

  /** Reads `/metrics` once; true when the server exposes the process metrics. */
  async start(): Promise<boolean> {
    const read = await this.read();
    if (read === undefined) return false;
    this.last = { wallMs: read.wallMs, cpuS: read.cpuS };
    return true;
  }

  /** Takes one sample at `t` seconds of the run (after a successful start). */
  async sample(t: number): Promise<void> {
    if (this.last === undefined) return;
    const read = await this.read();
    if (read === undefined) return;
    const wallS = (read.wallMs - this.last.wallMs) / 1000;
    if (wallS <= 0) return;
    const cpuPercent = Math.max(0, ((read.cpuS - this.last.cpuS) / wallS) * 100);
    this.samples.push({
      t,
      cpuPercent: Math.round(cpuPercent * 10) / 10,
      rssMiB: Math.round((read.rssBytes / 2 ** 20) * 10) / 10,
    });
    this.last = { wallMs: read.wallMs, cpuS: read.cpuS };
  }

  /** Closes the sampler's connection. */
  async close(): Promise<void> {
    await this.client.close();
  }

  private async read(): Promise<{ wallMs: number; cpuS: number; rssBytes: number } | undefined> {
    try {
      const res = await this.client.request({ method: 'GET', path: this.path });
      const text = await res.body.text();
      if (res.statusCode !== 200) return undefined;
      const cpuS = sumMetric(text, CPU);
      const rssBytes = sumMetric(text, RSS);
      if (cpuS === undefined || rssBytes === undefined) return undefined;
      return { wallMs: performance.now(), cpuS, rssBytes };
    } catch {
      // A server too busy to answer its metrics in time leaves a gap in the chart, not a failed run.
      return undefined;
    }
  }
}
