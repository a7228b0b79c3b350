import { randomUUID } from 'node:crypto';
import { rokvError } from '../errors.js';
import { readInputFile } from '../input-file.js';
import { openDataFile } from '../snapshot/lmdb-file.js';
import { checkSnapshot } from '../snapshot/verify.js';
import { formatUuid, isUuidV4 } from '../uuid.js';

/** What a correct server answers for a key: its value, not found, invalid, or found-or-not (unknown). */
export type Expectation =
  { kind: 'value'; value: string } | { kind: 'missing' } | { kind: 'invalid' } | { kind: 'found-or-missing' };

/** One key to ask for, with the answer it must get. */
export interface Probe {
  key: string;
  expect: Expectation;
}

/** Where the keys of a run come from. */
export interface KeySource {
  /** For the report: "snapshot DIR (N keys)", "file F (N keys)", "random UUIDs". */
  label: string;
  /** Draws one probe. */
  pick(): Probe;
}

/** Keys (with their values) of the snapshot at `dir`, at most `limit` of them, checked against the value. */
export async function snapshotKeys(dir: string, limit: number): Promise<KeySource> {
  await checkSnapshot(dir);
  const db = openDataFile(dir);
  const probes: Probe[] = [];
  try {
    // Keys are random UUIDs stored in key order, so the first `limit` are as good a sample as any.
    for (const { key, value } of db.getRange({ limit })) {
      probes.push({
        key: formatUuid(key),
        expect: { kind: 'value', value: JSON.parse(value.toString('utf8')) as string },
      });
    }
  } finally {
    await db.close();
  }
  if (probes.length === 0) throw rokvError('INPUT_INVALID', dir, 'the snapshot holds no pairs to draw keys from');
  return fromList(`snapshot ${dir} (${probes.length} keys)`, probes);
}

/** Keys listed one per line in `file` (blank lines skipped): each may be found or missing. */
export async function fileKeys(file: string, limit: number): Promise<KeySource> {
  const text = await readInputFile(file);
  const probes: Probe[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && probes.length < limit; i++) {
    const key = lines[i]!.trim();
    if (key === '') continue;
    if (!isUuidV4(key))
      throw rokvError(
        'INPUT_INVALID',
        `${file}:${i + 1}`,
        `expected one UUIDv4 a line, found ${JSON.stringify(key.slice(0, 60))}`,
      );
    probes.push({ key, expect: { kind: 'found-or-missing' } });
  }
  if (probes.length === 0) throw rokvError('INPUT_INVALID', file, 'the file lists no keys');
  return fromList(`file ${file} (${probes.length} keys)`, probes);
}

/** Fresh random UUIDv4s: with 122 random bits, none is in any data set, so each must be missing. */
export function randomKeys(): KeySource {
  return { label: 'random UUIDs', pick: missingProbe };
}

/** The share of misses and invalid keys mixed into a source's keys. */
export interface KeyMixOptions {
  missRatio: number;
  invalidRatio: number;
}

/** A source that answers with a miss or an invalid key in the chosen shares, otherwise the source's key. */
export function mixKeys(source: KeySource, { missRatio, invalidRatio }: KeyMixOptions): KeySource {
  if (missRatio === 0 && invalidRatio === 0) return source;
  return {
    label: `${source.label}, ${pct(missRatio)} misses, ${pct(invalidRatio)} invalid keys`,
    pick() {
      const r = Math.random();
      if (r < invalidRatio) return invalidProbe();
      if (r < invalidRatio + missRatio) return missingProbe();
      return source.pick();
    },
  };
}

function fromList(label: string, probes: Probe[]): KeySource {
  return { label, pick: () => probes[Math.floor(Math.random() * probes.length)]! };
}

function missingProbe(): Probe {
  return { key: randomUUID(), expect: { kind: 'missing' } };
}

// Near misses of the canonical form, the mistakes clients really make.
const INVALID_FORMS: ((uuid: string) => string)[] = [
  (u) => u.replaceAll('-', ''),
  (u) => `{${u}}`,
  (u) => `${u.slice(0, 14)}1${u.slice(15)}`,
  (u) => ` ${u}`,
  (u) => u.slice(0, 35),
];
let nextForm = 0;

function invalidProbe(): Probe {
  const form = INVALID_FORMS[nextForm++ % INVALID_FORMS.length]!;
  return { key: form(randomUUID()), expect: { kind: 'invalid' } };
}

function pct(ratio: number): string {
  return `${Math.round(ratio * 1000) / 10}%`;
}
