/**
 * The options of every command but `serve` (whose table is the server's configuration, in
 * src/config.ts). Data only: `rokv` reads these tables to parse, validate and explain a command
 * line before it loads the command's code. Its length is the tables': one entry per option of eight
 * commands, each with its flag, variable, schema, default and help, and no logic to split out.
 */
import { dataOption, storeUrl } from '../config.js';
import { GEN_FORMATS } from '../gen/format.js';
import { DEFAULT_MAX_VALUE_BYTES, FORMAT_NAMES, parseFormat } from '../ingest/format.js';
import { choice, decimal, integer, option, parsed, text, toggle, type OptionTable } from '../options.js';

/** Parses a shrink limit like "10%" or "0.1" into a fraction from 0 to 1. */
export function parseShrink(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]) / (m[2] === '%' ? 100 : 1);
  return n >= 0 && n <= 1 ? n : undefined;
}

const root = option({
  flag: 'root',
  value: 'DIR',
  ...text('a data root directory'),
  required: true,
  help: 'the data root: a directory of versions, one of them current',
});

export const buildOptions = {
  out: option({
    flag: 'out',
    short: 'o',
    value: 'DIR',
    ...text('a directory path'),
    required: true,
    help: 'where the snapshot is written (must not exist yet)',
  }),
  format: option({
    flag: 'format',
    short: 'f',
    value: 'FORMAT',
    ...parsed(`one of ${FORMAT_NAMES.join(', ')}`, parseFormat),
    defaultText: "from each file's extension (needed for stdin)",
    help: 'input format: json (one object {key: value}), jsonl (a {"key","value"} object a line), csv or tsv (header key,value)',
  }),
  onDuplicate: option({
    flag: 'on-duplicate',
    value: 'POLICY',
    ...choice(['error', 'first', 'last']),
    default: 'error',
    help: 'a key seen twice: error rejects the later rows, first keeps the first, last keeps the last',
  }),
  maxErrors: option({
    flag: 'max-errors',
    value: 'N',
    ...integer(0),
    default: 0,
    help: 'bad rows skipped (and reported) before the build fails',
  }),
  errors: option({
    flag: 'errors',
    value: 'FILE',
    ...text('a file path'),
    help: 'write every rejected row to this JSON-lines file',
  }),
  maxValueBytes: option({
    flag: 'max-value-bytes',
    value: 'BYTES',
    ...integer(1),
    default: DEFAULT_MAX_VALUE_BYTES,
    help: 'largest accepted value, in UTF-8 bytes',
  }),
  threads: option({
    flag: 'threads',
    value: 'N',
    ...integer(1, 256),
    defaultText: 'one per core',
    help: 'threads that parse, validate and sort JSONL input (1: the main thread alone); the snapshot is the same whatever the count',
  }),
  nativeWriter: option({
    flag: 'no-native-writer',
    negates: true,
    ...toggle(),
    default: true,
    defaultText: 'on',
    help: "write the LMDB file through lmdb-js, a call per pair, instead of rokv's native writer, a call per batch (for comparison or debugging; the snapshot's pairs and id are the same)",
  }),
  allowEmpty: option({
    flag: 'allow-empty',
    ...toggle(),
    default: false,
    help: 'build a snapshot even when no pair was read (refused otherwise)',
  }),
  quiet: option({ flag: 'quiet', short: 'q', ...toggle(), default: false, help: 'no progress lines' }),
} satisfies OptionTable;

export const getOptions = { data: dataOption } satisfies OptionTable;

export const loadOptions = {
  store: option({
    flag: 'store',
    env: 'ROKV_STORE',
    value: 'URL',
    ...storeUrl(),
    required: true,
    help: 'the Redis node or cluster to load into',
  }),
  keep: option({
    flag: 'keep',
    value: 'N',
    ...integer(1),
    default: 2,
    help: 'versions kept in the store; older ones are deleted after the switch',
  }),
  graceMs: option({
    flag: 'grace-ms',
    value: 'MS',
    ...integer(0),
    default: 5000,
    help: 'wait before deleting old versions, so servers finish reading them',
  }),
  window: option({
    flag: 'window',
    value: 'N',
    ...integer(1, 100_000),
    default: 1024,
    help: 'pairs written per pipelined round trip',
  }),
  sample: option({
    flag: 'sample',
    value: 'N',
    ...integer(1),
    default: 1000,
    help: 'pairs read back and compared before the version is activated',
  }),
} satisfies OptionTable;

export const verifyOptions = {} satisfies OptionTable;

export const genOptions = {
  count: option({
    flag: 'count',
    short: 'n',
    value: 'N',
    ...integer(0),
    required: true,
    help: 'pairs to write',
  }),
  seed: option({
    flag: 'seed',
    short: 's',
    value: 'S',
    ...integer(0),
    default: 1,
    help: 'the same seed gives the same data set',
  }),
  format: option({
    flag: 'format',
    short: 'f',
    value: 'FORMAT',
    ...choice(GEN_FORMATS),
    default: 'json',
    help: 'output format',
  }),
  out: option({
    flag: 'out',
    short: 'o',
    value: 'FILE',
    ...text('a file path'),
    defaultText: 'standard output',
    help: 'file to write',
  }),
} satisfies OptionTable;

