import { writeFile } from 'node:fs/promises';
import { rokvError } from '../errors.js';
import { fileKeys, mixKeys, randomKeys, snapshotKeys, type KeySource } from '../loadtest/keys.js';
import { renderReport } from '../loadtest/report-html.js';
import { runLoad } from '../loadtest/run.js';
import { progressLine, summaryTable } from '../loadtest/summary.js';
import type { CommandArgs } from './command.js';
import { checkWritable, writing } from './output-path.js';
import { MAX_DURATION_S, MAX_REQUESTS, type loadtestOptions } from './command-options.js';

/** `rokv loadtest`: loads a running server, checks every answer, prints a table, JSON or an HTML report. */
export async function loadtest({ values }: CommandArgs<typeof loadtestOptions>): Promise<void> {
  const usage = (why: string) =>
    rokvError('USAGE', `${why}\nrun \`rokv loadtest --help\` for its usage, flags and examples`);
  let url: URL;
  try {
    url = new URL(values.url);
  } catch {
    throw usage(`--url must be an http(s) URL, received ${JSON.stringify(values.url)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw usage(`--url must be http: or https:, received ${url.protocol}`);
  if (values.duration === undefined && values.requests === undefined) {
    throw usage('refusing to start an unbounded load: give --duration SECONDS and/or --requests COUNT');
  }
  if (values.keysFrom !== undefined && values.keysFile !== undefined)
    throw usage('give --keys-from or --keys-file, not both');
  const { missRatio, invalidRatio, keysLimit, rate, batch, warmup: warmupS, timeout: timeoutMs } = values;
  if (missRatio + invalidRatio > 1) throw usage('--miss-ratio plus --invalid-ratio must not exceed 1');
  const connections = values.connections ?? (rate === undefined ? 10 : 64);
  const durationS = values.duration ?? MAX_DURATION_S;
  const maxRequests = values.requests ?? MAX_REQUESTS;

  if (values.report !== undefined) await checkWritable(values.report, '--report');

  let source: KeySource;
  if (values.keysFrom !== undefined) source = await snapshotKeys(values.keysFrom, keysLimit);
  else if (values.keysFile !== undefined) source = await fileKeys(values.keysFile, keysLimit);
  else source = randomKeys();

  const live = !values.json && process.stderr.isTTY;
  const result = await runLoad({
    url: url.href,
    keys: mixKeys(source, { missRatio, invalidRatio }),
    batch,
    connections,
    rate,
    durationS,
    maxRequests,
    warmupS,
    timeoutMs,
    onInterval: live
      ? (interval, totals) => process.stderr.write(`\r\x1b[2K${progressLine(interval, totals)}`)
      : undefined,
  });
  if (live) process.stderr.write('\n');
  // The summary first: a report that cannot be written must not lose the run.
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : summaryTable(result));
  const { report } = values;
  if (report !== undefined) await writing(report, '--report', () => writeFile(report, renderReport(result)));
  const wrong = result.totals.outcomes.wrong;
  if (wrong > 0) throw rokvError('LOADTEST_WRONG_ANSWERS', wrong, result.totals.keys);
}
