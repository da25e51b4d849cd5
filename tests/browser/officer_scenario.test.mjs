// A communication officer's week, from the first photo to a typo fixed
// after publication, in Arabic on a phone and in French on a desktop:
// a training report written with three photos (one picked from the
// library, one dragged in, one pasted into the text) and their alt text
// typed in place; sent to review; the publisher reads it as readers will
// and asks for a change; the author fixes it and sends it again; it is
// published; later the author fixes a typo through a pending change the
// publisher publishes; the link to share is short. No library number is
// typed anywhere, and no page scrolls sideways on the phone.
//
// Needs TAWASUL_URL (a server with the demo network) and CHROMIUM (default
// /usr/bin/chromium). Screenshots go to ./artifacts/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, DESKTOP, EDITOR, PHONE, PUBLISHER, clickAndLoad, drawnPhoto, login, person, shot, unique,
} from './helpers.mjs';

const WORDS = {
  ar: {
    title: 'دورة تكوينية في التقويم التكويني',
    body: 'افتتحت الدورة بكلمة المدير الإقليمي.\n\nتناولت الورشات التقويم التكويني داخل الفصل.\n',
    typo: 'الأساتذه',
    fixed: 'الأساتذة',
    venue: 'المركز الجهوي لمهن التربية والتكوين',
    audience: 'أساتذة التعليم الابتدائي',
    alt: 'أساتذة في ورشة',
    comment: 'المرجو ذكر عدد الورشات',
    added: 'نُظمت ثلاث ورشات.',
  },
  fr: {
    title: 'Formation à l’évaluation formative',
    body: 'La session a été ouverte par le directeur provincial.\n\nLes ateliers ont porté sur l’évaluation en classe.\n',
    typo: 'enseignnants',
    fixed: 'enseignants',
    venue: 'Centre régional des métiers de l’éducation',
    audience: 'Enseignants du primaire',
    alt: 'Enseignants en atelier',
    comment: 'Merci de préciser le nombre d’ateliers',
    added: 'Trois ateliers ont été organisés.',
  },
};

async function noSidewaysScroll(page, where) {
  const width = page.viewportSize().width;
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= width, `${where}: the page is ${scroll} px wide on a ${width} px screen`);
}

/** A DataTransfer in the page holding one JPEG, as a drop or a paste carries it. */
async function transferOf(page, name, bytes) {
  return page.evaluateHandle(([name, base64]) => {
    const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([data], name, { type: 'image/jpeg' }));
    return transfer;
  }, [name, bytes.toString('base64')]);
}

async function tileNamed(page, name) {
  const tile = page.locator('[data-photo-grid] [data-photo]', { hasText: name });
  await tile.waitFor();
  return tile.getAttribute('data-photo');
}

/** A photo already in the site's library (uploaded earlier by someone). */
async function libraryPhoto(page, name) {
  const csrf = await page.locator('meta[name=csrf-token]').getAttribute('content');
  const answer = await page.request.post('/api/v1/sites/dp-rabat/media', {
    headers: { 'x-csrf-token': csrf },
    multipart: { file: { name, mimeType: 'image/jpeg', buffer: await drawnPhoto(page, 5) } },
  });
  assert.equal(answer.status(), 201, await answer.text());
  return String((await answer.json()).id);
}

