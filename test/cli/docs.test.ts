import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { COMMANDS } from '../../src/cli/commands.js';
import { commandsMarkdown, fillGenerated, optionsMarkdown, referenceMarkdown } from '../../src/cli/help.js';

const README = new URL('../../README.md', import.meta.url);
const REFERENCE = new URL('../../docs/cli.md', import.meta.url);
// ROKV_UPDATE_DOCS=1 (npm run docs:cli) rewrites the generated parts instead of checking them.
const update = process.env.ROKV_UPDATE_DOCS === '1';

function render(name: string): string {
  if (name === 'commands') return commandsMarkdown(COMMANDS);
  const [kind, command] = name.split(' ');
  const cmd = COMMANDS.find((c) => c.name === command);
  assert.ok(kind === 'options' && cmd, `unknown generated block ${name}`);
  return optionsMarkdown(cmd);
}

async function check(file: URL, expected: string): Promise<void> {
  if (update) await writeFile(file, expected);
  else assert.equal(await readFile(file, 'utf8'), expected, `${file.pathname} is stale: run npm run docs:cli`);
}

test("the README's command and option tables are the command table's", async () => {
  const readme = await readFile(README, 'utf8');
  assert.match(readme, /<!-- generated: commands -->/);
  await check(README, fillGenerated(readme, render));
});

test('docs/cli.md is the command table rendered', async () => {
  await check(REFERENCE, referenceMarkdown(COMMANDS));
});

/**
 * The README's code as simple commands: fenced lines (continuations joined, comments dropped) and
 * inline spans, split at pipes and `&&`, with `npx` dropped (`npx rokv build` runs rokv).
 */
function codePieces(markdown: string): string[] {
  const fenced = [...markdown.matchAll(/^```\w*\n([\s\S]*?)^```$/gm)].flatMap(([, b]) =>
    b!
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .map((line) => line.replace(/\s+#[^'"]*$/, '')),
  );
  const inline = [...markdown.replace(/^```\w*\n[\s\S]*?^```$/gm, '').matchAll(/`([^`\n]+)`/g)].map(([, s]) => s!);
  return [...fenced, ...inline].flatMap((p) => p.split(/\s(?:\||&&|;)\s/)).map((p) => p.replace(/^\s*npx\s+/, ''));
}

/** The command a piece of code runs, after any VAR=value assignments: `rokv`, `curl`, `npm`, ... */
function commandWord(piece: string): string | undefined {
  return /^\s*(?:[A-Z_]+=\S*\s+)*([\w.-]+)/.exec(piece)?.[1];
}

test('every flag and variable the README names is one of the command line, on the command it is given to', async () => {
  const readme = await readFile(README, 'utf8');
  const flagsOf = (name: string): Set<string> =>
    new Set([
      '--help',
      ...Object.values(COMMANDS.find((c) => c.name === name)?.options ?? {}).map((o) => `--${o.flag}`),
    ]);
  const anyFlag = new Set(COMMANDS.flatMap((c) => [...flagsOf(c.name)]));
  const variables = new Set(COMMANDS.flatMap((c) => Object.values(c.options).flatMap((o) => o.env ?? [])));
  const flagsIn = (text: string): string[] => [...text.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)].map((m) => m[0]);
  const wrong: string[] = [];
  let prose = readme;
  for (const piece of codePieces(readme)) {
    prose = prose.replace(piece.trim(), '');
    const word = commandWord(piece);
    if (word !== 'rokv') {
      // Another tool's line (curl, npm, docker, ...) or a bare flag or variable, checked with the prose.
      if (word !== undefined && !piece.trimStart().startsWith('--') && !/^[A-Z_]+$/.test(word)) continue;
      prose += `\n${piece}`;
      continue;
    }
    const name = /^\s*(?:[A-Z_]+=\S*\s+)*rokv (\w+)/.exec(piece)?.[1] ?? '';
    for (const flag of flagsIn(piece)) if (!flagsOf(name).has(flag)) wrong.push(`${flag} on rokv ${name}: ${piece}`);
    for (const [, v] of piece.matchAll(/\b((?:ROKV_[A-Z_]+|PORT|HOST))=/g))
      if (!variables.has(v!)) wrong.push(`${v}: ${piece}`);
  }
  for (const flag of flagsIn(prose)) if (!anyFlag.has(flag)) wrong.push(`${flag} (no command has it)`);
  for (const [v] of prose.matchAll(/\bROKV_[A-Z_]+\b/g)) if (!variables.has(v)) wrong.push(`${v} (no option reads it)`);
  assert.deepEqual(wrong, []);
});
