import { buildSnapshot, type BuildResult } from '../ingest/build.js';
import { removeOwnTemporariesSync } from '../snapshot/atomic-dir.js';
import type { CommandArgs } from './command.js';
import type { buildOptions } from './command-options.js';
import { progressView } from './build-progress.js';

/** `rokv build`: turns input files into a snapshot directory. */
export async function build({ values, positionals }: CommandArgs<typeof buildOptions>): Promise<void> {
  const view = progressView(process.stderr, values.quiet);
  // Killed half way, a build would leave its temporary directory (spilled runs: gigabytes at scale).
  const interrupted = (signal: NodeJS.Signals): void => {
    view.stop();
    removeOwnTemporariesSync(values.out);
    process.stderr.write(
      `rokv: build stopped by ${signal}; its temporary files are removed and nothing was written to ${values.out}\n`,
    );
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  let result: BuildResult;
  try {
    result = await buildSnapshot(positionals, values.out, {
      ...(values.format === undefined ? {} : { format: values.format }),
      onDuplicate: values.onDuplicate,
      maxErrors: values.maxErrors,
      ...(values.errors === undefined ? {} : { errorsFile: values.errors }),
      maxValueBytes: values.maxValueBytes,
      ...(values.threads === undefined ? {} : { threads: values.threads }),
      ...(values.nativeWriter ? {} : { lmdbWriter: 'lmdb-js' as const }),
      allowEmpty: values.allowEmpty,
      onProgress: (p) => view.update(p),
    });
  } finally {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    view.stop();
  }
  process.stderr.write(summary(values.out, result, values.errors));
}

/** The closing report: rejected rows by reason with a few examples, then the one summary line. */
function summary(out: string, r: BuildResult, errorsFile: string | undefined): string {
  const m = r.manifest;
  let text = '';
  if (r.rejects.total > 0) {
    const reasons = Object.entries(r.rejects.byReason).map(([reason, n]) => `${reason} ${n}`);
    text += `rejected ${r.rejects.total} rows: ${reasons.join(', ')}${errorsFile ? ` (all listed in ${errorsFile})` : ''}\n`;
    for (const e of r.rejects.examples) text += `  ${e.where}: ${e.message}\n`;
  }
  const perPair = (r.bytes / Math.max(1, m.count)).toFixed(1);
  text +=
    `built ${out}: ${m.count} pairs, ${r.rejects.total} rejected, ${r.duplicates} duplicates, ` +
    `${r.bytes} bytes (${perPair} bytes/pair), id ${m.id}, ${r.seconds.toFixed(2)} s\n`;
  return text;
}
