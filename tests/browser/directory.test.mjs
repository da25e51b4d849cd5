// The directory in a real browser: an audience's editor tells how many
// people the rule reaches while it is being edited, without the "count"
// button; the page still works as a plain form.
//
// Needs TAWASUL_URL (a server with the demo network) and CHROMIUM (default
// /usr/bin/chromium).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const BASE = process.env.TAWASUL_URL;
if (!BASE) throw new Error('set TAWASUL_URL to a server running the demo network');

const ADMIN = { email: 'admin@tawasul.example', password: 'demo-admin-2026' };

let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
});

test('an audience counts its recipients as its rule is edited', async (t) => {
  const context = await browser.newContext({ baseURL: BASE, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(20_000);
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto('/admin/login');
  await page.fill('[data-test=login-email]', ADMIN.email);
  await page.fill('[data-test=login-password]', ADMIN.password);
  await Promise.all([page.waitForEvent('load'), page.click('[data-test=login-submit]')]);

  await page.goto('/admin/sites/dp-rabat/directory/audiences/new');
  assert.equal(await page.locator('[data-test=audience-count]').count(), 0, 'no count before a rule');
  const first = page.locator('input[name=functions]').first();
  await first.check();
  const status = page.locator('[data-test=audience-count]');
  await status.waitFor();
  const once = await status.innerText();
  assert.match(once, /\d/, `a number of recipients: ${once}`);

  // A wider rule reaches at least as many, and the box follows it.
  await page.locator('input[name=functions]').nth(1).check();
  await page.waitForFunction(
    (before) => document.querySelector('[data-test=audience-count]')?.innerText !== before,
    once,
  );
  const twice = await status.innerText();
  const number = (text) => Number((text.match(/\d+/) || ['0'])[0]);
  assert.ok(number(twice) >= number(once), `${twice} ≥ ${once}`);
  assert.equal(await page.locator('[data-test=audience-count]').count(), 1, 'one status box');
  assert.equal(new URL(page.url()).pathname, '/admin/sites/dp-rabat/directory/audiences/new', 'nothing was saved');
});
