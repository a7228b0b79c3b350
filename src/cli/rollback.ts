import { parseArgs } from 'node:util';
import { rollbackVersion } from '../snapshot/publish.js';
import { withUsage } from './args.js';
import { requireRoot } from './publish.js';

const USAGE = 'rokv rollback --root DIR';

/** `rokv rollback`: makes the previously current version current again; running servers follow. */
export async function rollback(argv: string[]): Promise<void> {
  const { values } = withUsage(USAGE, () =>
    parseArgs({ args: argv, options: { root: { type: 'string' } }, strict: true }),
  );
  const root = requireRoot(values.root, USAGE);
  const index = await rollbackVersion(root);
  process.stderr.write(`rolled back: version ${index.current} is now current in ${root}\n`);
}
