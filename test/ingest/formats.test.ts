import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { renderPairs } from '../../src/gen/format.js';
import { syntheticPairs } from '../../src/gen/synthetic.js';
import { buildSnapshot, type BuildOptions } from '../../src/ingest/build.js';
import { verifySnapshot } from '../../src/snapshot/verify.js';
import { LmdbStore } from '../../src/store/lmdb.js';
import { parseUuid } from '../../src/uuid.js';
import { tempDir } from '../helpers/tmp.js';

interface Pair {
  key: string;
  value: string;
}

/** Values that stress every format's quoting: separators, quotes, newlines, escapes, non-ASCII. */
const SPECIAL: Pair[] = [
  { key: '8a35eb59-62b3-481c-8875-1f248df4c952', value: 'a, comma' },
  { key: '0b8a4bb1-6d1d-4c5e-9a8b-2f2f0f2f2f2f', value: 'a "quote" and a\nnewline' },
  { key: 'c0ffee00-0000-4000-8000-000000000001', value: 'tab\there, back\\slash, crlf\r\nend' },
  { key: 'C0FFEE00-0000-4000-8000-000000000002', value: 'ünïcödé, 日本語, 🎉' },
  { key: 'c0ffee00-0000-4000-8000-000000000003', value: '' },
];

const PAIRS: Pair[] = [...syntheticPairs(300, 77), ...SPECIAL];

