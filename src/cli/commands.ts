/**
 * Every command of `rokv`, described once: name, summary, arguments, options, examples. The
 * parser, the global help, each command's help and the README's tables all come from this list.
 */
import { loadServeConfig, serveOptions } from '../config.js';
import { command, type Command } from './command.js';
import {
  activateOptions,
  buildOptions,
  genOptions,
  getOptions,
  loadOptions,
  loadtestOptions,
  publishOptions,
  rollbackOptions,
  verifyOptions,
  versionsOptions,
} from './command-options.js';

/** The commands, in the order help lists them. */
export const COMMANDS: readonly Command[] = [
  command({
    name: 'serve',
    summary: 'serve a snapshot, a data root or a Redis store over HTTP',
    positionals: [],
    options: serveOptions,
    hint: 'to serve a snapshot directory or a data root, give it as --data DIR',
    validate: loadServeConfig,
    examples: [
      { note: 'serve the bundled example data set on port 8080', line: 'rokv serve' },
      {
        note: 'serve your snapshot on port 9000 with two workers',
        line: 'rokv serve --data my-snapshot --port 9000 --workers 2',
      },
      {
        note: 'the same, configured from the environment',
        line: 'ROKV_DATA=my-snapshot PORT=9000 ROKV_WORKERS=2 rokv serve',
      },
    ],
    load: async () => (await import('./serve.js')).serve,
  }),
  command({
    name: 'build',
    summary: 'build a snapshot from JSON, JSONL, CSV or TSV files (gzipped or not)',
    positionals: [{ name: 'INPUT', variadic: true, help: 'input files; - reads standard input (give --format)' }],
    options: buildOptions,
    examples: [
      { note: 'build a snapshot from a JSON object file', line: 'rokv build data.json --out my-snapshot' },
      {
        note: 'from a pipe, skipping up to 100 bad rows',
        line: 'zcat export.csv.gz | rokv build - --format csv --out snap --max-errors 100',
      },
    ],
    load: async () => (await import('./build.js')).build,
  }),
  command({
    name: 'get',
    summary: 'print one value from a snapshot (exit 1 when the key is absent)',
    positionals: [{ name: 'KEY', help: 'the UUIDv4 key to look up' }],
    options: getOptions,
    examples: [{ note: 'look a key up in the bundled example', line: 'rokv get 1c39ae30-ec4a-4ffb-88d5-53ef7dfd26a8' }],
    load: async () => (await import('./get.js')).get,
  }),
  command({
    name: 'load',
    summary: 'load a snapshot into Redis / Redis Cluster as a new version, verify it, activate it',
    positionals: [{ name: 'SNAPSHOT', help: 'the snapshot directory to load' }],
    options: loadOptions,
    examples: [{ note: 'load, then serve from Redis', line: 'rokv load my-snapshot --store redis://127.0.0.1:6379' }],
    load: async () => (await import('./load.js')).load,
  }),
  command({
    name: 'verify',
    summary: "recompute a snapshot's checksums and check every stored value",
    positionals: [{ name: 'DIR', help: 'the snapshot directory' }],
    options: verifyOptions,
    examples: [{ note: 'check a snapshot before shipping it', line: 'rokv verify my-snapshot' }],
    load: async () => (await import('./verify.js')).verify,
  }),
  command({
    name: 'gen',
    summary: 'write a deterministic synthetic data set shaped like the example one',
    positionals: [],
    options: genOptions,
    examples: [{ note: '100,000 pairs as a JSON object', line: 'rokv gen --count 100000 --seed 7 --out my-data.json' }],
    load: async () => (await import('./gen.js')).gen,
  }),
  command({
    name: 'publish',
    summary: 'add a snapshot to a data root and make it current once its checks pass',
    positionals: [{ name: 'SNAPSHOT', help: 'the snapshot directory to publish' }],
    options: publishOptions,
    examples: [
      {
        note: 'publish with guards; running servers swap to it',
        line: 'rokv publish build/today --root /srv/rokv --move --min-pairs 9000 --max-shrink 10%',
      },
    ],
    load: async () => (await import('./publish.js')).publish,
  }),
  command({
    name: 'versions',
    summary: "list a data root's versions: id, pairs, build time, which is current",
    positionals: [],
    options: versionsOptions,
    examples: [{ note: 'what is current (*) and what is kept', line: 'rokv versions --root /srv/rokv' }],
    load: async () => (await import('./versions.js')).versions,
  }),
  command({
    name: 'activate',
    summary: 'make a version current (a unique prefix of its id will do); running servers follow',
    positionals: [{ name: 'ID', help: 'the version id, or a unique prefix of it' }],
    options: activateOptions,
    examples: [{ note: 'switch to a version by the start of its id', line: 'rokv activate 0190a5 --root /srv/rokv' }],
    load: async () => (await import('./activate.js')).activate,
  }),
  command({
    name: 'rollback',
    summary: 'go back to the version that was current before',
    positionals: [],
    options: rollbackOptions,
    examples: [{ note: "wrong data? back to yesterday's", line: 'rokv rollback --root /srv/rokv' }],
    load: async () => (await import('./rollback.js')).rollback,
  }),
  command({
    name: 'loadtest',
    summary: 'load a running server and check every answer',
    positionals: [],
    options: loadtestOptions,
    examples: [
      {
        note: '30 s at 2,000 requests a second, 10% misses, with an HTML report',
        line: 'rokv loadtest --url http://localhost:8080 --keys-from my-snapshot --miss-ratio 0.1 --rate 2000 --duration 30 --report report.html',
      },
    ],
    load: async () => (await import('./loadtest.js')).loadtest,
  }),
];
