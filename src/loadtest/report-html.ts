import type { LoadResult } from './run.js';
import { barChart, esc, label, lineChart } from './svg-chart.js';
import { summaryTable } from './summary.js';

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 800px; color: #1d2433; }
h1 { font-size: 22px; margin-bottom: 4px; }
.sub { color: #5b6475; margin-top: 0; }
table { border-collapse: collapse; margin: 12px 0 20px; }
td, th { text-align: left; padding: 3px 14px 3px 0; border-bottom: 1px solid #e3e6ec; vertical-align: top; }
th { color: #5b6475; font-weight: 500; }
figure { margin: 0 0 18px; border: 1px solid #e3e6ec; border-radius: 6px; padding: 6px; }
svg { width: 100%; height: auto; display: block; font-size: 11px; fill: #3a4252; }
svg .title { font-size: 13px; font-weight: 600; }
svg .grid { stroke: #eceef2; }
.bad { color: #b42318; font-weight: 600; }
pre { background: #f6f7f9; padding: 10px; overflow-x: auto; font-size: 12px; }
`;

/** Renders a run as one self-contained HTML page: summary, charts (inline SVG), no network assets. */
export function renderReport(r: LoadResult): string {
  const t = r.totals;
  const l = r.latencyMs;
  const num = (x: number) => x.toLocaleString('en-US');
  const rows: [string, string][] = [
    ['requests', `${num(t.requests)} in ${r.elapsedS.toFixed(1)} s (${num(r.requestsPerS)} req/s)`],
    [
      'latency (ms)',
      `p50 ${label(l.p50)} · p90 ${label(l.p90)} · p99 ${label(l.p99)} · p99.9 ${label(l.p999)} · max ${label(l.max)}`,
    ],
    [
      'statuses',
      Object.entries(t.statuses)
        .map(([k, v]) => `${k}: ${num(v)}`)
        .join(' · ') || 'none',
    ],
    [
      'no answer',
      Object.entries(t.failures)
        .map(([k, v]) => `${k}: ${num(v)}`)
        .join(' · ') || '0',
    ],
    [
      'answers',
      `found ${num(t.outcomes.found)} · missing ${num(t.outcomes.missing)} · invalid ${num(t.outcomes.invalid)}`,
    ],
    ['wrong answers', String(t.outcomes.wrong)],
    ['errors', String(t.outcomes.error)],
  ];
  if (r.batch > 0) rows.splice(1, 0, ['keys', `${num(t.keys)} (${num(r.keysPerS)} keys/s, ${r.batch} a request)`]);
  const table = rows
    .map(
      ([k, v]) =>
        `<tr><th>${esc(k)}</th><td${(k === 'wrong answers' || k === 'errors') && v !== '0' ? ' class="bad"' : ''}>${esc(v)}</td></tr>`,
    )
    .join('');
  type Interval = LoadResult['intervals'][number];
  const at = (f: (i: Interval) => number) => r.intervals.map((i) => [i.t, f(i)] as const);
  // Rates of the short last interval swing wildly on a handful of requests: they are left out.
  const perS = (f: (i: Interval) => number) =>
    r.intervals.filter((i) => i.seconds >= 0.5).map((i) => [i.t, Math.round(f(i) / i.seconds)] as const);
  const charts = [
    [
      'throughput',
      lineChart(r.batch > 0 ? 'Throughput (errors, wrong: keys / s)' : 'Throughput', 'requests / s', [
        { name: 'requests', color: '#2563eb', points: perS((i) => i.requests) },
        { name: 'errors', color: '#dc2626', points: perS((i) => i.errors) },
        { name: 'wrong', color: '#9333ea', points: perS((i) => i.wrong) },
      ]),
    ],
    [
      'latency',
      lineChart('Latency percentiles', 'ms', [
        { name: 'p50', color: '#16a34a', points: at((i) => i.latency.p50) },
        { name: 'p90', color: '#2563eb', points: at((i) => i.latency.p90) },
        { name: 'p99', color: '#ea580c', points: at((i) => i.latency.p99) },
        { name: 'max', color: '#dc2626', points: at((i) => i.latency.max) },
      ]),
    ],
    [
      'histogram',
      barChart(
        'Latency histogram',
        'requests',
        'latency (ms, log scale)',
        r.histogram.map((b) => ({ label: label(b.fromMs), value: b.count })),
        '#2563eb',
      ),
    ],
  ];
  if (r.server !== null && r.server.length > 0) {
    const s = r.server;
    charts.push(
      [
        'server-cpu',
        lineChart('Server CPU (from /metrics)', '% of one core', [
          { name: 'CPU', color: '#ea580c', points: s.map((x) => [x.t, x.cpuPercent] as const) },
        ]),
      ],
      [
        'server-memory',
        lineChart('Server memory (from /metrics)', 'RSS MiB', [
          { name: 'RSS', color: '#0891b2', points: s.map((x) => [x.t, x.rssMiB] as const) },
        ]),
      ],
    );
  }
  const figures = charts.map(([name, svg]) => `<figure data-chart="${name}">${svg}</figure>`).join('\n');
  const wrong =
    t.wrongExamples.length === 0
      ? ''
      : `<h2 class="bad">Wrong answers (first ${t.wrongExamples.length})</h2><pre>${esc(
          t.wrongExamples.map((w) => `${w.key}\n  expected ${w.expected}\n  received ${w.received}`).join('\n'),
        )}</pre>`;
  const mode =
    r.mode === 'open' ? `open loop at ${num(r.rate ?? 0)} req/s` : `closed loop, ${r.connections} connections`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rokv load test: ${esc(r.url)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body>
<h1>rokv load test</h1>
<p class="sub">${esc(r.url)} · ${esc(mode)} · ${esc(r.keys)} · started ${esc(r.startedAt)}</p>
<table>${table}</table>
${figures}
${wrong}
<details><summary>Text summary</summary><pre>${esc(summaryTable(r))}</pre></details>
</body></html>
`;
}
