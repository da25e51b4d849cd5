// The editor's photos in a real browser, on a phone: an officer chooses a
// photo from the device, drags a second one in, pastes a third into the
// text, is told when a photo is already in the library, writes alt text in
// place, and finds everything as chosen after saving. Nobody types a
// library number.
//
// Needs TAWASUL_URL (a server with the demo network) and CHROMIUM (default
// /usr/bin/chromium). Screenshots go to ./artifacts/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACTS, EDITOR, PHONE, clickAndLoad, drawnPhoto, login, person, unique } from './helpers.mjs';

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

test('photos are chosen, dropped and pasted in the editor, described in place and kept', async (t) => {
  const tag = unique();
  const editor = await login(await person(t, PHONE), EDITOR);
  await editor.goto('/admin/sites/dp-rabat/entries/new?kind=news');
  assert.equal(await editor.locator('[name=cover_media][type=text], [name=gallery][type=text]').count(), 0,
    'no field asks for a number');
  await editor.fill('[name=title]', `معرض الصور ${tag}`);
  await editor.fill('[name=body]', 'افتتاح الورشة.\n');

  // Chosen on the device: it becomes the cover and the gallery's first.
  const one = await drawnPhoto(editor, 11);
  await editor.setInputFiles('[data-test=photo-files]', [{ name: `one-${tag}.jpg`, mimeType: 'image/jpeg', buffer: one }]);
  await editor.locator('[data-test=photo-upload-row].upload-item--ok').waitFor();
  const first = await tileNamed(editor, `one-${tag}`);
  assert.ok(await editor.isChecked(`#cover-${first}`), 'the first photo is the cover');
  assert.ok(await editor.isChecked(`#gallery-${first}`));
  const tile = editor.locator(`[data-photo="${first}"]`);
  const box = await tile.boundingBox();
  assert.ok(box && box.y < 4000, 'the new photo is at the head of the grid');

  // Dragged in: it joins the gallery after the first.
  const two = await drawnPhoto(editor, 22);
  const dropped = await transferOf(editor, `two-${tag}.jpg`, two);
  await editor.dispatchEvent('[data-test=photo-drop]', 'drop', { dataTransfer: dropped });
  const second = await tileNamed(editor, `two-${tag}`);
  await editor.waitForFunction((id) => document.querySelector(`#gallery-${id}`)?.checked, second);
  assert.ok(await editor.isChecked(`#cover-${first}`), 'the cover stays');

  // Pasted into the text: it appears where the caret is.
  const three = await drawnPhoto(editor, 33);
  const pasted = await transferOf(editor, `three-${tag}.jpg`, three);
  await editor.locator('[name=body]').evaluate((body, transfer) => {
    body.focus();
    body.setSelectionRange(body.value.length, body.value.length);
    body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
  }, pasted);
  const third = await tileNamed(editor, `three-${tag}`);
  await editor.waitForFunction((id) => document.querySelector('[name=body]').value.includes(`(media:${id})`), third);

  // The same file again is not stored twice, and the officer is told.
  await editor.setInputFiles('[data-test=photo-files]', [{ name: `again-${tag}.jpg`, mimeType: 'image/jpeg', buffer: one }]);
  await editor.locator('[data-test=photo-upload-row].upload-item--ok').waitFor();
  const said = await editor.locator('[data-test=photo-upload-row] .upload-state').innerText();
  assert.match(said, /\S/, 'a sentence, not silence');
  assert.equal(await editor.locator(`[data-photo-grid] [data-photo="${first}"]`).count(), 1, 'one tile per photo');

  // Alt text in place, for the chosen photos only.
  assert.ok(await editor.locator(`#alt-${first}`).isVisible());
  await editor.fill(`#alt-${first}`, `أساتذة في الورشة ${tag}`);
  await editor.fill(`#alt-${second}`, `قاعة الورشة ${tag}`);
  await editor.locator('[data-test=entry-media]').screenshot({ path: `${ARTIFACTS}editor-photos-phone.png` });
  await clickAndLoad(editor, '[data-test=save]');
  assert.equal(await editor.locator('[data-test=error-summary]').count(), 0, 'saved');

  // After the save, all of it as it was chosen.
  assert.ok(await editor.isChecked(`#cover-${first}`));
  const gallery = await editor.locator('[data-photo-grid] [name=gallery]:checked').evaluateAll((boxes) => boxes.map((b) => b.value));
  assert.deepEqual(gallery, [first, second], 'the gallery in the order the photos came');
  assert.equal(await editor.inputValue(`#alt-${first}`), `أساتذة في الورشة ${tag}`);
  assert.match(await editor.inputValue('[name=body]'), new RegExp(`!\\[[^\\]]*\\]\\(media:${third}\\)`));
  await editor.goto(`/admin/media/${first}`);
  assert.equal(await editor.inputValue('[name=alt_ar]'), `أساتذة في الورشة ${tag}`, 'the alt text is the library\'s');
});

