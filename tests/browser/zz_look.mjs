import { chromium } from 'playwright-core';
const BASE = process.env.TAWASUL_URL;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const phone = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, baseURL: BASE };
const ctx = await browser.newContext(phone);
const page = await ctx.newPage();
for (const [name, url] of [['search-ar', '/dp-rabat/search?q=التكوين'], ['search-fr', '/dp-rabat/fr/search?q=formation']]) {
  await page.goto(url);
  await page.screenshot({ path: `/tmp/shots/${name}.png`, fullPage: false });
  const sw = await page.evaluate(() => document.documentElement.scrollWidth);
  console.log(name, 'scrollWidth', sw);
}
await page.goto('/admin/login');
await page.fill('[data-test=login-email]', 'admin@tawasul.example');
await page.fill('[data-test=login-password]', 'demo-admin-2026');
await Promise.all([page.waitForEvent('load'), page.click('[data-test=login-submit]')]);
for (const [name, url] of [['sites', '/admin/sites'], ['outbox', '/admin/outbox'], ['site-outbox', '/admin/sites/dp-rabat/outbox']]) {
  await page.goto(url);
  const sw = await page.evaluate(() => document.documentElement.scrollWidth);
  console.log(name, 'scrollWidth', sw);
  await page.screenshot({ path: `/tmp/shots/${name}.png`, fullPage: false });
}
await browser.close();
