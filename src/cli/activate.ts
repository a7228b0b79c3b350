import { activateVersion } from '../snapshot/publish.js';
import type { CommandArgs } from './command.js';
import type { activateOptions } from './command-options.js';

/** `rokv activate`: verifies version ID in full and makes it current; running servers follow. */
export async function activate({ values, positionals }: CommandArgs<typeof activateOptions>): Promise<void> {
  const index = await activateVersion(values.root, positionals[0]!);
  process.stderr.write(`version ${index.current} is now current in ${values.root}\n`);
}
