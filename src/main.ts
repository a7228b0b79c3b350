#!/usr/bin/env node
import { RokvError } from './errors.js';
import { build } from './cli/build.js';
import { gen } from './cli/gen.js';
import { get } from './cli/get.js';
import { load } from './cli/load.js';
import { serve } from './cli/serve.js';
import { verify } from './cli/verify.js';
import { ROKV_VERSION } from './version.js';

const HELP = `rokv ${ROKV_VERSION}: a read-only key-value server (UUID keys, string values)

usage:
  rokv serve [--data DIR | --store URL] [--port 8080] [--host 0.0.0.0] [--workers N]   serve a snapshot over HTTP
  rokv build INPUT --out DIR                                            build a snapshot from a JSON file
  rokv get KEY [--data DIR]                                             print one value from a snapshot
  rokv load SNAPSHOT --store URL [--keep 2]                             load a snapshot into Redis, activate it
  rokv verify DIR                                                       check a snapshot against its manifest
  rokv gen --count N [--seed S] [--format json|jsonl|csv] [--out FILE]  write a synthetic data set

environment (serve): PORT, HOST, ROKV_DATA, ROKV_STORE, ROKV_WORKERS, ROKV_LOG_LEVEL
`;

type Command = (argv: string[], env: NodeJS.ProcessEnv) => Promise<void>;

const commands: Record<string, Command> = { serve, build, get, load, verify, gen };

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${ROKV_VERSION}\n`);
    return 0;
  }
  const command = commands[name];
  if (command === undefined) {
    process.stderr.write(`rokv: unknown command ${JSON.stringify(name)}\n\n${HELP}`);
    return 2;
  }
  await command(rest, env);
  return 0;
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    // Expected failures (bad input, missing snapshot) are one line; only the unexpected get a stack.
    if (err instanceof RokvError) {
      process.stderr.write(`rokv: ${err.message}\n`);
      process.exitCode = err.code === 'USAGE' || err.code === 'CONFIG_INVALID' ? 2 : 1;
    } else {
      process.stderr.write(`rokv: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
