import { readGoldenFile } from '../snapshot/guards.js';
import { publishSnapshot } from '../snapshot/publish.js';
import type { CommandArgs } from './command.js';
import type { publishOptions } from './command-options.js';

/** `rokv publish`: brings a built snapshot into a data root and, once its checks pass, makes it current. */
export async function publish({ values, positionals }: CommandArgs<typeof publishOptions>): Promise<void> {
  const [snapshot] = positionals as [string];
  const { root, keep, minPairs, maxShrink } = values;
  const expect = values.expect === undefined ? undefined : await readGoldenFile(values.expect);
  const result = await publishSnapshot(snapshot, root, {
    move: values.move,
    activate: values.activate,
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
