// What the browser tests share: one Chromium, a context per person, signing
// in, a click that waits for the next page, screenshots, test photos.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const BASE = process.env.TAWASUL_URL;
if (!BASE) throw new Error('set TAWASUL_URL to a server running the demo network');

export const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
export const DESKTOP = { viewport: { width: 1280, height: 900 } };
export const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
export const EDITOR = { email: 'editeur.rabat@tawasul.example', password: 'demo-editor-2026' };
export const PUBLISHER = { email: 'publication.rabat@tawasul.example', password: 'demo-publisher-2026' };

let browser;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
});

/** A browser context of its own, closed when the test ends. */
export async function person(t, options = DESKTOP) {
  const context = await browser.newContext({ ...options, baseURL: BASE });
  context.setDefaultTimeout(20_000);
  t.after(() => context.close());
  return context;
}

let counter = 0;
/** A word no other run of a test has used, to find what this run made. */
export function unique() {
  counter += 1;
  return `${Date.now().toString(36)}-${process.pid}-${counter}`;
}

export async function shot(page, name) {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

export async function clickAndLoad(page, selector) {
  const loaded = page.waitForEvent('load');
  await page.click(selector);
  await loaded;
}

export async function login(context, who) {
  const page = await context.newPage();
  await page.goto('/admin/login');
  await page.fill('[data-test=login-email]', who.email);
  await page.fill('[data-test=login-password]', who.password);
  await clickAndLoad(page, '[data-test=login-submit]');
  assert.equal(new URL(page.url()).pathname, '/admin/', `${who.email} is signed in`);
  return page;
}

/** A JPEG the page draws: stripes whose colours depend on `seed`, and a
    corner of random colour, so no two calls give the same file (the
    library would take a second one as the first). */
export async function drawnPhoto(page, seed, width = 900, height = 600) {
  const dataUrl = await page.evaluate(([seed, w, h]) => {
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const g = canvas.getContext('2d');
    for (let x = 0; x < w; x += 10) {
      g.fillStyle = `rgb(${(x + seed * 53) % 255},${(seed * 97) % 255},${(x * 3 + seed) % 255})`;
      g.fillRect(x, 0, 10, h);
    }
    g.fillStyle = `rgb(${Math.random() * 255 | 0},${Math.random() * 255 | 0},${Math.random() * 255 | 0})`;
    g.fillRect(0, 0, 60, 60);
    return canvas.toDataURL('image/jpeg', 0.9);
  }, [seed, width, height]);
  return Buffer.from(dataUrl.split(',')[1], 'base64');
}
