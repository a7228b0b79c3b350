import { rokvError } from '../errors.js';
import { readInputFile } from '../input-file.js';
import { formatUuid, parseUuid } from '../uuid.js';
import { openDataFile } from './lmdb-file.js';
import type { Manifest } from './manifest.js';
import { isRecord, parseJsonOrUndefined } from '../json.js';

/** A golden pair: a key whose value must be exactly this in a new version before it may go live. */
export interface GoldenPair {
  key: Uint8Array;
  value: string;
}

/** The checks a new version must pass before it becomes current. */
export interface PublishGuards {
  /** Pairs that must all be present with exactly these values. */
  expect?: readonly GoldenPair[];
  /** The new version must hold at least this many pairs. */
  minPairs?: number;
  /** The new version may hold at most this fraction fewer pairs than the current one (0.1 = 10%). */
  maxShrink?: number;
}

/**
 * Reads a golden file: one JSON object `{"<uuid>": "<value>", ...}` (the shape `rokv build` takes),
 * or JSON lines `{"key": "<uuid>", "value": "<value>"}`.
 */
export async function readGoldenFile(file: string): Promise<GoldenPair[]> {
  const text = await readInputFile(file);
  const rows: [unknown, unknown, string][] = [];
  const whole = parseJsonOrUndefined(text);
  if (isRecord(whole) && !isKeyValueRow(whole)) {
    for (const [k, v] of Object.entries(whole)) rows.push([k, v, `${file}: key ${JSON.stringify(k)}`]);
  } else {
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      const where = `${file}:${i + 1}`;
      const o = parseJsonOrUndefined(line);
      if (!isRecord(o))
        throw rokvError('INPUT_INVALID', where, 'expected a JSON object {"key": "<uuid>", "value": "<string>"}');
      rows.push([o.key, o.value, where]);
    });
  }
  return rows.map(([k, v, where]) => {
    const key = typeof k === 'string' ? parseUuid(k) : undefined;
    if (key === undefined)
      throw rokvError('INPUT_INVALID', where, `key ${JSON.stringify(k)} is not a canonical UUIDv4`);
    if (typeof v !== 'string') throw rokvError('INPUT_INVALID', where, 'the expected value must be a string');
    return { key, value: v };
  });
}

/** A one-line JSON-lines file parses as a whole too: its two fields tell it apart from a key map. */
function isKeyValueRow(o: Record<string, unknown>): boolean {
  const keys = Object.keys(o);
  return keys.length === 2 && 'key' in o && 'value' in o;
}

/**
 * Checks the snapshot at `dir` against the guards; returns what failed (empty when it may go live).
 * `currentCount` is the pair count of the version serving now, if any.
 */
export async function checkGuards(
  dir: string,
  manifest: Manifest,
  guards: PublishGuards,
  currentCount: number | undefined,
): Promise<string[]> {
  const problems: string[] = [];
  if (guards.minPairs !== undefined && manifest.count < guards.minPairs) {
    problems.push(`it holds ${manifest.count} pairs, fewer than --min-pairs ${guards.minPairs}`);
  }
  if (guards.maxShrink !== undefined && currentCount !== undefined && currentCount > 0) {
    const shrink = (currentCount - manifest.count) / currentCount;
    if (shrink > guards.maxShrink) {
      problems.push(
        `it holds ${manifest.count} pairs, ${(shrink * 100).toFixed(1)}% fewer than the current ${currentCount} (--max-shrink ${(guards.maxShrink * 100).toFixed(1)}%)`,
      );
    }
  }
  if (guards.expect !== undefined && guards.expect.length > 0) {
    const db = openDataFile(dir);
    try {
      const wrong: string[] = [];
      for (const { key, value } of guards.expect) {
        const found = db.getBinary(key as Buffer);
        const actual = found === undefined ? undefined : (JSON.parse(found.toString('utf8')) as string);
        if (actual !== value) wrong.push(formatUuid(key));
      }
      if (wrong.length > 0) {
        const shown = wrong.slice(0, 5).join(', ') + (wrong.length > 5 ? ` and ${wrong.length - 5} more` : '');
        problems.push(`${wrong.length} of ${guards.expect.length} expected pairs differ or are missing: ${shown}`);
      }
    } finally {
      await db.close();
    }
  }
  return problems;
}