export const publishOptions = {
  root,
  move: option({
    flag: 'move',
    ...toggle(),
    default: false,
    help: 'rename the snapshot into the root instead of copying it (same file system)',
  }),
  activate: option({
    flag: 'no-activate',
    negates: true,
    ...toggle(),
    default: true,
    defaultText: 'activate',
    help: 'stage the version only; `rokv activate ID` makes it current later',
  }),
  keep: option({
    flag: 'keep',
    value: 'N',
    ...integer(1),
    default: 3,
    help: 'versions kept: older ones (never the current one) are deleted after a publish',
  }),
  expect: option({
    flag: 'expect',
    value: 'FILE',
    ...text('a file path'),
    help: 'golden pairs ({"<uuid>": "<value>"} or JSON lines) that must all match',
  }),
  minPairs: option({
    flag: 'min-pairs',
    value: 'N',
    ...integer(0),
    help: 'refuse a snapshot with fewer pairs',
  }),
  maxShrink: option({
    flag: 'max-shrink',
    value: 'FRACTION',
    ...parsed('a percentage like 10% or a fraction like 0.1', parseShrink),
    help: 'refuse a snapshot that shrinks more than this against the current version',
  }),
} satisfies OptionTable;

export const versionsOptions = {
  root,
  json: option({ flag: 'json', ...toggle(), default: false, help: 'print the list as JSON' }),
} satisfies OptionTable;

export const activateOptions = { root } satisfies OptionTable;

export const rollbackOptions = { root } satisfies OptionTable;

/** Every run is bounded by both; the flags can only lower them. */
export const MAX_DURATION_S = 3600;
export const MAX_REQUESTS = 100_000_000;

export const loadtestOptions = {
  url: option({
    flag: 'url',
    value: 'URL',
    ...text('an http(s) URL'),
    required: true,
    help: 'the server to load, e.g. http://localhost:8080',
  }),
  duration: option({
    flag: 'duration',
    value: 'S',
    ...decimal(0.1, MAX_DURATION_S, 'seconds'),
    help: 'how long to load (give this and/or --requests)',
  }),
  requests: option({
    flag: 'requests',
    value: 'N',
    ...integer(1, MAX_REQUESTS),
    help: 'how many requests to send (give this and/or --duration)',
  }),
  rate: option({
    flag: 'rate',
    value: 'R',
    ...decimal(0.1, 1_000_000, 'requests a second'),
    defaultText: 'none: a closed loop',
    help: 'open loop at this fixed rate; latency counts from each due time (no coordinated omission)',
  }),
  connections: option({
    flag: 'connections',
    value: 'C',
    ...integer(1, 10_000),
    defaultText: '64 with --rate, else 10',
    help: 'connections to the server (the closed loop: back-to-back senders)',
  }),
  keysFrom: option({
    flag: 'keys-from',
    value: 'DIR',
    ...text('a snapshot directory'),
    help: 'ask keys of this snapshot and check every value',
  }),
  keysFile: option({
    flag: 'keys-file',
    value: 'FILE',
    ...text('a file path'),
    help: 'ask the keys of this file (one UUID a line), checking status only',
  }),
  keysLimit: option({
    flag: 'keys-limit',
    value: 'N',
    ...integer(1, 10_000_000),
    default: 100_000,
    help: 'keys read from --keys-from or --keys-file',
  }),
  missRatio: option({
    flag: 'miss-ratio',
    value: 'F',
    ...decimal(0, 1, 'a fraction'),
    default: 0,
    help: 'share of random keys, which must get a 404',
  }),
  invalidRatio: option({
    flag: 'invalid-ratio',
    value: 'F',
    ...decimal(0, 1, 'a fraction'),
    default: 0,
    help: 'share of malformed keys, which must get a 400',
  }),
  batch: option({
    flag: 'batch',
    value: 'N',
    ...integer(0, 100_000),
    default: 0,
    help: 'send POST /get_values with N keys a request (0: POST /get_value)',
  }),
  warmup: option({
    flag: 'warmup',
    value: 'S',
    ...decimal(0, 600, 'seconds'),
    default: 0,
    help: 'load this long before measuring',
  }),
  timeout: option({
    flag: 'timeout',
    value: 'MS',
    ...integer(1, 600_000),
    default: 10_000,
    help: 'time one request may take',
  }),
  json: option({ flag: 'json', ...toggle(), default: false, help: 'print every figure as JSON' }),
  report: option({
    flag: 'report',
    value: 'FILE',
    ...text('an .html file path'),
    help: 'write a self-contained HTML report (throughput and latency charts)',
  }),
} satisfies OptionTable;