function field(text: string, delimiter: string): string {
  return text.includes(delimiter) || /["\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvOf(pairs: Pair[], delimiter: string, header = `key${delimiter}value`): string {
  return `${header}\n${pairs.map((p) => `${p.key}${delimiter}${field(p.value, delimiter)}`).join('\n')}\n`;
}

const asJson = (pairs: Pair[]): string => JSON.stringify(Object.fromEntries(pairs.map((p) => [p.key, p.value])));
const asJsonl = (pairs: Pair[]): string => pairs.map((p) => `${JSON.stringify(p)}\n`).join('');
/** JSONL in a non-canonical shape: spaces, other field order, escaped characters, CRLF line ends. */
const asLooseJsonl = (pairs: Pair[]): string =>
  pairs.map((p) => `{ "value" : ${JSON.stringify(p.value).replace(/a/g, '\\u0061')}, "key": "${p.key}" }\r\n`).join('');

async function build(files: Record<string, string | Buffer>, inputs: string[], options: BuildOptions = {}) {
  const dir = await tempDir();
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  const out = join(dir, 'snap');
  const result = await buildSnapshot(
    inputs.map((i) => (i === '-' ? i : join(dir, i))),
    out,
    options,
  );
  return { dir, out, result };
}

async function failure(
  files: Record<string, string | Buffer>,
  inputs: string[],
  options: BuildOptions = {},
): Promise<string> {
  const dir = await tempDir();
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  const err = await buildSnapshot(
    inputs.map((i) => join(dir, i)),
    join(dir, 'snap'),
    options,
  ).then(
    () => assert.fail('the build should have failed'),
    (e: unknown) => e as Error,
  );
  assert.deepEqual((await readdir(dir)).sort(), Object.keys(files).sort(), 'a failed build leaves nothing behind');
  return err.message;
}

describe('rokv build: formats', () => {
  test('every format, compressed or not, split or whole, builds the same snapshot from the same pairs', async () => {
    const reference = await build({ 'a.json': asJson(PAIRS) }, ['a.json']);
    const half = Math.floor(PAIRS.length / 2);
    const cases: [string, Record<string, string | Buffer>, string[], BuildOptions?][] = [
      ['JSONL', { 'a.jsonl': asJsonl(PAIRS) }, ['a.jsonl']],
      ['NDJSON in a loose shape', { 'a.ndjson': asLooseJsonl(PAIRS) }, ['a.ndjson']],
      ['CSV', { 'a.csv': csvOf(PAIRS, ',') }, ['a.csv']],
      [
        'CSV with extra columns in another order',
        { 'a.csv': `id,value,key\n${PAIRS.map((p, i) => `${i},${field(p.value, ',')},${p.key}`).join('\n')}\n` },
        ['a.csv'],
      ],
      ['TSV', { 'a.tsv': csvOf(PAIRS, '\t') }, ['a.tsv']],
      ['gzipped JSONL', { 'a.jsonl.gz': gzipSync(asJsonl(PAIRS)) }, ['a.jsonl.gz']],
      ['gzipped CSV', { 'a.csv.gz': gzipSync(csvOf(PAIRS, ',')) }, ['a.csv.gz']],
      ['gzipped JSON object', { 'a.json.gz': gzipSync(asJson(PAIRS)) }, ['a.json.gz']],
      [
        'two files of two formats',
        { 'a.csv': csvOf(PAIRS.slice(0, half), ','), 'b.jsonl': asJsonl(PAIRS.slice(half)) },
        ['a.csv', 'b.jsonl'],
      ],
      [
        'JSONL sorted in many small runs spilled to disk',
        { 'a.jsonl': asJsonl(PAIRS) },
        ['a.jsonl'],
        { runBytes: 2048 },
      ],
      ['a UTF-8 byte order mark', { 'a.jsonl': `\ufeff${asJsonl(PAIRS)}` }, ['a.jsonl']],
    ];
    for (const [name, files, inputs, options] of cases) {
      const { result } = await build(files, inputs, options);
      assert.equal(result.manifest.count, PAIRS.length, name);
      assert.equal(result.manifest.checksum, reference.result.manifest.checksum, name);
    }
    const stdin = await build({}, ['-'], { format: 'csv', stdin: Readable.from([Buffer.from(csvOf(PAIRS, ','))]) });
    assert.equal(stdin.result.manifest.checksum, reference.result.manifest.checksum, 'stdin');
    assert.equal(stdin.result.manifest.source, 'stdin');
    const gzStdin = await build({}, ['-'], { format: 'jsonl', stdin: Readable.from([gzipSync(asJsonl(PAIRS))]) });
    assert.equal(gzStdin.result.manifest.checksum, reference.result.manifest.checksum, 'gzipped stdin');
  });

  test('a CSV value with a comma, a quote and a newline survives exactly', async () => {
    const { out } = await build({ 'a.csv': csvOf(SPECIAL, ',') }, ['a.csv']);
    const store = await LmdbStore.open(out);
    try {
      for (const { key, value } of SPECIAL) {
        const stored = Buffer.from(store.get(parseUuid(key)!)!).toString('utf8');
        assert.equal(JSON.parse(stored), value);
      }
    } finally {
      await store.close();
    }
  });

  test('a value larger than a writer batch is stored whole and the snapshot verifies', async () => {
    const big = 'x'.repeat(5 << 20);
    const pairs = [...syntheticPairs(1000, 4)];
    pairs.splice(500, 0, { key: 'c0ffee00-0000-4000-8000-0000000000bb', value: big });
    const { out, result } = await build({ 'a.jsonl': asJsonl(pairs) }, ['a.jsonl'], { maxValueBytes: 8 << 20 });
    assert.equal(result.manifest.count, 1001);
    await verifySnapshot(out);
    const store = await LmdbStore.open(out);
    assert.equal(Buffer.from(store.get(parseUuid('c0ffee00-0000-4000-8000-0000000000bb')!)!).length, big.length + 2);
    await store.close();
  });

  test('the gen formats build the same snapshot', async () => {
    const pairs = [...syntheticPairs(500, 3)];
    const sums = new Set<string>();
    for (const format of ['json', 'jsonl', 'csv'] as const) {
      const { result } = await build({ [`g.${format}`]: [...renderPairs(pairs, format)].join('') }, [`g.${format}`]);
      sums.add(result.manifest.checksum);
    }
    assert.equal(sums.size, 1);
  });
});

const K1 = '8a35eb59-62b3-481c-8875-1f248df4c952';

describe('rokv build: bad input', () => {
  const cases: [string, Record<string, string | Buffer>, BuildOptions, RegExp][] = [
    [
      'a key that is not a UUIDv4',
      { 'x.jsonl': `{"key":"nope","value":"v"}\n` },
      {},
      /x\.jsonl:1: key "nope" is not a canonical UUIDv4/,
    ],
    ['a row without a key', { 'x.jsonl': `{"value":"v"}\n` }, {}, /x\.jsonl:1: row has no "key" field/],
    [
      'a value that is not a string',
      { 'x.jsonl': `{"key":"${K1}","value":7}\n` },
      {},
      /x\.jsonl:1: value of key .* must be a string, found a number/,
    ],
    [
      'a line that is not JSON',
      { 'x.jsonl': `{"key":"${K1}","value":"v"}\n{"key":\n` },
      {},
      /x\.jsonl:2: not valid JSON/,
    ],
    ['a line that is not an object', { 'x.jsonl': `\n[1,2]\n` }, {}, /x\.jsonl:2: expected an object/],
    [
      'a value over the limit (fast path)',
      { 'x.jsonl': `{"key":"${K1}","value":"${'x'.repeat(11)}"}\n` },
      { maxValueBytes: 10 },
      /x\.jsonl:1: value of key .* has 11 bytes, over the limit of 10/,
    ],
    [
      'a value over the limit (CSV)',
      { 'x.csv': `key,value\n${K1},${'é'.repeat(6)}\n` },
      { maxValueBytes: 10 },
      /x\.csv:2: value of key .* has 12 bytes, over the limit of 10/,
    ],
    [
      'invalid UTF-8 in JSONL',
      {
        'x.jsonl': Buffer.concat([
          Buffer.from(`{"key":"${K1}","value":"ok"}\n{"key":"${K1}","value":"`),
          Buffer.from([0xff, 0xfe]),
          Buffer.from('"}\n'),
        ]),
      },
      {},
      /x\.jsonl:2: invalid UTF-8/,
    ],
    [
      'invalid UTF-8 in CSV',
      { 'x.csv': Buffer.concat([Buffer.from(`key,value\n${K1},`), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]) },
      {},
      /x\.csv, byte 10: invalid UTF-8/,
    ],
    [
      'a CSV without a header',
      { 'x.csv': `${K1},v\n` },
      {},
      /x\.csv:1: missing header: the first row must name a "key" and a "value" column/,
    ],
    [
      'a CSV row with the wrong number of fields',
      { 'x.csv': `key,value\n${K1},v,extra\n` },
      {},
      /x\.csv:2: has 3 fields, the header has 2/,
    ],
    ['an unclosed CSV quote', { 'x.csv': `key,value\n${K1},"open\n` }, {}, /x\.csv:\d+: not valid CSV/],
    ['an empty JSONL file', { 'x.jsonl': '' }, {}, /x\.jsonl: empty file/],
    ['a JSONL file of blank lines', { 'x.jsonl': '\n\n  \n' }, {}, /x\.jsonl: empty file/],
    ['an empty CSV file', { 'x.csv': '' }, {}, /x\.csv: empty file/],
    ['an empty JSON file', { 'x.json': ' \n' }, {}, /x\.json: empty file/],
    [
      'broken gzip',
      { 'x.jsonl.gz': Buffer.concat([gzipSync('{"key":'), Buffer.from('garbage')]).subarray(0, 12) },
      {},
      /x\.jsonl\.gz: not valid gzip data/,
    ],
  ];
  for (const [name, files, options, pattern] of cases) {
    test(`stops on ${name} with the file, line and reason`, async () => {
      assert.match(await failure(files, Object.keys(files), options), pattern);
    });
  }

  test('a file whose format cannot be told from its name asks for --format', async () => {
    assert.match(
      await failure({ 'x.txt': 'x' }, ['x.txt']),
      /cannot tell the format of .*x\.txt from its name; pass --format/,
    );
  });
});

describe('rokv build: error budget and duplicates', () => {
  const good = [...syntheticPairs(50, 9)];
  const lines = [
    ...good.slice(0, 10).map((p) => JSON.stringify(p)),
    '{"key":"nope","value":"a"}',
    `{"key":"${good[0]!.key}","value":5}`,
    'not json',
    ...good.slice(10).map((p) => JSON.stringify(p)),
    '{"key":"nope2","value":"b"}',
  ];

  test('--max-errors skips bad rows, counts them by reason and lists them all in the errors file', async () => {
    const dir = await tempDir();
    const errorsFile = join(dir, 'errors.jsonl');
    const { result } = await build({ 'x.jsonl': `${lines.join('\n')}\n` }, ['x.jsonl'], { maxErrors: 4, errorsFile });
    assert.equal(result.manifest.count, 50);
    assert.equal(result.rows, 54);
    assert.deepEqual(result.rejects.byReason, { 'invalid-key': 2, 'invalid-value': 1, 'invalid-row': 1 });
    assert.equal(result.rejects.total, 4);
    const listed = (await readFile(errorsFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; reason: string });
    assert.deepEqual(
      listed.map((e) => [e.line, e.reason]),
      [
        [11, 'invalid-key'],
        [12, 'invalid-value'],
        [13, 'invalid-row'],
        [54, 'invalid-key'],
      ],
    );
  });

  test('one bad row more than --max-errors stops the build', async () => {
    const message = await failure({ 'x.jsonl': `${lines.join('\n')}\n` }, ['x.jsonl'], { maxErrors: 3 });
    assert.match(message, /x\.jsonl:54: key "nope2" is not a canonical UUIDv4 \(more than --max-errors 3 bad rows\)/);
  });

  const far = (n: number): string => {
    const pairs = [...syntheticPairs(n, 5)];
    const rows = pairs.map((p) => JSON.stringify(p));
    rows.push(JSON.stringify({ key: pairs[0]!.key.toUpperCase(), value: 'the last one' }));
    return `${rows.join('\n')}\n`;
  };

  test('finds a duplicate thousands of rows and several sorted runs away, in another letter case', async () => {
    const message = await failure({ 'x.jsonl': far(3000) }, ['x.jsonl'], { runBytes: 16 << 10 });
    assert.match(
      message,
      /x\.jsonl:3001: duplicate key [0-9a-f-]{36} \(first seen at .*x\.jsonl:1; keys are compared case-insensitively\)/,
    );
  });

  test('--on-duplicate first and last keep that row and count the duplicate', async () => {
    for (const [policy, expected] of [
      ['first', undefined],
      ['last', 'the last one'],
    ] as const) {
      const { out, result } = await build({ 'x.jsonl': far(3000) }, ['x.jsonl'], {
        runBytes: 16 << 10,
        onDuplicate: policy,
      });
      assert.ok(result.runs > 1, 'the test needs spilled runs');
      assert.equal(result.duplicates, 1);
      assert.equal(result.manifest.count, 3000);
      const first = [...syntheticPairs(1, 5)][0]!;
      const store = await LmdbStore.open(out);
      const value = JSON.parse(Buffer.from(store.get(parseUuid(first.key)!)!).toString()) as string;
      await store.close();
      assert.equal(value, expected ?? first.value, policy);
    }
  });

  test('a duplicate rejected within --max-errors keeps the first row', async () => {
    const { result } = await build({ 'x.jsonl': far(100) }, ['x.jsonl'], { maxErrors: 1 });
    assert.equal(result.manifest.count, 100);
    assert.deepEqual(result.rejects.byReason, { 'duplicate-key': 1 });
  });
});
