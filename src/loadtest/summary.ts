import type { LoadResult } from './run.js';
import type { Interval, Totals } from './stats.js';

/** The one-line progress shown on a terminal once a second. */
export function progressLine(interval: Interval, totals: Totals): string {
  const { p50, p99 } = interval.latency;
  const errors = totals.outcomes.error;
  const wrong = totals.outcomes.wrong;
  return `${interval.t.toFixed(0).padStart(4)}s  ${Math.round(interval.requests / Math.max(interval.seconds, 0.001))
    .toLocaleString('en-US')
    .padStart(9)} req/s  p50 ${ms(p50)}  p99 ${ms(p99)}  errors ${errors}  wrong ${wrong}`;
}

/** The final table: requests, rates, latency percentiles, status counts and answer outcomes. */
export function summaryTable(r: LoadResult): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const { totals, latencyMs: l } = r;
  const mode =
    r.mode === 'open'
      ? `open loop at ${n(r.rate ?? 0)} req/s over ${r.connections} connections`
      : `closed loop, ${r.connections} connections`;
  const rows: [string, string][] = [
    ['target', `${r.url} (${r.batch > 0 ? `POST /get_values, ${r.batch} keys a request` : 'POST /get_value'})`],
    ['load', mode],
    ['keys', r.keys],
    ['duration', `${r.elapsedS.toFixed(1)} s${r.warmupS > 0 ? ` after ${r.warmupS} s of warm-up` : ''}`],
    ['requests', `${n(totals.requests)} (${n(r.requestsPerS)} req/s)`],
  ];
  if (r.batch > 0) rows.push(['keys asked', `${n(totals.keys)} (${n(r.keysPerS)} keys/s)`]);
  rows.push(
    ['latency', `p50 ${ms(l.p50)}  p90 ${ms(l.p90)}  p99 ${ms(l.p99)}  p99.9 ${ms(l.p999)}  max ${ms(l.max)}`],
    ['statuses', counts(totals.statuses) || 'none'],
    ['no answer', counts(totals.failures) || '0'],
    [
      'answers',
      `found ${n(totals.outcomes.found)}  missing ${n(totals.outcomes.missing)}  invalid ${n(totals.outcomes.invalid)}  wrong ${n(totals.outcomes.wrong)}  errors ${n(totals.outcomes.error)}`,
    ],
  );
  if (r.server !== null && r.server.length > 0) {
    const cpu = r.server.map((s) => s.cpuPercent);
    const rss = r.server.map((s) => s.rssMiB);
    rows.push([
      'server',
      `CPU ${avg(cpu).toFixed(0)}% avg, ${Math.max(...cpu).toFixed(0)}% max (of one core); RSS ${Math.max(...rss).toFixed(0)} MiB max`,
    ]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  for (const w of totals.wrongExamples)
    lines.push(`wrong answer for ${w.key}: expected ${w.expected}, received ${w.received}`);
  return `${lines.join('\n')}\n`;
}

function counts(record: Record<string, number>): string {
  return Object.entries(record)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}: ${v.toLocaleString('en-US')}`)
    .join('  ');
}

function ms(x: number): string {
  return x >= 100 ? `${x.toFixed(0)} ms` : x >= 10 ? `${x.toFixed(1)} ms` : `${x.toFixed(2)} ms`;
}

function avg(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
