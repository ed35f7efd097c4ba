// Drives Debian's chromium (playwright-core) through gpen-server's web UI:
//   node ui_test.mjs URL PHOTO GOOD2 BAD OUT_DIR
// Restore tab: upload PHOTO, move the strength slider, wait for the new result, download it.
// Batch tab: PHOTO + GOOD2 + BAD; the progress bar reaches the end and BAD is listed as failed.
// Models tab and a phone-width view. Screenshots go to OUT_DIR; a JSON summary is printed last,
// which tests/server/test_browser.py checks (the download's size, the table's states, ...).
import { chromium } from 'playwright-core';
import path from 'node:path';

const [url, photo, good2, bad, out] = process.argv.slice(2);
const summary = { console_errors: [] };
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') summary.console_errors.push(m.text()); });
  page.on('pageerror', (e) => summary.console_errors.push(String(e)));
  await page.goto(url);
  await page.waitForSelector('body[data-ready=true]', { timeout: 30000 });

  // Every control has an accessible name (a label, aria-label or text).
  summary.unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, button, a')]
    .filter((e) => !(e.getAttribute('aria-label') || (e.labels && e.labels.length) || e.textContent.trim()))
    .map((e) => e.outerHTML.slice(0, 80)));
  summary.controls = await page.evaluate(() => [...document.querySelectorAll('#param-controls [name]')].map((e) => e.name));

  // ---- Restore
  const first = page.waitForResponse((r) => r.url().includes('/v1/restore'));
  await page.setInputFiles('#restore-file', photo);
  await first;
  await page.waitForSelector('#download:not([hidden])');
  const second = page.waitForResponse((r) => r.url().includes('/v1/restore'));
  await page.locator('#param-strength').fill('40');
  const response = await second;
  summary.slider_strength = (await response.json()).params.strength;
  await page.waitForFunction(() => !document.querySelector('#restore-status').textContent.startsWith('Restoring'));
  summary.restore_status = await page.textContent('#restore-status');
  summary.faces_outlined = await page.locator('#face-boxes rect').count();
  await page.locator('#compare-slider').fill('30');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  summary.download = path.join(out, 'ui-download-' + download.suggestedFilename());
  await download.saveAs(summary.download);
  await page.screenshot({ path: path.join(out, 'ui-restore.png'), fullPage: true });

  // ---- Batch
  await page.click('#tab-batch');
  await page.setInputFiles('#batch-files', [photo, good2, bad]);
  await page.click('#batch-start');
  await page.waitForFunction(() => /^(done|failed|cancelled):/.test(document.querySelector('#batch-status').textContent),
    null, { timeout: 120000 });
  summary.batch_status = await page.textContent('#batch-status');
  summary.progress = await page.evaluate(() => [document.querySelector('#batch-progress').value,
    document.querySelector('#batch-progress').max]);
  summary.batch_rows = await page.$$eval('#batch-files-table tbody tr',
    (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  summary.batch_zip_link = await page.getAttribute('#batch-download', 'href');
  await page.screenshot({ path: path.join(out, 'ui-batch.png'), fullPage: true });

  // ---- Models & settings
  await page.click('#tab-models');
  await page.waitForSelector('#models-table tbody tr');
  summary.models = await page.$$eval('#models-table tbody tr', (rows) => rows.map((r) => r.cells[0].textContent));
  summary.memory = await page.textContent('#memory');
  await page.screenshot({ path: path.join(out, 'ui-models.png'), fullPage: true });

  // ---- Phone width: nothing wider than the screen
  await page.setViewportSize({ width: 390, height: 844 });
  await page.click('#tab-restore');
  summary.phone_overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await page.screenshot({ path: path.join(out, 'ui-phone.png'), fullPage: true });
} finally {
  await browser.close();
}
console.log(JSON.stringify(summary));
