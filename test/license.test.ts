import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

const read = (file: string): Promise<string> => readFile(new URL(`../${file}`, import.meta.url), 'utf8');

test("the LICENSE file is the license package.json names, held by package.json's author, and the README says so", async () => {
  const pkg = JSON.parse(await read('package.json')) as { license: string; author: string };
  const license = await read('LICENSE');
  assert.equal(pkg.license, 'MIT');
  assert.match(license, /^MIT License\n\nCopyright \(c\) \d{4} (.+)\n/);
  assert.equal(/^Copyright \(c\) \d{4} (.+)$/m.exec(license)?.[1], pkg.author);
  assert.match(await read('README.md'), /^## License\n\nMIT, see \[LICENSE\]\(LICENSE\)\.$/m);
});