for (const [lang, device, deviceName] of [['ar', PHONE, 'phone'], ['fr', DESKTOP, 'desktop']]) {
  test(`an officer's report from photos to a fixed typo (${lang}, ${deviceName})`, async (t) => {
    const w = WORDS[lang];
    const tag = unique();
    const title = `${w.title} ${tag}`;
    const phone = device === PHONE;
    const editor = await login(await person(t, device), EDITOR);
    await editor.goto(`/admin/?lang=${lang}`);
    const picked = await libraryPhoto(editor, `picked-${tag}.jpg`);

    // Writing: the facts, the text with a typo, three photos.
    await editor.goto('/admin/sites/dp-rabat/entries/new?kind=training_report');
    assert.equal(await editor.locator('html').getAttribute('lang'), lang);
    assert.equal(await editor.locator('[name=cover_media][type=text], [name=gallery][type=text]').count(), 0,
      'no field asks for a number');
    await editor.fill('[name=title]', title);
    await editor.fill('[name=body]', `${w.body}${w.typo}\n`);
    await editor.fill('[name=f_starts_on]', '2026-11-17');
    await editor.fill('[name=f_ends_on]', '2026-11-18');
    await editor.fill('[name=f_venue]', w.venue);
    await editor.fill('[name=f_audience]', w.audience);
    await editor.fill('[name=f_head_count]', '36');

    // Picked from the library: it is among the latest photos, chosen as the cover.
    await editor.locator(`[data-photo="${picked}"]`).waitFor();
    await editor.check(`#cover-${picked}`);
    await editor.check(`#gallery-${picked}`);
    // Dragged in: it joins the gallery.
    const dropped = await transferOf(editor, `dropped-${tag}.jpg`, await drawnPhoto(editor, 21));
    await editor.dispatchEvent('[data-test=photo-drop]', 'drop', { dataTransfer: dropped });
    const second = await tileNamed(editor, `dropped-${tag}`);
    await editor.waitForFunction((id) => document.querySelector(`#gallery-${id}`)?.checked, second);
    // Pasted into the text, where the caret is.
    const pasted = await transferOf(editor, `pasted-${tag}.jpg`, await drawnPhoto(editor, 31));
    await editor.locator('[name=body]').evaluate((body, transfer) => {
      body.focus();
      body.setSelectionRange(body.value.length, body.value.length);
      body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
    }, pasted);
    const third = await tileNamed(editor, `pasted-${tag}`);
    await editor.waitForFunction((id) => document.querySelector('[name=body]').value.includes(`(media:${id})`), third);
    // Alt text in place for each.
    for (const [id, n] of [[picked, 1], [second, 2], [third, 3]]) {
      await editor.fill(`#alt-${id}`, `${w.alt} ${n} ${tag}`);
    }
    if (phone) await noSidewaysScroll(editor, 'the editor');
    await shot(editor, `scenario-${lang}-editor`);
    await clickAndLoad(editor, '[data-test=save]');
    assert.equal(await editor.locator('[data-test=error-summary]').count(), 0, 'created');
    const id = new URL(editor.url()).pathname.split('/').pop();
    assert.ok(await editor.isChecked(`#cover-${picked}`), 'the picked photo is the cover');
    await clickAndLoad(editor, '[data-test=action-submit]');
    assert.equal(await editor.locator('[data-test=error-summary]').count(), 0, 'submitted');

    // The publisher reads the article as readers will, and asks for a change.
    const publisher = await login(await person(t, device), PUBLISHER);
    await publisher.goto(`/admin/?lang=${lang}`);
    await publisher.goto(`/admin/entries/${id}/review`);
    const rendered = publisher.frameLocator('[data-test=review-frame]');
    await rendered.locator('h1.entry-title', { hasText: tag }).waitFor();
    assert.ok(await rendered.locator('figure img').count() >= 1, 'the photos are in the article');
    if (phone) await noSidewaysScroll(publisher, 'the review');
    await publisher.fill('[data-test=action-form-request_changes] [name=comment]', w.comment);
    await clickAndLoad(publisher, '[data-test=action-request_changes]');
    assert.equal(await publisher.locator('[data-test=error-summary]').count(), 0, 'change requested');

    // The author reads the request, fixes, and sends it again.
    await editor.goto(`/admin/entries/${id}`);
    assert.match(await editor.locator('[data-test=change-request]').innerText(), new RegExp(w.comment));
    const body = await editor.inputValue('[name=body]');
    await editor.fill('[name=body]', `${body}\n${w.added}\n`);
    await clickAndLoad(editor, '[data-test=save]');
    assert.equal(await editor.locator('[data-test=error-summary]').count(), 0, 'saved');
    await clickAndLoad(editor, '[data-test=action-submit]');

    // Approved and published.
    await publisher.goto(`/admin/entries/${id}/review`);
    await clickAndLoad(publisher, '[data-test=action-approve]');
    const refusal = await publisher.locator('[data-test=error-summary]').count()
      ? await publisher.locator('[data-test=error-summary]').innerText() : '';
    assert.equal(refusal, '', 'approved: every photo has its alt text');
    await clickAndLoad(publisher, '[data-test=action-publish]');
    assert.equal(await publisher.locator('[data-test=error-summary]').count(), 0, 'published');

    // The link to share is short; the page is public.
    await editor.goto(`/admin/entries/${id}`);
    const short = await editor.inputValue('[data-test=short-url]');
    assert.match(short, new RegExp(`/dp-rabat/training/${id}$`), short);
    assert.ok(short.length - new URL(BASE).origin.length < 40, `short: ${short}`);
    const publicUrl = new URL(await editor.locator('[data-test=public-link]').getAttribute('href'), BASE).href;
    const reader = await (await person(t, device)).newPage();
    assert.equal((await reader.goto(short)).status(), 200, 'the short link leads to the page');
    assert.equal(reader.url(), publicUrl, 'by a redirect to its full address');
    assert.ok((await reader.locator('.prose').innerText()).includes(w.typo), 'the typo went out');

    // Later: the typo, fixed through a pending change; the page stays as it was.
    assert.equal(await editor.locator('[data-test=change-banner]').count(), 1, 'the editor writes a change');
    const live = await editor.inputValue('[name=body]');
    await editor.fill('[name=body]', live.replace(w.typo, w.fixed));
    if (phone) await noSidewaysScroll(editor, 'the change in the editor');
    await shot(editor, `scenario-${lang}-change`);
    await clickAndLoad(editor, '[data-test=change-submit]');
    assert.equal(await editor.locator('[data-test=error-summary]').count(), 0, 'the change went to review');
    await reader.reload();
    assert.ok((await reader.locator('.prose').innerText()).includes(w.typo), 'readers still read the live text');

    // The publisher finds it, sees the one line, publishes it.
    await publisher.goto('/admin/');
    await clickAndLoad(publisher, `[data-test=dash-changes_to_review] a[href="/admin/entries/${id}/change"]`);
    const diff = await publisher.locator('[data-test=diff]').innerText();
    assert.ok(diff.includes(w.typo) && diff.includes(w.fixed), 'the diff shows the fix');
    await publisher.frameLocator('[data-test=change-frame]').locator('.prose', { hasText: w.fixed }).waitFor();
    if (phone) await noSidewaysScroll(publisher, 'the change to review');
    await shot(publisher, `scenario-${lang}-change-review`);
    await clickAndLoad(publisher, '[data-test=change-publish]');
    assert.equal(await publisher.locator('[data-test=error-summary]').count(), 0, 'the change is published');
    await reader.reload();
    const text = await reader.locator('.prose').innerText();
    assert.ok(text.includes(w.fixed) && !text.includes(w.typo), 'readers read the fix');
  });
}
