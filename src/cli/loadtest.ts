import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { rokvError } from '../errors.js';
import { fileKeys, mixKeys, randomKeys, snapshotKeys, type KeySource } from '../loadtest/keys.js';
import { renderReport } from '../loadtest/report-html.js';
import { runLoad } from '../loadtest/run.js';
import { progressLine, summaryTable } from '../loadtest/summary.js';
import { withUsage } from './args.js';

const USAGE = `rokv loadtest --url URL (--duration S | --requests N) [--rate R | --connections C]
  [--keys-from SNAPSHOT_DIR | --keys-file FILE] [--keys-limit N] [--miss-ratio F] [--invalid-ratio F]
  [--batch N] [--warmup S] [--timeout MS] [--json] [--report FILE.html]`;

// Every run is bounded by both; the flags can only lower them.
const MAX_DURATION_S = 3600;
const MAX_REQUESTS = 100_000_000;

/** `rokv loadtest`: loads a running server, checks every answer, prints a table, JSON or an HTML report. */
export async function loadtest(argv: string[]): Promise<void> {
  const { values } = withUsage(USAGE, () =>
    parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        duration: { type: 'string' },
        requests: { type: 'string' },
        rate: { type: 'string' },
        connections: { type: 'string' },
        'keys-from': { type: 'string' },
        'keys-file': { type: 'string' },
        'keys-limit': { type: 'string' },
        'miss-ratio': { type: 'string' },
        'invalid-ratio': { type: 'string' },
        batch: { type: 'string' },
        warmup: { type: 'string' },
        timeout: { type: 'string' },
        json: { type: 'boolean', default: false },
        report: { type: 'string' },
      },
      strict: true,
    }),
  );
  const usage = (why: string) => rokvError('USAGE', `${why}\nusage: ${USAGE}`);
  if (values.url === undefined) throw usage('--url is required: the server to load, e.g. http://localhost:8080');
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
  if (values['keys-from'] !== undefined && values['keys-file'] !== undefined)
    throw usage('give --keys-from or --keys-file, not both');

  const num = (name: string, text: string | undefined, fallback: number, min: number, max: number, integer = false) => {
    if (text === undefined) return fallback;
    const x = Number(text);
    if (text.trim() === '' || !Number.isFinite(x) || x < min || x > max || (integer && !Number.isInteger(x))) {
      throw usage(
        `--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, received ${JSON.stringify(text)}`,
      );
    }
    return x;
  };
  const missRatio = num('miss-ratio', values['miss-ratio'], 0, 0, 1);
  const invalidRatio = num('invalid-ratio', values['invalid-ratio'], 0, 0, 1);
  if (missRatio + invalidRatio > 1) throw usage('--miss-ratio plus --invalid-ratio must not exceed 1');
  const keysLimit = num('keys-limit', values['keys-limit'], 100_000, 1, 10_000_000, true);
  const rate = values.rate === undefined ? undefined : num('rate', values.rate, 0, 0.1, 1_000_000);

  const batch = num('batch', values.batch, 0, 0, 100_000, true);
  const connections = num('connections', values.connections, rate === undefined ? 10 : 64, 1, 10_000, true);
  const durationS = num('duration', values.duration, MAX_DURATION_S, 0.1, MAX_DURATION_S);
  const maxRequests = num('requests', values.requests, MAX_REQUESTS, 1, MAX_REQUESTS, true);
  const warmupS = num('warmup', values.warmup, 0, 0, 600);
  const timeoutMs = num('timeout', values.timeout, 10_000, 1, 600_000, true);

  let source: KeySource;
  if (values['keys-from'] !== undefined) source = await snapshotKeys(values['keys-from'], keysLimit);
  else if (values['keys-file'] !== undefined) source = await fileKeys(values['keys-file'], keysLimit);
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
  if (values.report !== undefined) await writeFile(values.report, renderReport(result));
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : summaryTable(result));
  const wrong = result.totals.outcomes.wrong;
  if (wrong > 0) throw rokvError('LOADTEST_WRONG_ANSWERS', wrong, result.totals.keys);
}
