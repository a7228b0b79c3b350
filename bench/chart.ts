// `npm run bench:chart`: redraws docs/performance.svg from the results the scenarios saved in
// bench/results/. Its own command, so a bench run never rewrites a committed file.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderChart } from './lib/chart.js';
import { savedResults } from './lib/results.js';

const CHART = fileURLToPath(new URL('../docs/performance.svg', import.meta.url));
const results = savedResults();
if (results.length === 0) {
  console.error('no saved results in bench/results/: run a scenario first (npm run bench, npm run bench:single, ...)');
  process.exit(1);
}
writeFileSync(CHART, renderChart(results));
console.log(
  `docs/performance.svg drawn from ${results.length} scenario(s): ${results.map((r) => r.scenario).join(', ')}`,
);
