import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { COMMANDS } from '../../src/cli/commands.js';
import { runRokv } from '../helpers/binary.js';

/** Asserts an expected failure: its exit code, its first line on stderr, and no stack trace. */
function assertFails(res: { code: number | null; stderr: string }, code: number, firstLine: string | RegExp): void {
  assert.equal(res.code, code, res.stderr);
  const first = res.stderr.split('\n')[0]!;
  if (typeof firstLine === 'string') assert.equal(first, firstLine);
  else assert.match(first, firstLine);
  assert.doesNotMatch(res.stderr, /^\s+at /m, 'no stack trace');
}

describe('help', () => {
  test('rokv serve --help, -h and rokv help serve print the same help and exit 0', async () => {
    const [long, short, viaHelp] = await Promise.all([
      runRokv(['serve', '--help']),
      runRokv(['serve', '-h']),
      runRokv(['help', 'serve']),
    ]);
    assert.equal(long.code, 0, long.stderr);
    assert.equal(short.stdout, long.stdout);
    assert.equal(viaHelp.stdout, long.stdout);
    assert.match(long.stdout, /^rokv serve: /);
    assert.match(
      long.stdout,
      /\n {2}-p, --port PORT\n {8}TCP port to listen on[^\n]*\n {8}\(default: 8080; env: PORT\)\n/,
    );
    assert.match(long.stdout, /\nExamples:\n {2}# /);
  });

  for (const cmd of COMMANDS) {
    test(`rokv ${cmd.name} --help describes every flag with its default and variable, and an example`, async () => {
      const res = await runRokv([cmd.name, '--help', '--no-such-flag']);
      assert.equal(res.code, 0, res.stderr);
      assert.ok(res.stdout.includes(`Usage:\n  rokv ${cmd.name}`), res.stdout);
      for (const spec of Object.values(cmd.options)) {
        assert.ok(res.stdout.includes(`--${spec.flag}`), `--${spec.flag} missing`);
        assert.ok(res.stdout.includes(spec.help.split(' ').slice(0, 3).join(' ')), `help of --${spec.flag} missing`);
        if (spec.env !== undefined) assert.ok(res.stdout.includes(`env: ${spec.env})`), `${spec.env} missing`);
      }
      for (const e of cmd.examples) assert.ok(res.stdout.includes(e.line));
    });
  }

  test("the global help lists the README's commands with the same summaries", async () => {
    const res = await runRokv(['help']);
    assert.equal(res.code, 0);
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const rows = [...readme.matchAll(/^\| `rokv (\w+)[^`]*` \| (.+) \|$/gm)].map((m) => [m[1]!, m[2]!] as const);
    assert.deepEqual(
      rows.map(([name]) => name),
      COMMANDS.map((c) => c.name),
    );
    for (const [name, summary] of rows)
      assert.match(res.stdout, new RegExp(`\\n {2}${name} +${summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`));
  });

  test('rokv with no command prints the global help on stderr and exits 2', async () => {
    const res = await runRokv([]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /^rokv \d+\.\d+\.\d+: a read-only key-value server/);
  });
});

describe('arguments', () => {
  const cases: [string, string[], NodeJS.ProcessEnv, number, string][] = [
    ['suggests the closest command', ['serv'], {}, 2, 'rokv: unknown command "serv"; did you mean serve?'],
    [
      'suggests the closest flag',
      ['build', 'x.json', '--fromat', 'json'],
      {},
      2,
      'rokv: unknown flag --fromat for build; did you mean --format?',
    ],
    ['suggests a command in rokv help', ['help', 'biuld'], {}, 2, 'rokv: unknown command "biuld"; did you mean build?'],
    ['gives no suggestion when nothing is close', ['frobnicate'], {}, 2, 'rokv: unknown command "frobnicate"'],
    [
      'refuses a positional serve does not take, hinting --data',
      ['serve', 'my-snapshot'],
      {},
      2,
      'rokv: serve takes no arguments, got "my-snapshot"; to serve a snapshot directory or a data root, give it as --data DIR',
    ],
    [
      'refuses an extra word after gen',
      ['gen', '--count', '5', 'extra'],
      {},
      2,
      'rokv: gen takes no arguments, got "extra"',
    ],
    ['refuses a second key for get', ['get', 'a', 'b'], {}, 2, 'rokv: get takes KEY only, got extra argument(s) "b"'],
    [
      'asks for a missing argument',
      ['verify'],
      {},
      2,
      'rokv: verify needs DIR: DIR is missing (the snapshot directory)',
    ],
    ['asks for a required flag', ['gen'], {}, 2, 'rokv: --count N is required: pairs to write'],
    ['asks for the value of a flag', ['build', 'x.json', '--out'], {}, 2, 'rokv: --out needs a value: --out DIR'],
    [
      'names the flag and variable of a bad port',
      ['serve'],
      { PORT: 'abc' },
      2,
      'rokv: --port / PORT: expected a port number 0-65535, got "abc"',
    ],
    [
      'names the flag and variable of a bad log level',
      ['serve', '--log-level', 'loud'],
      {},
      2,
      'rokv: --log-level / ROKV_LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    ],
    [
      'checks numbers of other commands the same way',
      ['gen', '--count', '1e3x'],
      {},
      2,
      'rokv: --count: expected a whole number of at least 0, got "1e3x"',
    ],
  ];
  for (const [name, args, env, code, line] of cases) {
    test(`${name}: rokv ${args.join(' ')}`, async () => {
      assertFails(await runRokv(args, { env }), code, line);
    });
  }
});
