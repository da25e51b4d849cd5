// What only a browser can judge: the reader controls work and persist, the
// layout runs right to left, and each paragraph of an article takes its own
// direction. Needs TAWASUL_URL (a server with the demo network) and
// CHROMIUM (the browser binary; default /usr/bin/chromium).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const BASE = process.env.TAWASUL_URL;
if (!BASE) throw new Error('set TAWASUL_URL to a server running the demo network');

let browser;
let context;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // A small, cheap phone.
  context = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2 });
});

after(async () => {
  await browser?.close();
});

const fontSize = (page) => page.$eval('.prose p', (p) => parseFloat(getComputedStyle(p).fontSize));

async function firstEntry(page, archive) {
  await page.goto(BASE + archive);
  const href = await page.$eval('main a[href*="/training/"]:not([href$="/training/"])', (a) => a.getAttribute('href'));
  return href;
}

test('reader controls enlarge the text, and the choice survives a reload and other pages', async () => {
  const page = await context.newPage();
  const entry = await firstEntry(page, '/dp-rabat/training/');
  await page.goto(BASE + entry);
  const toolbar = page.locator('[data-reader]');
  assert.equal(await toolbar.isVisible(), true, 'the toolbar shows once its script runs');
  const before = await fontSize(page);
  await page.click('[data-reader-action="larger"]');
  await page.click('[data-reader-action="larger"]');
  const larger = await fontSize(page);
  assert.ok(larger > before * 1.15, `text grew: ${before}px -> ${larger}px`);

  await page.click('[data-reader-action="spacing"]');
  assert.equal(await page.getAttribute('[data-reader-action="spacing"]', 'aria-pressed'), 'true');

  await page.reload();
  assert.equal(await fontSize(page), larger, 'the size survives a reload');
  await page.goto(BASE + '/dp-rabat/');
  const scale = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--reader-font-scale').trim());
  assert.equal(scale, '1.25', 'and holds on the other pages of the site');

  await page.click('[data-reader-action="reset"]');
  await page.goto(BASE + entry);
  assert.equal(await fontSize(page), before, 'reset brings the default back');
  await page.close();
});

test('an Arabic page runs right to left, and a French paragraph inside it left to right', async () => {
  const page = await context.newPage();
  let found = false;
  for (const archive of ['/aref-rsk/training/', '/dp-sale/news/', '/dp-kenitra/training/']) {
    await page.goto(BASE + archive);
    const links = await page.$$eval('main article a, main h2 a, main h3 a', (as) => as.map((a) => a.getAttribute('href')));
    for (const href of links.filter((h) => h && /\/\d+-/.test(h))) {
      await page.goto(BASE + href);
      assert.equal(await page.evaluate(() => getComputedStyle(document.body).direction), 'rtl');
      const directions = await page.$$eval('.prose p', (ps) => ps.map((p) => ({
        ltr: p.matches(':dir(ltr)'),
        latin: (p.textContent.match(/[A-Za-z]/g) || []).length,
        arabic: (p.textContent.match(/[\u0600-\u06FF]/g) || []).length,
      })));
      for (const p of directions) {
        if (p.latin > 40 && p.arabic === 0) {
          assert.equal(p.ltr, true, `${href}: a French paragraph reads left to right`);
          found = true;
        }
        if (p.arabic > 40 && p.latin === 0) assert.equal(p.ltr, false, `${href}: an Arabic paragraph reads right to left`);
      }
    }
  }
  assert.ok(found, 'the demo has a French paragraph inside an Arabic article');
  await page.close();
});

test('a phone-sized page needs no sideways scrolling', async () => {
  const page = await context.newPage();
  for (const path of ['/aref-rsk/', '/dp-rabat/training/', '/dp-kenitra/', '/']) {
    await page.goto(BASE + path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `${path} overflows by ${overflow}px`);
  }
  await page.close();
});
