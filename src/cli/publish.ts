import { parseArgs } from 'node:util';
import { rokvError } from '../errors.js';
import { parseShrink, readGoldenFile } from '../snapshot/guards.js';
import { publishSnapshot } from '../snapshot/publish.js';
import { onePositional, withUsage } from './args.js';

const USAGE =
  'rokv publish SNAPSHOT --root DIR [--move] [--no-activate] [--keep 3] [--expect FILE] [--min-pairs N] [--max-shrink 10%]';

/** `rokv publish`: brings a built snapshot into a data root and, once its checks pass, makes it current. */
export async function publish(argv: string[]): Promise<void> {
  const { values, positionals } = withUsage(USAGE, () =>
    parseArgs({
      args: argv,
      options: {
        root: { type: 'string' },
        move: { type: 'boolean' },
        'no-activate': { type: 'boolean' },
        keep: { type: 'string' },
        expect: { type: 'string' },
        'min-pairs': { type: 'string' },
        'max-shrink': { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    }),
  );
  const snapshot = onePositional(positionals, 'SNAPSHOT directory', USAGE);
  const root = requireRoot(values.root, USAGE);
  const keep = count(values.keep, '--keep', 1) ?? 3;
  const minPairs = count(values['min-pairs'], '--min-pairs', 0);
  const maxShrink = values['max-shrink'] === undefined ? undefined : parseShrink(values['max-shrink']);
  if (values['max-shrink'] !== undefined && maxShrink === undefined) {
    throw rokvError(
      'USAGE',
      `--max-shrink must be a percentage like 10% or a fraction like 0.1; received ${values['max-shrink']}\nusage: ${USAGE}`,
    );
  }
  const expect = values.expect === undefined ? undefined : await readGoldenFile(values.expect);
  const result = await publishSnapshot(snapshot, root, {
    move: values.move === true,
    activate: values['no-activate'] !== true,
    keep,
    ...(expect ? { expect } : {}),
    ...(minPairs !== undefined ? { minPairs } : {}),
    ...(maxShrink !== undefined ? { maxShrink } : {}),
  });
  const what = result.existed ? 'was already in' : 'published to';
  const state = result.activated ? 'it is now current' : 'staged, not current';
  process.stdout.write(`${result.id}\n`);
  process.stderr.write(`version ${result.id} (${result.count} pairs) ${what} ${root}; ${state}\n`);
  if (result.removed.length > 0) process.stderr.write(`removed old versions: ${result.removed.join(', ')}\n`);
}

/** The `--root` flag, required by every version command. */
export function requireRoot(root: string | undefined, usage: string): string {
  if (root === undefined || root === '') throw rokvError('USAGE', `--root DIR is required\nusage: ${usage}`);
  return root;
}

function count(text: string | undefined, flag: string, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) {
    throw rokvError(
      'USAGE',
      `${flag} must be a whole number of at least ${min}; received ${JSON.stringify(text)}\nusage: ${USAGE}`,
    );
  }
  return n;
}
