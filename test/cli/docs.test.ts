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
