// The directory in a real browser: an audience's editor tells how many
// people the rule reaches while it is being edited, without the "count"
// button; the page still works as a plain form.
//
// Needs TAWASUL_URL (a server with the demo network) and CHROMIUM (default
// /usr/bin/chromium).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, login, person } from './helpers.mjs';

const ADMIN = { email: 'admin@tawasul.example', password: 'demo-admin-2026' };

test('an audience counts its recipients as its rule is edited', async (t) => {
  const page = await login(await person(t, DESKTOP), ADMIN);

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
