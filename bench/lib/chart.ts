import type { ScenarioResult } from './results.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
// rokv's bars are blue everywhere; baselines and percentiles take the other colours in turn.
const ROKV = '#2b6cb0';
const COLORS = ['#dd6b20', '#718096', '#38a169', '#805ad5', '#d53f8c'];

interface Row {
  group: string;
  label: string;
  value: number;
  text: string;
}

/** Horizontal bars, one row per value, grouped under a heading per scenario; returns [svg, height]. */
function bars(rows: Row[], title: string, y0: number, width: number): [string, number] {
  const max = Math.max(...rows.map((r) => r.value), 1);
  const left = 230;
  const barMax = width - left - 110;
  let y = y0;
  let svg = `<text x="10" y="${y}" font-size="16" font-weight="bold">${esc(title)}</text>`;
  y += 10;
  let group = '';
  let other = 0;
  rows.forEach((r) => {
    if (r.group !== group) {
      group = r.group;
      y += 22;
      svg += `<text x="10" y="${y}" font-size="13" font-weight="bold" fill="#333">${esc(group)}</text>`;
      y += 6;
    }
    const w = Math.max(1, (r.value / max) * barMax);
    svg += `<text x="${left - 8}" y="${y + 14}" font-size="12" text-anchor="end">${esc(r.label)}</text>`;
    svg += `<rect x="${left}" y="${y + 2}" width="${w.toFixed(1)}" height="16" fill="${r.label.startsWith('rokv') ? ROKV : COLORS[other++ % COLORS.length]}"/>`;
    svg += `<text x="${(left + w + 6).toFixed(1)}" y="${y + 14}" font-size="12">${esc(r.text)}</text>`;
    y += 20;
  });
  return [svg, y];
}

/** An SVG with req/s per scenario and latency percentiles, drawn from the saved benchmark results. */
export function renderChart(results: readonly ScenarioResult[]): string {
  const width = 820;
  const tput: Row[] = results.flatMap((r) =>
    r.throughput.map((b) => ({
      group: r.title,
      label: b.label,
      value: b.rps,
      text: `${Math.round(b.rps).toLocaleString('en-US')} req/s`,
    })),
  );
  const lat: Row[] = results.flatMap((r) =>
    (r.latency ?? []).flatMap((l) =>
      (['p50', 'p99', 'p999'] as const).map((p) => ({
        group: `${r.title}: ${l.label}`,
        label: p === 'p999' ? 'p99.9' : p,
        value: l[p],
        text: `${l[p].toFixed(2)} ms`,
      })),
    ),
  );
  const [a, ya] = bars(tput, 'Throughput (requests/s, median of rounds; one server core unless said)', 24, width);
  const [b, yb] = lat.length ? bars(lat, 'Latency at a fixed rate (ms)', ya + 40, width) : ['', ya];
  const height = yb + 20;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${a}\n${b}\n</svg>\n`;
}
