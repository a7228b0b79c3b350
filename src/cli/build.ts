import { parseArgs } from 'node:util';
import { buildSnapshot, DEFAULT_MAX_VALUE_BYTES, type BuildResult, type DuplicatePolicy } from '../ingest/build.js';
import { parseFormat } from '../ingest/format.js';
import { rokvError } from '../errors.js';
import { withUsage } from './args.js';
import { progressView } from './build-progress.js';

const USAGE =
  'rokv build INPUT... --out DIR [--format json|jsonl|csv|tsv] [--on-duplicate error|first|last]\n' +
  '           [--max-errors N] [--errors FILE] [--max-value-bytes N] [--quiet]   (INPUT "-" is stdin)';

const POLICIES: readonly DuplicatePolicy[] = ['error', 'first', 'last'];

function wholeNumber(text: string | undefined, flag: string, fallback: number, min = 0): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(n) || n < min) {
    throw rokvError(
      'USAGE',
      `${flag} takes a whole number >= ${min}, received ${JSON.stringify(text)}\nusage: ${USAGE}`,
    );
  }
  return n;
}

/** `rokv build`: turns input files into a snapshot directory. */
export async function build(argv: string[]): Promise<void> {
  const { values, positionals } = withUsage(USAGE, () =>
    parseArgs({
      args: argv,
      options: {
        out: { type: 'string', short: 'o' },
        format: { type: 'string', short: 'f' },
        'on-duplicate': { type: 'string' },
        'max-errors': { type: 'string' },
        errors: { type: 'string' },
        'max-value-bytes': { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
      },
      allowPositionals: true,
      strict: true,
    }),
  );
  if (positionals.length === 0) throw rokvError('USAGE', `expected at least one INPUT file\nusage: ${USAGE}`);
  if (values.out === undefined) throw rokvError('USAGE', `--out DIR is required\nusage: ${USAGE}`);
  const policy = (values['on-duplicate'] ?? 'error') as DuplicatePolicy;
  if (!POLICIES.includes(policy)) {
    throw rokvError(
      'USAGE',
      `--on-duplicate must be one of ${POLICIES.join(', ')}, received ${JSON.stringify(values['on-duplicate'])}`,
    );
  }
  const view = progressView(process.stderr, values.quiet === true);
  let result: BuildResult;
  try {
    result = await buildSnapshot(positionals, values.out, {
      ...(values.format === undefined ? {} : { format: parseFormat(values.format) }),
      onDuplicate: policy,
      maxErrors: wholeNumber(values['max-errors'], '--max-errors', 0),
      ...(values.errors === undefined ? {} : { errorsFile: values.errors }),
      maxValueBytes: wholeNumber(values['max-value-bytes'], '--max-value-bytes', DEFAULT_MAX_VALUE_BYTES, 1),
      onProgress: (p) => view.update(p),
    });
  } finally {
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
