import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startRokv } from '../helpers/binary.js';
import { browserMissing, launchChromium, type DomElement } from '../helpers/browser.js';

// A user opens /docs of `npm start` from another machine, over plain HTTP, by a host name: the page
// must not ask the browser to fetch its assets over HTTPS (CSP upgrade-insecure-requests), which
// rokv does not serve. Chromium maps the made-up name to the loopback server.
const HOST = 'rokv.test';
const VALUE = 'cqovg yqumexwdn ijwfwc';
const missing = browserMissing();
if (missing) process.stdout.write(`# skipping the /docs host name test: ${missing}\n`);

describe('/docs over plain HTTP by a host name other than localhost', { skip: missing }, () => {
  test('the CSP does not upgrade requests, Swagger UI renders, and "Try it out" with its example answers 200', async () => {
    const server = await startRokv([]);
    const port = new URL(server.url).port;
    const csp = (await fetch(`${server.url}/docs/`, { signal: AbortSignal.timeout(10_000) })).headers.get(
      'content-security-policy',
    );
    assert.ok(csp, 'the page sends a CSP');
    assert.doesNotMatch(csp, /upgrade-insecure-requests/);

    const browser = await launchChromium([`--host-resolver-rules=MAP ${HOST} 127.0.0.1`]);
    try {
      const page = await browser.newPage();
      page.setDefaultTimeout(30_000);
      const failed: string[] = [];
      page.on('requestfailed', (r) => failed.push(`${r.url()}: ${r.failure()?.errorText ?? '?'}`));
      const base = `http://${HOST}:${port}`;
      await page.goto(`${base}/docs`);
      const paths = page.locator('.opblock-summary-path');
      await paths.first().waitFor();
      const listed = await paths.evaluateAll((nodes: DomElement[]) => nodes.map((n) => n.getAttribute('data-path')));
      assert.ok(listed.includes('/get_value'), `listed: ${listed.join(' ')}`);
      assert.deepEqual(failed, [], 'every asset loaded');
      assert.ok(page.url().startsWith(`${base}/`), `stayed on plain HTTP: ${page.url()}`);

      // The example body Swagger UI fills in is a key of the bundled data: executing it as is finds it.
      const op = page.locator('.opblock', { has: page.locator('.opblock-summary-path[data-path="/get_value"]') });
      await op.locator('.opblock-summary').click();
      await op.locator('.try-out__btn').click();
      await op.locator('.execute').click();
      const status = op.locator('.live-responses-table .response .response-col_status').first();
      await status.waitFor();
      assert.equal((await status.innerText()).trim(), '200');
      const body = op.locator('.live-responses-table .response-col_description pre.microlight').first();
      assert.match(await body.innerText(), new RegExp(VALUE));
      await page.close();
    } finally {
      await browser.close();
    }
  });
});
