import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { renderChart } from './chart.js';

const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));
const CHART = fileURLToPath(new URL('../../docs/performance.svg', import.meta.url));

/** Throughput of one server in one scenario (medians over the rounds). */
export interface ThroughputBar {
  label: string;
  rps: number;
}

/** Latency percentiles of one server in one scenario, in milliseconds. */
export interface LatencyBar {
  label: string;
  p50: number;
  p99: number;
  p999: number;
}

/** What a scenario reports: printed, saved to bench/results/, and drawn in docs/performance.svg. */
export interface ScenarioResult {
  scenario: string;
  title: string;
  command: string;
  throughput: ThroughputBar[];
  latency?: LatencyBar[];
  /** Figures that are not bars (ratios, start time, memory), one line each. */
  lines: string[];
}

/** Prints a scenario's result, saves it as JSON and redraws the chart from every saved result. */
export function report(result: ScenarioResult): void {
  console.log(`\n## ${result.title}\n(${result.command})`);
  for (const line of result.lines) console.log(`- ${line}`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const saved = {
    ...result,
    at: new Date().toISOString(),
    machine: `${cpus().length} x ${cpus()[0]?.model ?? '?'}`,
    node: process.version,
  };
  writeFileSync(`${RESULTS_DIR}${result.scenario}.json`, JSON.stringify(saved, null, 2) + '\n');
  const all = readdirSync(RESULTS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(`${RESULTS_DIR}${f}`, 'utf8')) as ScenarioResult);
  mkdirSync(fileURLToPath(new URL('../../docs/', import.meta.url)), { recursive: true });
  writeFileSync(CHART, renderChart(all));
  console.log(`(saved bench/results/${result.scenario}.json; chart docs/performance.svg)`);
}
