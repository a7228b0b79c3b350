import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { runRokv } from '../helpers/binary.js';
import { browserMissing, launchChromium, type DomElement } from '../helpers/browser.js';
import { sendJson, startFakeServer } from '../helpers/fake-server.js';
import { numberedPairs, serveLoadTarget } from '../helpers/loadtest.js';
import { tempDir } from '../helpers/tmp.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
// `ROKV_UPDATE_SCREENSHOTS=1 npm test` refreshes the screenshot the README shows.
const README_SCREENSHOT = fileURLToPath(new URL('../../docs/images/loadtest-report.png', import.meta.url));
const noBrowser = browserMissing() ?? false;
if (noBrowser) process.stdout.write(`# skipping the report's browser tests: ${noBrowser}\n`);

const pairs = numberedPairs('1c39ae30-ec4a-4ffb-88d5-', 200, (i) => `value ${i}`);

let browser: Browser | undefined;
after(() => browser?.close());

/** Opens a report file in headless Chromium, failing on any request that leaves the file. */
async function openReport(file: string): Promise<{ page: Page; external: string[] }> {
  browser ??= await launchChromium();
  const page = await browser.newPage({ viewport: { width: 840, height: 1000 } });
  const external: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    external.push(url);
    return route.abort();
  });
  await page.goto(pathToFileURL(file).href);
  return { page, external };
}

/** Number of points of the first line of a chart, and how many of its bars have a height. */
async function chartShape(page: Page, chart: string): Promise<{ points: number; bars: number }> {
  const figure = page.locator(`figure[data-chart="${chart}"]`);
  assert.equal(await figure.count(), 1, `the report has the ${chart} chart`);
  const box = await figure.locator('svg').boundingBox();
  assert.ok(box !== null && box.width > 300 && box.height > 100, `the ${chart} chart is drawn at a visible size`);
  const lines = figure.locator('polyline.series');
  const points =
    (await lines.count()) === 0 ? 0 : ((await lines.first().getAttribute('points')) ?? '').trim().split(/\s+/).length;
  const heights = await figure
    .locator('rect.bar')
    .evaluateAll((rects: DomElement[]) => rects.map((r) => Number(r.getAttribute('height'))));
  return { points, bars: heights.filter((h) => h > 0).length };
}

describe('the HTML report in a browser', { skip: noBrowser }, () => {
  test('a run against a real server renders throughput, latency and histogram charts, offline', async () => {
    const { snapshot, server } = await serveLoadTarget(pairs);
    const report = join(await tempDir(), 'report.html');
    const run = await runRokv([
      'loadtest',
      '--url',
      server.url,
      '--rate',
      '400',
      '--duration',
      '4',
      '--keys-from',
      snapshot,
      '--miss-ratio',
      '0.1',
      '--report',
      report,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /requests\s+1,600 /);
    const { page, external } = await openReport(report);
    assert.equal(await page.locator('h1').textContent(), 'rokv load test');
    const throughput = await chartShape(page, 'throughput');
    assert.ok(throughput.points >= 4, `throughput has a point a second, got ${throughput.points}`);
    assert.ok((await chartShape(page, 'latency')).points >= 4);
    assert.ok((await chartShape(page, 'histogram')).bars >= 3, 'the histogram has bars');
    assert.ok((await chartShape(page, 'server-cpu')).points >= 2, "rokv's /metrics gives the CPU chart");
    assert.match((await page.locator('table').textContent()) ?? '', /wrong answers0/);
    await mkdir(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'loadtest-report.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok((await readFile(shot)).length > 10_000, 'the screenshot is not blank');
    if (process.env.ROKV_UPDATE_SCREENSHOTS === '1') {
      await mkdir(join(README_SCREENSHOT, '..'), { recursive: true });
      await copyFile(shot, README_SCREENSHOT);
    }
    assert.deepEqual(external, [], 'the page loads nothing from the network');
  });

  test('a server with /metrics adds its CPU and memory over the run to the report', async () => {
    let cpuSeconds = 0;
    const server = await startFakeServer((req, res) => {
      if (req.url === '/metrics') {
        // Like prom-client with two workers: one series per worker, which the report sums.
        cpuSeconds += 0.25;
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(
          [
            '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.',
            '# TYPE process_cpu_seconds_total counter',
            `process_cpu_seconds_total{worker="1"} ${cpuSeconds}`,
            `process_cpu_seconds_total{worker="2"} ${cpuSeconds}`,
            '# TYPE process_resident_memory_bytes gauge',
            `process_resident_memory_bytes{worker="1"} ${64 * 2 ** 20}`,
            `process_resident_memory_bytes{worker="2"} ${64 * 2 ** 20}`,
            '',
          ].join('\n'),
        );
        return;
      }
      const value = pairs[(JSON.parse(req.body) as { key: string }).key];
      if (value === undefined) sendJson(res, 404, { message: 'not in the data set', code: 'KEY_NOT_FOUND' });
      else sendJson(res, 200, { value });
    });
    const dir = await tempDir();
    const report = join(dir, 'report.html');
    const run = await runRokv([
      'loadtest',
      '--url',
      server.url,
      '--rate',
      '100',
      '--duration',
      '3',
      '--report',
      report,
      '--json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as { server: { cpuPercent: number; rssMiB: number }[] };
    assert.ok(result.server.length >= 2, 'a sample a second');
    assert.ok(
      result.server.every((s) => s.rssMiB === 128),
      'memory is summed over the workers',
    );
    assert.ok(result.server.every((s) => s.cpuPercent > 0));
    const { page } = await openReport(report);
    assert.ok((await chartShape(page, 'server-cpu')).points >= 2);
    assert.ok((await chartShape(page, 'server-memory')).points >= 2);
  });
});
