import { verifySnapshot } from '../snapshot/verify.js';
import type { CommandArgs } from './command.js';
import type { verifyOptions } from './command-options.js';

/** `rokv verify`: recomputes a snapshot's file hashes and content checksum against its manifest. */
export async function verify({ positionals }: CommandArgs<typeof verifyOptions>): Promise<void> {
  const dir = positionals[0]!;
  const m = await verifySnapshot(dir);
  process.stdout.write(`ok: ${dir} is intact (${m.count} pairs, id ${m.id})\n`);
}
