/**
 * Hand-made SVG charts for the load test report: drawn here as markup, so the page needs no script,
 * no library and no network to show them.
 */

/** One line of a line chart. */
export interface Series {
  name: string;
  color: string;
  points: readonly (readonly [number, number])[];
}

const W = 760;
const H = 260;
const M = { left: 64, right: 16, top: 34, bottom: 40 };

/** Escapes text for HTML and SVG content and attributes. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A round upper bound (1, 2 or 5 times a power of ten) at or above `x`. */
function niceMax(x: number): number {
  if (x <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

/** A short axis label: 1.5k, 2M, 0.25, 12.3 (three significant digits at most). */
export function label(x: number): string {
  if (x >= 1e6) return `${+(x / 1e6).toPrecision(3)}M`;
  if (x >= 1e3) return `${+(x / 1e3).toPrecision(3)}k`;
  return `${+x.toPrecision(3)}`;
}

function frame(title: string, yLabel: string, xLabel: string, body: string, yMax: number): string {
  const plotH = H - M.top - M.bottom;
  let grid = '';
  for (let i = 0; i <= 4; i++) {
    const y = M.top + plotH - (plotH * i) / 4;
    grid += `<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" class="grid"/>`;
    grid += `<text x="${M.left - 6}" y="${y + 4}" text-anchor="end">${label((yMax * i) / 4)}</text>`;
  }
  return (
    `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg">` +
    `<text x="${M.left}" y="18" class="title">${esc(title)}</text>` +
    grid +
    `<text x="14" y="${M.top + plotH / 2}" transform="rotate(-90 14 ${M.top + plotH / 2})" text-anchor="middle">${esc(yLabel)}</text>` +
    `<text x="${M.left + (W - M.left - M.right) / 2}" y="${H - 6}" text-anchor="middle">${esc(xLabel)}</text>` +
    body +
    '</svg>'
  );
}

/** A line chart of `series` over x from 0 to the largest x, y from 0 to a round maximum. */
export function lineChart(title: string, yLabel: string, series: readonly Series[]): string {
  const xs = series.flatMap((s) => s.points.map(([x]) => x));
  const ys = series.flatMap((s) => s.points.map(([, y]) => y));
  const xMax = Math.max(1, ...xs);
  const yMax = niceMax(Math.max(0, ...ys));
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const px = (x: number) => (M.left + (plotW * x) / xMax).toFixed(1);
  const py = (y: number) => (M.top + plotH - (plotH * y) / yMax).toFixed(1);
  let body = '';
  const step = niceMax(xMax / 8);
  for (let x = 0; x <= xMax + 1e-9; x += step) {
    body += `<text x="${px(x)}" y="${H - M.bottom + 16}" text-anchor="middle">${label(x)}</text>`;
  }
  series.forEach((s, i) => {
    const points = s.points.map(([x, y]) => `${px(x)},${py(y)}`).join(' ');
    body += `<polyline class="series" fill="none" stroke="${s.color}" stroke-width="2" points="${points}"><title>${esc(s.name)}</title></polyline>`;
    for (const [x, y] of s.points) body += `<circle cx="${px(x)}" cy="${py(y)}" r="2.5" fill="${s.color}"/>`;
    const lx = W - M.right - (series.length - i) * 90;
    body += `<rect x="${lx}" y="9" width="10" height="10" fill="${s.color}"/><text x="${lx + 14}" y="18">${esc(s.name)}</text>`;
  });
  return frame(title, yLabel, 'seconds into the run', body, yMax);
}

/** One bar of a bar chart. */
export interface Bar {
  label: string;
  value: number;
}

/** A bar chart, bars in the given order, each labelled below (every few labels when they crowd). */
export function barChart(title: string, yLabel: string, xLabel: string, bars: readonly Bar[], color: string): string {
  const yMax = niceMax(Math.max(0, ...bars.map((b) => b.value)));
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const bw = plotW / Math.max(1, bars.length);
  const every = Math.max(1, Math.ceil(bars.length / 10));
  let body = '';
  bars.forEach((b, i) => {
    const h = (plotH * b.value) / yMax;
    const x = M.left + i * bw;
    body += `<rect class="bar" x="${(x + 1).toFixed(1)}" y="${(M.top + plotH - h).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${color}"><title>${esc(`${b.label}: ${b.value}`)}</title></rect>`;
    if (i % every === 0)
      body += `<text x="${(x + bw / 2).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle">${esc(b.label)}</text>`;
  });
  return frame(title, yLabel, xLabel, body, yMax);
}