test('text pasted from Word keeps its headings, lists, links and tables as Markdown', async (t) => {
  const editor = await login(await person(t), EDITOR);
  await editor.goto('/admin/sites/dp-rabat/entries/new?kind=training_report');
  await editor.fill('[name=body]', 'مقدمة.\n\n');
  const word = '<html><body><h2>التوصيات<o:p></o:p></h2>'
    + "<p class=MsoListParagraphCxSpFirst><span style='mso-list:Ignore'>·&nbsp;</span>تعميم <b>التجربة</b></p>"
    + "<p class=MsoListParagraphCxSpLast><span style='mso-list:Ignore'>·&nbsp;</span>تتبع <a href='https://example.ma/'>الأثر</a></p>"
    + '<table><tr><th>المؤسسة</th><th>العدد</th></tr><tr><td>الأمل</td><td>12</td></tr></table></body></html>';
  await editor.locator('[name=body]').evaluate((body, html) => {
    body.focus();
    body.setSelectionRange(body.value.length, body.value.length);
    const transfer = new DataTransfer();
    transfer.setData('text/html', html);
    transfer.setData('text/plain', 'التوصيات');
    body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
  }, word);
  await editor.waitForFunction(() => document.querySelector('[name=body]').value.includes('## التوصيات'));
  const text = await editor.inputValue('[name=body]');
  assert.ok(text.startsWith('مقدمة.\n\n## التوصيات'), text);
  assert.ok(text.includes('- تعميم **التجربة**\n- تتبع [الأثر](https://example.ma/)'), text);
  assert.match(text, /\| المؤسسة +\| العدد +\|/);
  assert.ok(!text.includes('mso') && !text.includes('o:p'), text);
});

test('the toolbar writes Markdown around the selection, in Arabic, with shortcuts and a word count', async (t) => {
  const editor = await login(await person(t, PHONE), EDITOR);
  await editor.goto('/admin/sites/dp-rabat/entries/new?kind=news');
  await editor.fill('[name=body]', 'افتتاح الورشة\nتعميم التجربة');
  const select = (from, to) => editor.locator('[name=body]').evaluate((b, [f, e]) => { b.focus(); b.setSelectionRange(f, e); }, [from, to]);
  await select(0, 0);
  await editor.click('[data-test=md-h2]');
  await select(17, 29);
  await editor.click('[data-test=md-ul]');
  let text = await editor.inputValue('[name=body]');
  assert.equal(text, '## افتتاح الورشة\n- تعميم التجربة');
  await select(3, 9);
  await editor.keyboard.press('Control+b');
  text = await editor.inputValue('[name=body]');
  assert.equal(text, '## **افتتاح** الورشة\n- تعميم التجربة');
  await editor.locator('[name=body]').evaluate((b) => { b.focus(); b.setSelectionRange(b.value.length, b.value.length); });
  await editor.click('[data-test=md-table]');
  assert.match(await editor.inputValue('[name=body]'), /\n\n\| العمود ١ \| العمود ٢ \|\n\| --- \| --- \|/);
  assert.match(await editor.locator('[data-test=word-count]').innerText(), /\d/);
  const bar = await editor.locator('[data-test=md-toolbar]').boundingBox();
  assert.ok(bar.width <= 360, 'the toolbar fits the phone');
  assert.equal(await editor.evaluate(() => document.documentElement.scrollWidth), 360, 'nothing scrolls sideways');
  // On a phone the preview is the tab beside the text.
  assert.equal(await editor.locator('[data-test=preview]').isVisible(), false, 'the text fills the screen');
  await editor.click('[data-test=tab-preview]');
  assert.equal(await editor.locator('[data-test=entry-form]').isVisible(), false);
  await editor.frameLocator('[data-test=preview-frame]').locator('h2', { hasText: 'افتتاح' }).waitFor();
  await editor.click('[data-test=tab-write]');
  assert.ok(await editor.locator('[name=body]').isVisible(), 'back to the text');
});
