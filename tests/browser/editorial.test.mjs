// The editorial work in the admin, in a real browser: an editor writes a
// training report, a publisher asks for changes, approves and publishes,
// and a reader finds it on the public site. Also: who may not open what,
// nothing typed is lost on a bad form, the warning before leaving unsaved
// work, and the admin on a phone. Every person has their own browser
// context (their own cookies). Titles are unique, so the tests can run again
// against the same server and in any order.
//
// Needs TAWASUL_URL (a server with the demo network) and CHROMIUM (default
// /usr/bin/chromium). Screenshots of the main screens go to ./artifacts/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = process.env.TAWASUL_URL;
if (!BASE) throw new Error('set TAWASUL_URL to a server running the demo network');

const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

// The demo accounts (content/network.toml).
const EDITOR = { email: 'editeur.rabat@tawasul.example', password: 'demo-editor-2026' };
const PUBLISHER = { email: 'publication.rabat@tawasul.example', password: 'demo-publisher-2026' };
const CONTRIBUTOR = { email: 'contributrice.alamal@tawasul.example', password: 'demo-contributor-2026' };
const SALE_EDITOR = { email: 'editeur.sale@tawasul.example', password: 'demo-editor-sale-2026' };

const DESKTOP = { viewport: { width: 1280, height: 900 } };
const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

let browser;
const contexts = [];

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

/** A fresh browser context (own cookies), closed at the end of the test. */
async function person(t, options = DESKTOP) {
  const context = await browser.newContext({ ...options, baseURL: BASE });
  context.setDefaultTimeout(15_000);
  t.after(() => context.close());
  return context;
}

let counter = 0;
/** A tag no earlier run on this server has used. */
function unique() {
  counter += 1;
  return `${Date.now().toString(36)}-${process.pid}-${counter}`;
}

