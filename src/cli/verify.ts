import { parseArgs } from 'node:util';
import { verifySnapshot } from '../snapshot/verify.js';
import { onePositional, withUsage } from './args.js';

const USAGE = 'rokv verify DIR';

/** `rokv verify`: recomputes a snapshot's file hashes and content checksum against its manifest. */
export async function verify(argv: string[]): Promise<void> {
  const { positionals } = withUsage(USAGE, () =>
    parseArgs({ args: argv, options: {}, allowPositionals: true, strict: true }),
  );
  const dir = onePositional(positionals, 'snapshot DIR', USAGE);
  const m = await verifySnapshot(dir);
  process.stdout.write(`ok: ${dir} is intact (${m.count} pairs, id ${m.id})\n`);
}
