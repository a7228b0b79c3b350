import { parseArgs } from 'node:util';
import { listVersions } from '../snapshot/versions.js';
import { withUsage } from './args.js';
import { requireRoot } from './publish.js';

const USAGE = 'rokv versions --root DIR [--json]';

/** `rokv versions`: lists the versions of a data root, oldest first, marking the current one. */
export async function versions(argv: string[]): Promise<void> {
  const { values } = withUsage(USAGE, () =>
    parseArgs({ args: argv, options: { root: { type: 'string' }, json: { type: 'boolean' } }, strict: true }),
  );
  const list = await listVersions(requireRoot(values.root, USAGE));
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return;
  }
  const rows = [['', 'ID', 'PAIRS', 'BUILT', 'PUBLISHED', 'SOURCE']];
  for (const v of list) rows.push([v.current ? '*' : '', v.id, String(v.count), v.createdAt, v.publishedAt, v.source]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows)
    process.stdout.write(
      `${r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd()}\n`,
    );
}