async function shot(page, name) {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

/** Clicks something that submits a form or follows a link, and waits for the
    next page to have loaded. */
async function clickAndLoad(page, selector) {
  const loaded = page.waitForEvent('load');
  await page.click(selector);
  await loaded;
}

/** Signs in through the login form; returns the page, on the dashboard. */
async function login(context, who, screenshot) {
  const page = await context.newPage();
  await page.goto('/admin/login');
  await page.fill('[data-test=login-email]', who.email);
  await page.fill('[data-test=login-password]', who.password);
  if (screenshot) await shot(page, screenshot);
  await clickAndLoad(page, '[data-test=login-submit]');
  assert.equal(new URL(page.url()).pathname, '/admin/', `${who.email} lands on the dashboard`);
  assert.equal(await page.locator('[data-test=user-menu]').count(), 1, `${who.email} is signed in`);
  return page;
}

/** The id of the entry whose editor the page shows. */
function entryId(page) {
  const m = new URL(page.url()).pathname.match(/^\/admin\/entries\/(\d+)$/);
  assert.ok(m, `on an entry's editor: ${page.url()}`);
  return m[1];
}

/** Creates a draft through the editor; returns its id (the page is left on its editor). */
async function createDraft(page, { kind = 'news', title, body }) {
  await page.goto(`/admin/sites/dp-rabat/entries/new?kind=${kind}`);
  await page.fill('[name=title]', title);
  await page.fill('[name=body]', body);
  await clickAndLoad(page, '[data-test=save]');
  return entryId(page);
}

const text = (page, selector) => page.locator(selector).innerText();

test('the editorial round trip: write, review, change, approve, publish, read', async (t) => {
  const tag = unique();
  const title = `تقرير الدورة التكوينية حول التعلمات الأساس ${tag}`;
  const opening = `نظمت المديرية الإقليمية بالرباط دورة تكوينية لفائدة أساتذة التعليم الابتدائي (${tag}).`;
  const body = `## افتتاح الدورة\n\n${opening}\n\n## سير الأشغال\n\nتوزع المشاركون على ورشات تطبيقية حول **القراءة** و**الحساب**.`;
  const added = `أضيفت هذه الفقرة بعد ملاحظة لجنة النشر (${tag}).`;
  const comment = `المرجو إضافة فقرة حول حصيلة الدورة (${tag}).`;

  // The editor writes the report.
  const editorContext = await person(t);
  const editor = await login(editorContext, EDITOR, 'login');
  await shot(editor, 'dashboard');
  await editor.goto('/admin/sites/dp-rabat/entries/new?kind=training_report');
  assert.equal(await editor.locator('[data-test=fields-training_report]').count(), 1, 'the training report fields are there');
  await editor.click('[name=title]');
  await editor.keyboard.type(title);
  await editor.fill('[name=body]', body);

  // The live preview shows the title as the site's theme renders it.
  const preview = editor.frameLocator('[data-test=preview-frame]');
  await preview.locator('h1.entry-title', { hasText: tag }).waitFor();
  assert.equal((await preview.locator('h1.entry-title').innerText()).trim(), title);
  assert.match(await preview.locator('.prose').innerText(), /افتتاح الدورة/, 'the Markdown body is rendered');
  assert.equal(await preview.locator('.prose h2').count(), 2, 'Markdown headings become headings');
  const themeCss = await preview.locator('link[rel=stylesheet]').evaluateAll((ls) => ls.map((l) => l.getAttribute('href')));
  assert.ok(themeCss.some((href) => href.includes('/_static/default/')), `the preview uses the site's theme: ${themeCss}`);

  await editor.fill('[name=f_starts_on]', '2026-11-17');
  await editor.fill('[name=f_ends_on]', '2026-11-19');
  await editor.fill('[name=f_venue]', 'المركز الجهوي لمهن التربية والتكوين، الرباط');
  await editor.fill('[name=f_audience]', 'أساتذة التعليم الابتدائي');
  await editor.fill('[name=f_head_count]', '42');
  await editor.fill('[name=f_facilitators]', 'ذ. سعيد الإدريسي\nذة. نادية بنعلي');
  await editor.fill('[name=f_workshops]', 'القراءة المنهجية\nالحساب الذهني\nالتقويم التكويني');
  await editor.fill('[name=f_recommendations]', 'تعميم الورشات على باقي المؤسسات\nتتبع أثر التكوين داخل الفصول');
  await preview.locator('.facts', { hasText: 'الحساب الذهني' }).waitFor();
  await shot(editor, 'editor-preview');

  await clickAndLoad(editor, '[data-test=save]');
  const id = entryId(editor);
  assert.equal(await editor.locator('[data-test=flash]').count(), 1, 'a message confirms the save');
  assert.equal(await editor.inputValue('[name=title]'), title);
  assert.equal(await editor.inputValue('[name=body]'), body);
  assert.equal(await editor.inputValue('[name=f_head_count]'), '42');
  assert.equal(await editor.inputValue('[name=f_workshops]'), 'القراءة المنهجية\nالحساب الذهني\nالتقويم التكويني');
  assert.equal(await editor.inputValue('[name=f_starts_on]'), '2026-11-17');

  await clickAndLoad(editor, '[data-test=action-submit]');
  assert.equal(entryId(editor), id);
  assert.equal(await editor.locator('[data-test=action-submit]').count(), 0, 'submitted once, it cannot be submitted again');

  // The publisher finds it on the dashboard and asks for a change.
  const publisherContext = await person(t);
  const publisher = await login(publisherContext, PUBLISHER);
  const card = publisher.locator(`[data-test=dash-to_review] [data-test=entry-card][data-entry-id="${id}"]`);
  assert.equal(await card.count(), 1, 'the report is in the "to review" list');
  assert.equal((await card.locator('.card-title').innerText()).trim(), title);
  await clickAndLoad(publisher, `[data-test=dash-to_review] [data-entry-id="${id}"] .card-title a`);
  assert.equal(entryId(publisher), id);
  await clickAndLoad(publisher, '[data-test=review-link]');
  assert.equal(new URL(publisher.url()).pathname, `/admin/entries/${id}/review`);
  assert.match(await text(publisher, '[data-test=review-changes]'), new RegExp(tag), 'the review shows the text');
  await shot(publisher, 'review');
  await publisher.fill('[data-test=action-form-request_changes] [name=comment]', comment);
  await clickAndLoad(publisher, '[data-test=action-request_changes]');
  assert.equal(await publisher.locator('[data-test=error-summary]').count(), 0, 'the request was accepted');

  // The editor sees the request, edits, and submits again.
  await editor.reload();
  const request = editor.locator('[data-test=change-request]');
  assert.equal(await request.count(), 1, 'the change request is shown to the author');
  assert.ok((await request.innerText()).includes(comment), 'with the publisher\'s comment');
  await shot(editor, 'change-request');
  await editor.fill('[name=body]', `${body}\n\n## حصيلة الدورة\n\n${added}`);
  await clickAndLoad(editor, '[data-test=save]');
  assert.equal(await editor.locator('[data-test=error-summary]').count(), 0, 'the edit is saved');
  await clickAndLoad(editor, '[data-test=action-submit]');
  assert.equal(await editor.locator('[data-test=action-submit]').count(), 0, 'submitted again');

  // The publisher sees what changed, approves and publishes now.
  await publisher.goto(`/admin/entries/${id}/review`);
  assert.match(await text(publisher, '[data-test=diff]'), new RegExp(tag), 'the added paragraph is in the diff');
  assert.ok(await publisher.locator('[data-test=diff] ins', { hasText: 'أضيفت هذه الفقرة' }).count() >= 1, 'marked as added');
  await clickAndLoad(publisher, '[data-test=action-approve]');
  assert.equal(await publisher.locator('[data-test=error-summary]').count(), 0, 'approved');
  await clickAndLoad(publisher, '[data-test=action-publish]');
  assert.equal(await publisher.locator('[data-test=error-summary]').count(), 0, 'published');

  await editor.reload();
  const publicLink = editor.locator('[data-test=public-link]');
  assert.equal(await publicLink.count(), 1, 'the editor shows the public link once published');
  const publicUrl = new URL(await publicLink.getAttribute('href'), BASE);
  await editor.goto(`/admin/entries/${id}/history`);
  assert.ok(await editor.locator('[data-test=diff]').count() >= 1, 'the history shows a diff');
  await shot(editor, 'history');

  // Anyone can read it, right to left, with the facts of the training.
  const readerContext = await person(t);
  const reader = await readerContext.newPage();
  const answer = await reader.goto(publicUrl.href);
  assert.equal(answer.status(), 200, `${publicUrl} answers 200`);
  assert.equal(await reader.locator('html[dir=rtl]').count(), 1, 'the public page runs right to left');
  assert.equal((await reader.locator('h1.entry-title').innerText()).trim(), title);
  const prose = await reader.locator('.prose').innerText();
  assert.ok(prose.includes(opening), 'the body is there');
  assert.ok(prose.includes(added), 'with the change asked for');
  assert.match(await reader.locator('.facts').innerText(), /المركز الجهوي لمهن التربية والتكوين/, 'the venue is shown');
  assert.equal(await reader.locator('.recommendations li').count(), 2, 'the recommendations, one per line');
  assert.equal(await reader.evaluate(() => getComputedStyle(document.querySelector('.prose')).direction), 'rtl');
  await shot(reader, 'public-page');

  await reader.goto('/dp-rabat/training/');
  assert.equal(await reader.locator('main a', { hasText: tag }).count() >= 1, true, 'listed in the site\'s training reports');
});

test('a member of another site cannot open a dp-rabat draft or write there', async (t) => {
  const tag = unique();
  const editor = await login(await person(t), EDITOR);
  const id = await createDraft(editor, { title: `مسودة داخلية ${tag}`, body: `نص لا يراه إلا أعضاء المديرية (${tag}).` });

  for (const who of [CONTRIBUTOR, SALE_EDITOR]) {
    const page = await login(await person(t), who);
    for (const path of [`/admin/entries/${id}`, `/admin/entries/${id}/history`, '/admin/sites/dp-rabat/entries',
      '/admin/sites/dp-rabat/entries/new', '/admin/sites/dp-rabat/entries/new?kind=training_report']) {
      const answer = await page.goto(path);
      assert.equal(answer.status(), 403, `${who.email}: ${path} answers 403`);
      assert.equal(await page.locator('[data-test=error-page]').count(), 1, `${who.email}: ${path} shows the error page`);
      const html = await page.content();
      assert.ok(!html.includes(tag), `${who.email}: ${path} tells nothing of the draft`);
      assert.equal(await page.locator('[data-test=entry-form]').count(), 0);
    }
    if (who === CONTRIBUTOR) await shot(page, 'forbidden');
  }
});

test('a bad form loses nothing that was typed', async (t) => {
  const tag = unique();
  // A wrong password: the error is shown and the address stays typed, so
  // only the password needs typing again (which also clears the failure).
  const context = await person(t);
  const page = await context.newPage();
  await page.goto('/admin/login');
  await page.fill('[data-test=login-email]', EDITOR.email);
  await page.fill('[data-test=login-password]', `not-the-password-${tag}`);
  await clickAndLoad(page, '[data-test=login-submit]');
  assert.equal(await page.locator('[data-test=login-error]').count(), 1, 'the error is shown');
  assert.equal(await page.inputValue('[data-test=login-email]'), EDITOR.email, 'the e-mail address is kept');
  assert.equal(await page.inputValue('[data-test=login-password]'), '', 'the password is not sent back');
  await shot(page, 'login-error');
  await page.fill('[data-test=login-password]', EDITOR.password);
  await clickAndLoad(page, '[data-test=login-submit]');
  assert.equal(new URL(page.url()).pathname, '/admin/', 'then signs in');

  // An editor form without a title.
  const body = `## نص بلا عنوان\n\nهذا النص يجب أن يبقى في الخانة بعد الخطأ (${tag}).`;
  await page.goto('/admin/sites/dp-rabat/entries/new?kind=training_report');
  await page.fill('[name=summary]', `ملخص ${tag}`);
  await page.fill('[name=body]', body);
  await page.fill('[name=f_venue]', `قاعة الاجتماعات ${tag}`);
  await page.fill('[name=f_workshops]', 'ورشة أولى\nورشة ثانية');
  await clickAndLoad(page, '[data-test=save]');
  const error = page.locator('[data-field=title] [data-test=field-error-title]');
  assert.equal(await error.count(), 1, 'the error is beside the title');
  assert.ok((await error.innerText()).trim().length > 0, 'and says something');
  assert.equal(await page.getAttribute('[name=title]', 'aria-invalid'), 'true');
  assert.equal(await page.locator('[data-test=error-summary]').count(), 1, 'and listed above the form');
  assert.equal(await page.inputValue('[name=body]'), body, 'the body typed is still there');
  assert.equal(await page.inputValue('[name=summary]'), `ملخص ${tag}`);
  assert.equal(await page.inputValue('[name=f_venue]'), `قاعة الاجتماعات ${tag}`);
  assert.equal(await page.inputValue('[name=f_workshops]'), 'ورشة أولى\nورشة ثانية');
  await shot(page, 'editor-error');
});

test('leaving unsaved work asks first; saved work does not', async (t) => {
  const tag = unique();
  const page = await login(await person(t), EDITOR);
  const dialogs = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.type());
    dialog.dismiss().catch(() => {});
  });

  // A new entry has no autosave, so nothing saves the text behind our back.
  await page.goto('/admin/sites/dp-rabat/entries/new?kind=news');
  await page.click('[name=title]');
  await page.keyboard.type(`خبر لم يحفظ بعد ${tag}`);
  await page.click('[name=body]');
  await page.keyboard.type('فقرة أولى.');
  const here = page.url();
  await page.click('.crumbs a[href="/admin/"]');
  await waitFor(() => dialogs.length > 0, 'a dialog');
  assert.deepEqual(dialogs, ['beforeunload'], 'leaving asks first');
  assert.equal(page.url(), here, 'staying keeps the page');
  assert.equal(await page.inputValue('[name=body]'), 'فقرة أولى.', 'and the text');

  // Saving is not leaving; and once saved, leaving asks nothing.
  await clickAndLoad(page, '[data-test=save]');
  entryId(page);
  assert.deepEqual(dialogs, ['beforeunload'], 'saving does not ask');
  await clickAndLoad(page, '.crumbs a[href="/admin/"]');
  assert.equal(new URL(page.url()).pathname, '/admin/', 'left without a question');
  assert.deepEqual(dialogs, ['beforeunload'], 'no dialog after saving');
});

test('the admin fits a 360 px phone: no sideways scrolling', async (t) => {
  const page = await login(await person(t, PHONE), EDITOR);
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(await overflow() <= 0, `the dashboard overflows by ${await overflow()}px`);
  await shot(page, 'phone-dashboard');
  await page.goto('/admin/sites/dp-rabat/entries/new?kind=training_report');
  await page.fill('[name=title]', `تقرير على الهاتف ${unique()}`);
  assert.ok(await overflow() <= 0, `the new entry's editor overflows by ${await overflow()}px`);
  await page.click('[data-test=tab-preview]');
  await page.frameLocator('[data-test=preview-frame]').locator('h1.entry-title', { hasText: 'تقرير على الهاتف' }).waitFor();
  assert.ok(await overflow() <= 0, `the preview overflows by ${await overflow()}px`);
  await page.click('[data-test=tab-write]');
  await shot(page, 'phone-editor');
  // A saved entry adds the workflow, the trail and the management panels.
  await clickAndLoad(page, '[data-test=save]');
  entryId(page);
  assert.ok(await overflow() <= 0, `the editor of a saved entry overflows by ${await overflow()}px`);
});

async function waitFor(condition, what, ms = 5000) {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
