#!/usr/bin/env node
import * as nodeModule from 'node:module';
import { parseCommandLine, suggestion, wantsHelp } from './cli/args.js';
import { COMMANDS } from './cli/commands.js';
import { commandHelp, globalHelp } from './cli/help.js';
import { describeFailure, exitCodeOf } from './errors.js';
import { ROKV_VERSION } from './version.js';

// Node 22.1+ keeps compiled code of the modules loaded below on disk (under the OS temp dir, or
// NODE_COMPILE_CACHE): later starts skip compiling them. Node 20 has no such cache; a read-only disk
// only makes it report a failure, which changes nothing.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const NAMES = COMMANDS.map((c) => c.name);

/** `rokv: unknown command "serv"; did you mean serve?` and where the list is. */
function unknownCommand(name: string): string {
  return `rokv: unknown command ${JSON.stringify(name)}${suggestion(name, NAMES)}\nrun \`rokv help\` for the list of commands\n`;
}

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(globalHelp(COMMANDS));
    return 2;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    const topic = rest[0];
    if (topic === undefined) {
      process.stdout.write(globalHelp(COMMANDS));
      return 0;
    }
    const cmd = COMMANDS.find((c) => c.name === topic);
    if (cmd === undefined) {
      process.stderr.write(unknownCommand(topic));
      return 2;
    }
    process.stdout.write(commandHelp(cmd));
    return 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${ROKV_VERSION}\n`);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (cmd === undefined) {
    process.stderr.write(unknownCommand(name));
    return 2;
  }
  if (wantsHelp(rest)) {
    process.stdout.write(commandHelp(cmd));
    return 0;
  }
  const { values, positionals } = parseCommandLine(cmd, rest, env);
  await cmd.run(values, positionals, env);
  return 0;
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    // Expected failures (bad input, missing file, unreachable service) are one line; only the
    // unexpected get a stack.
    const line = describeFailure(err);
    if (line !== undefined) process.stderr.write(`rokv: ${line}\n`);
    else process.stderr.write(`rokv: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = exitCodeOf(err);
  },
);
