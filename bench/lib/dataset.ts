import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bigKey, ensureBigSnapshot } from './big-snapshot.js';

/** The compiled rokv entry point the benchmarks serve with (run `npm run build` first). */
export const ROKV_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** Where benchmark data sets are kept between runs (large ones take a minute to write). */
export const WORK_DIR = process.env.ROKV_BENCH_DIR ?? '/tmp/rokv-bench';

/** A data set as every server in a benchmark needs it. */
export interface Dataset {
  /** JSON object file `{key: value}` (for the baselines). */
  json: string;
  /** rokv snapshot directory. */
  snapshot: string;
  /** One key a line, the order the load generator posts them in. */
  keysFile: string;
  /** A key that is in the data set, for readiness checks. */
  someKey: string;
}

/** The 10k-pair example-shaped data set, made with `rokv gen` and `rokv build` (once, then reused). */
export function exampleDataset(count = 10_000): Dataset {
  const dir = join(WORK_DIR, `example-${count}`);
  const json = join(dir, 'data.json');
  const snapshot = join(dir, 'snapshot');
  const keysFile = join(dir, 'keys.txt');
  if (!existsSync(join(snapshot, 'manifest.json'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync(process.execPath, [
      ROKV_MAIN,
      'gen',
      '--count',
      String(count),
      '--seed',
      '20261127',
      '--format',
      'json',
      '--out',
      json,
    ]);
    execFileSync(process.execPath, [ROKV_MAIN, 'build', json, '--out', snapshot]);
    writeFileSync(keysFile, Object.keys(JSON.parse(readFileSync(json, 'utf8')) as object).join('\n') + '\n');
  }
  const someKey = readFileSync(keysFile, 'utf8').slice(0, 36);
  return { json, snapshot, keysFile, someKey };
}

/**
 * An `n`-pair synthetic snapshot (keys in order by construction, see big-snapshot.ts) and a file of
 * `draws` keys drawn uniformly at random from all `n`, so lookups touch the whole file.
 */
export async function bigDataset(n: number, draws = 200_000): Promise<Omit<Dataset, 'json'>> {
  const snapshot = await ensureBigSnapshot(join(WORK_DIR, `big-${n}`), n);
  const keysFile = join(WORK_DIR, `big-${n}-keys.txt`);
  if (!existsSync(keysFile)) {
    // A fixed LCG, so every run posts the same random keys.
    let s = 12345;
    const lines: string[] = [];
    for (let d = 0; d < draws; d++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      lines.push(bigKey(Math.floor((s / 2 ** 32) * n), n));
    }
    writeFileSync(keysFile, lines.join('\n') + '\n');
  }
  return { snapshot, keysFile, someKey: bigKey(0, n) };
}
