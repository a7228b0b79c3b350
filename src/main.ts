#!/usr/bin/env node
import * as nodeModule from 'node:module';
import { RokvError } from './errors.js';
import { ROKV_VERSION } from './version.js';

// Node 22.1+ keeps compiled code of the modules loaded below on disk (under the OS temp dir, or
// NODE_COMPILE_CACHE): later starts skip compiling them. Node 20 has no such cache; a read-only disk
// only makes it report a failure, which changes nothing.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const HELP = `rokv ${ROKV_VERSION}: a read-only key-value server (UUID keys, string values)

usage:
  rokv serve [--data DIR|ROOT | --store URL] [--port 8080] [--host 0.0.0.0] [--workers N]   serve a snapshot, data root or Redis store
  rokv build INPUT... --out DIR [--format F] [--max-errors N] ...       build a snapshot from JSON, JSONL, CSV or TSV (.gz too)
  rokv get KEY [--data DIR]                                             print one value from a snapshot
  rokv load SNAPSHOT --store URL [--keep 2]                             load a snapshot into Redis, activate it
  rokv verify DIR                                                       check a snapshot against its manifest
  rokv gen --count N [--seed S] [--format json|jsonl|csv] [--out FILE]  write a synthetic data set
  rokv publish SNAPSHOT --root DIR [--no-activate] [--keep 3] [--expect FILE] [--min-pairs N] [--max-shrink 10%]
                                                                        add a snapshot to a data root, make it current
  rokv versions --root DIR                                              list the versions of a data root
  rokv activate ID --root DIR                                           make a version current (servers follow)
  rokv rollback --root DIR                                              go back to the previous version
  rokv loadtest --url URL --duration S [--rate R] [--keys-from DIR] ...  load a running server, check its answers

environment (serve): PORT, HOST, ROKV_DATA, ROKV_WORKERS, ROKV_LOG_LEVEL, ROKV_CORS_ORIGINS (comma-separated),
  ROKV_BODY_LIMIT, ROKV_BATCH_BODY_LIMIT, ROKV_BATCH_MAX_KEYS, ROKV_CACHE_MAX_AGE, ROKV_ADMIN_TOKEN, ROKV_RELOAD_VERIFY, ROKV_STORE,
  ROKV_API_KEYS_FILE, ROKV_API_KEYS, ROKV_AUTH_OPS, ROKV_TLS_CERT, ROKV_TLS_KEY, ROKV_HTTP2,
  ROKV_MAX_CONNECTIONS, ROKV_MAX_EVENT_LOOP_LAG_MS, ROKV_RATE_LIMIT, ROKV_HEADERS_TIMEOUT_MS, ROKV_FAST_LANE,
  ROKV_NATIVE_READER
serve security (API keys, TLS, limits): docs/security.md
`;

type Command = (argv: string[], env: NodeJS.ProcessEnv) => Promise<void>;

// Each command's module is loaded when it runs: `rokv serve` then starts without the build, load and
// loadtest code and their libraries (ioredis, undici, parsers), about a third of its start-up time.
const commands: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./cli/serve.js')).serve,
  build: async () => (await import('./cli/build.js')).build,
  get: async () => (await import('./cli/get.js')).get,
  load: async () => (await import('./cli/load.js')).load,
  verify: async () => (await import('./cli/verify.js')).verify,
  gen: async () => (await import('./cli/gen.js')).gen,
  publish: async () => (await import('./cli/publish.js')).publish,
  versions: async () => (await import('./cli/versions.js')).versions,
  activate: async () => (await import('./cli/activate.js')).activate,
  rollback: async () => (await import('./cli/rollback.js')).rollback,
  loadtest: async () => (await import('./cli/loadtest.js')).loadtest,
};

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
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (command === undefined) {
    process.stderr.write(`rokv: unknown command ${JSON.stringify(name)}\n\n${HELP}`);
    return 2;
  }
  await (
    await command()
  )(rest, env);
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
