import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { appOf } from '../helpers/app.js';
import { browserMissing, launchChromium, type DomElement } from '../helpers/browser.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';
const VALUE = 'lunmtp ftxemjfob pmo hwoya';
const missing = browserMissing();
if (missing) process.stdout.write(`# skipping the /docs browser test: ${missing}\n`);

let app: FastifyInstance;
let close: () => Promise<void>;
let base: string;
let browser: Browser | undefined;

before(async () => {
  if (missing) return;
  ({ app, close } = await appOf({ [KEY]: VALUE }));
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await close?.();
});

describe('/docs in a headless browser', { skip: missing }, () => {
  test('loads offline, lists the routes, and "try it out" on /get_value shows a value', async () => {
    const page = await browser!.newPage();
    const offsite: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(base) && !request.url().startsWith('data:')) offsite.push(request.url());
    });
    page.setDefaultTimeout(20_000);
    await page.goto(`${base}/docs`);
    const paths = page.locator('.opblock-summary-path');
    await paths.first().waitFor();
    const listed = await paths.evaluateAll((nodes: DomElement[]) => nodes.map((n) => n.getAttribute('data-path')));
    for (const path of ['/get_value', '/get_values', '/values/{key}', '/dataset', '/healthz', '/readyz', '/metrics']) {
      assert.ok(listed.includes(path), `${path} is listed in ${listed.join(' ')}`);
    }

    const op = page.locator('.opblock', { has: page.locator('.opblock-summary-path[data-path="/get_value"]') });
    await op.locator('.opblock-summary').click();
    await op.locator('.try-out__btn').click();
    await op.locator('textarea.body-param__text').fill(JSON.stringify({ key: KEY }));
    await op.locator('.execute').click();
    const body = op.locator('.live-responses-table .response-col_description pre.microlight').first();
    await body.waitFor();
    assert.match(await body.innerText(), new RegExp(VALUE));
    assert.deepEqual(offsite, [], 'the page made no request off the server');
    await page.close();
  });
});
