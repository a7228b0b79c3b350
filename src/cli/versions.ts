import { listVersions } from '../snapshot/versions.js';
import type { CommandArgs } from './command.js';
import type { versionsOptions } from './command-options.js';

/** `rokv versions`: lists the versions of a data root, oldest first, marking the current one. */
export async function versions({ values }: CommandArgs<typeof versionsOptions>): Promise<void> {
  const list = await listVersions(values.root);
  if (values.json) {
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
