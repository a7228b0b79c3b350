import assert from 'node:assert/strict';
import type { LoadResult } from '../../src/loadtest/run.js';
import { runRokv, startRokv, type ServerProcess } from './binary.js';
import { snapshotOf } from './snapshot.js';

/** `count` pairs whose keys are `prefix` (the first 24 characters of a UUIDv4) and their index in hex. */
export function numberedPairs(prefix: string, count: number, value: (i: number) => string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (let i = 0; i < count; i++) pairs[`${prefix}${i.toString(16).padStart(12, '0')}`] = value(i);
  return pairs;
}

/** What a load test runs against: a snapshot of the pairs and a one-worker `rokv serve` of it. */
export interface LoadTarget {
  snapshot: string;
  server: ServerProcess;
}

/** Builds a snapshot of `pairs` and serves it with one worker, for `rokv loadtest` to load. */
export async function serveLoadTarget(pairs: Record<string, string>): Promise<LoadTarget> {
  const snapshot = await snapshotOf(pairs);
  return { snapshot, server: await startRokv(['--data', snapshot, '--workers', '1']) };
}

/** Keys drawn from `snapshot` with a fifth of them missing and a tenth invalid: every outcome occurs. */
export function mixedKeysFrom(snapshot: string): string[] {
  return ['--keys-from', snapshot, '--miss-ratio', '0.2', '--invalid-ratio', '0.1'];
}

/** Runs `rokv loadtest --json ARGS`: its exit code, its report (stdout must be one) and its stderr. */
export async function loadtestJson(
  args: string[],
): Promise<{ code: number | null; result: LoadResult; stderr: string }> {
  const { code, stdout, stderr } = await runRokv(['loadtest', '--json', ...args], { timeoutMs: 60_000 });
  assert.ok(stdout.startsWith('{'), `expected JSON on stdout, got:\n${stdout}\n${stderr}`);
  return { code, result: JSON.parse(stdout) as LoadResult, stderr };
}
