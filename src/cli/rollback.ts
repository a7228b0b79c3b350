import { rollbackVersion } from '../snapshot/publish.js';
import type { CommandArgs } from './command.js';
import type { rollbackOptions } from './command-options.js';

/** `rokv rollback`: makes the previously current version current again; running servers follow. */
export async function rollback({ values }: CommandArgs<typeof rollbackOptions>): Promise<void> {
  const index = await rollbackVersion(values.root);
  process.stderr.write(`rolled back: version ${index.current} is now current in ${values.root}\n`);
}
