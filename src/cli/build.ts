import { parseArgs } from 'node:util';
import { buildSnapshot } from '../ingest/build.js';
import { onePositional, withUsage } from './args.js';
import { rokvError } from '../errors.js';

const USAGE = 'rokv build INPUT --out DIR';

/** `rokv build`: turns an input file into a snapshot directory. */
export async function build(argv: string[]): Promise<void> {
  const { values, positionals } = withUsage(USAGE, () =>
    parseArgs({ args: argv, options: { out: { type: 'string', short: 'o' } }, allowPositionals: true, strict: true }),
  );
  const input = onePositional(positionals, 'INPUT file', USAGE);
  if (values.out === undefined) throw rokvError('USAGE', `--out DIR is required\nusage: ${USAGE}`);
  const result = await buildSnapshot(input, values.out);
  const m = result.manifest;
  process.stderr.write(
    `built ${values.out}: ${m.count} pairs, ${result.bytes} bytes (${(result.bytes / Math.max(1, m.count)).toFixed(1)} bytes/pair), ` +
      `id ${m.id}, ${result.seconds.toFixed(2)} s\n`,
  );
}
