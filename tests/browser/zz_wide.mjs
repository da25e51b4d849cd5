import { chromium } from 'playwright-core';
const BASE = process.env.TAWASUL_URL;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, baseURL: BASE });
const page = await ctx.newPage();
await page.goto('/admin/login');
await page.fill('[data-test=login-email]', 'admin@tawasul.example');
await page.fill('[data-test=login-password]', 'demo-admin-2026');
await Promise.all([page.waitForEvent('load'), page.click('[data-test=login-submit]')]);
for (const url of process.argv.slice(2)) {
  await page.goto(url);
  const wide = await page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && (r.right > 361 || r.left < -1)) {
        let p = el.parentElement, inScroll = false;
        while (p) { const s = getComputedStyle(p); if (s.overflowX === 'auto' || s.overflowX === 'scroll') { inScroll = true; break; } p = p.parentElement; }
        if (!inScroll) out.push(`${el.tagName}.${el.className} [${Math.round(r.left)},${Math.round(r.right)}]`);
      }
    }
    return [document.documentElement.scrollWidth, out.filter(s => !s.includes("topbar") && !s.startsWith("A.") && !s.startsWith("LI") && !s.startsWith("SPAN")).slice(0, 20)];
  });
  console.log(url, JSON.stringify(wide));
}
await browser.close();
