import { parseArgs } from 'node:util';
import { activateVersion } from '../snapshot/publish.js';
import { onePositional, withUsage } from './args.js';
import { requireRoot } from './publish.js';

const USAGE = 'rokv activate ID --root DIR';

/** `rokv activate`: verifies version ID in full and makes it current; running servers follow. */
export async function activate(argv: string[]): Promise<void> {
  const { values, positionals } = withUsage(USAGE, () =>
    parseArgs({ args: argv, options: { root: { type: 'string' } }, allowPositionals: true, strict: true }),
  );
  const id = onePositional(positionals, 'version ID', USAGE);
  const root = requireRoot(values.root, USAGE);
  const index = await activateVersion(root, id);
  process.stderr.write(`version ${index.current} is now current in ${root}\n`);
}
