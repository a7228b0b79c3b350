import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

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

/** What a scenario reports: printed, saved to bench/results/, drawn by `npm run bench:chart`. */
export interface ScenarioResult {
  scenario: string;
  title: string;
  command: string;
  throughput: ThroughputBar[];
  latency?: LatencyBar[];
  /** Figures that are not bars (ratios, start time, memory), one line each. */
  lines: string[];
}

/** Prints a scenario's result and saves it as JSON in bench/results/ (`npm run bench:chart` draws them). */
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
  console.log(`(saved bench/results/${result.scenario}.json)`);
}

/** Every result saved in bench/results/, by scenario name. */
export function savedResults(): ScenarioResult[] {
  if (!existsSync(RESULTS_DIR)) return [];
  return readdirSync(RESULTS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(`${RESULTS_DIR}${f}`, 'utf8')) as ScenarioResult);
}
