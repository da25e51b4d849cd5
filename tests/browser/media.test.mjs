// The media library in a real browser: an editor uploads a phone photo
// (landscape pixels, EXIF "rotate 90°", a GPS position) through the admin's
// upload form with its progress bars, describes it, sets its focal point by
// a click, puts it in an entry's text, cover and gallery; a publisher
// publishes; a reader sees it upright, in WebP, without EXIF, opens the
// gallery's lightbox with the keyboard, and a linked video that loads
// nothing from its site before the click. Also: the library on a phone.
//
// Also: an uploaded MP4 that Chromium plays from its middle, by byte ranges
// (what Safari on iPhones insists on), the video made here by ffmpeg (the
// npm package @ffmpeg-installer/linux-x64).
//
// Needs TAWASUL_URL (a server with the demo network) and CHROMIUM (default
// /usr/bin/chromium). Screenshots go to ./artifacts/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE, EDITOR, PHONE, PUBLISHER, clickAndLoad, login, person, shot as shotAs, unique } from './helpers.mjs';

const VIDEO_HOSTS = /youtube|ytimg|googlevideo|facebook|fbcdn/;

async function shot(page, name) {
  await shotAs(page, `media-${name}`);
}

/** An EXIF block as a phone writes it (big-endian TIFF): a camera make,
    an orientation and a GPS latitude. */
function exifBlock(orientation) {
  const bytes = [];
  const u16 = (n) => bytes.push((n >> 8) & 255, n & 255);
  const u32 = (n) => bytes.push((n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
  bytes.push(...Buffer.from('MM\0\x2a', 'binary'));
  u32(8);
  u16(3);
  bytes.push(0x01, 0x0f, 0, 2); u32(6); u32(50);
  bytes.push(0x01, 0x12, 0, 3); u32(1); u16(orientation); u16(0);
  bytes.push(0x88, 0x25, 0, 4); u32(1); u32(56);
  u32(0);
  bytes.push(...Buffer.from('Phone\0', 'binary'));
  u16(2);
  bytes.push(0x00, 0x01, 0, 2); u32(2); bytes.push(0x4e, 0, 0, 0);
  bytes.push(0x00, 0x02, 0, 5); u32(3); u32(86);
  u32(0);
  for (const [num, den] of [[33, 1], [35, 1], [0, 1]]) { u32(num); u32(den); }
  return Buffer.from(bytes);
}

/** A phone photo: the browser draws landscape pixels (a bright sky band on
    top, so "upright" can be checked), then the EXIF block says "rotate 90°
    clockwise to show", as a phone held upright writes it. */
async function phonePhoto(page, seed) {
  const dataUrl = await page.evaluate((seed) => {
    const canvas = document.createElement('canvas');
    canvas.width = 1200;
    canvas.height = 800;
    const g = canvas.getContext('2d');
    for (let x = 0; x < 1200; x += 8) {
      for (let y = 0; y < 800; y += 8) {
        g.fillStyle = `rgb(${(x * 255 / 1200 + seed * 37) % 255},${(y * 255 / 800) | 0},${(x + y + seed) % 200})`;
        g.fillRect(x, y, 8, 8);
      }
    }
    // The left side of the pixels is the top once turned: paint it white.
    g.fillStyle = '#fff';
    g.fillRect(0, 0, 120, 800);
    return canvas.toDataURL('image/jpeg', 0.92);
  }, seed);
  const jpeg = Buffer.from(dataUrl.split(',')[1], 'base64');
  const exif = exifBlock(6);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1]), Buffer.from([((exif.length + 8) >> 8) & 255, (exif.length + 8) & 255]),
    Buffer.from('Exif\0\0', 'binary'), exif]);
  return Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]);
}

test('a phone photo goes from the admin to the public page upright, in WebP, without EXIF', async (t) => {
  const tag = unique();
  const editor = await login(await person(t), EDITOR);
  const videoRequests = [];
  editor.on('request', (r) => { if (VIDEO_HOSTS.test(new URL(r.url()).host)) videoRequests.push(r.url()); });

  // The site's screens lead to its library.
  await editor.goto('/admin/sites/dp-rabat/entries');
  await clickAndLoad(editor, '[data-test=media-link]');
  assert.equal(new URL(editor.url()).pathname, '/admin/sites/dp-rabat/media');

  // Two photos at once: each gets its progress bar, then the grid shows them.
  const photo = await phonePhoto(editor, 1);
  const second = await phonePhoto(editor, 2);
  await editor.setInputFiles('[data-test=upload-files]', [
    { name: `ورشة-${tag}.jpg`, mimeType: 'image/jpeg', buffer: photo },
    { name: `second-${tag}.jpg`, mimeType: 'image/jpeg', buffer: second },
  ]);
  // The API answers a little late, so the bars can be seen at work.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await editor.route('**/api/v1/sites/dp-rabat/media', async (route) => {
    await held;
    await route.continue();
  });
  await editor.click('[data-test=upload-submit]');
  await editor.locator('[data-test=upload-row] progress').first().waitFor();
  assert.equal(await editor.locator('[data-test=upload-row] progress').count(), 2, 'one progress bar per file');
  await shot(editor, 'uploading');
  const reloaded = editor.waitForEvent('load');
  release();
  await reloaded;
  await editor.unroute('**/api/v1/sites/dp-rabat/media');
  await editor.fill('[data-test=media-q]', tag);
  await clickAndLoad(editor, '.filters button[type=submit]');
  assert.equal(await editor.locator('[data-test=media-item]').count(), 2, 'both photos are in the library');
  await shot(editor, 'library');

  // The first photo's page: describe it, set its focal point by a click.
  const first = editor.locator('[data-test=media-item]', { hasText: `ورشة-${tag}` });
  const id = await first.getAttribute('data-media-id');
  const secondId = await editor.locator('[data-test=media-item]', { hasText: `second-${tag}` }).getAttribute('data-media-id');
  await editor.goto(`/admin/media/${id}`);
  const preview = editor.locator('[data-test=media-preview]');
  const size = await preview.evaluate((img) => [img.naturalWidth, img.naturalHeight]);
  assert.ok(size[1] > size[0], `the rendition is upright: ${size}`);
  await preview.scrollIntoViewIfNeeded();
  const box = await preview.boundingBox();
  await editor.mouse.click(box.x + box.width * 0.25, box.y + box.height * 0.75);
  assert.equal(await editor.inputValue('[name=focal_x]'), '0.25');
  assert.equal(await editor.inputValue('[name=focal_y]'), '0.75');
  await editor.fill('[name=alt_ar]', `أساتذة في ورشة القراءة ${tag}`);
  await clickAndLoad(editor, '[data-test=media-save]');
  assert.equal(await editor.locator('[data-test=flash]').count(), 1, 'saved');
  assert.equal(await editor.inputValue('[name=focal_x]'), '0.25', 'the focal point is kept');
  const snippet = (await editor.locator('[data-test=snippet]').innerText()).trim();
  assert.equal(snippet, `![أساتذة في ورشة القراءة ${tag}](media:${id})`);
  await shot(editor, 'item');
  await editor.goto(`/admin/media/${secondId}`);
  await editor.fill('[name=alt_ar]', `الساحة ${tag}`);
  await clickAndLoad(editor, '[data-test=media-save]');

  // A linked video, added by its address.
  await editor.goto('/admin/sites/dp-rabat/media');
  await editor.fill('[name=video_url]', 'https://www.youtube.com/watch?v=dQw4w9WgXcQ');
  await editor.fill('[data-test=video-form] [name=caption]', `حفل ${tag}`);
  await clickAndLoad(editor, '[data-test=video-submit]');
  const videoId = new URL(editor.url()).pathname.split('/').pop();

  // The entry: the photo in the text, as the cover and in the gallery.
  await editor.goto('/admin/sites/dp-rabat/entries/new?kind=news');
  await editor.fill('[name=title]', `ورشة القراءة ${tag}`);
  await editor.fill('[name=body]', `افتتحت الورشة صباحاً.\n\n${snippet}\n\nالحفل:\n\n![](media:${videoId})\n`);
  // The photos are picked from the library, found by their words.
  await editor.fill('[data-test=photo-search]', tag);
  await editor.press('[data-test=photo-search]', 'Enter');
  await editor.locator(`[data-photo="${secondId}"]`).waitFor();
  await editor.check(`#cover-${id}`);
  await editor.check(`#gallery-${id}`);
  await editor.check(`#gallery-${secondId}`);
  await editor.frameLocator('[data-test=preview-frame]').locator('.entry-cover img').waitFor();
  await clickAndLoad(editor, '[data-test=save]');
  assert.equal(await editor.locator('[data-test=error-summary]').count(), 0, 'saved');
  const entry = new URL(editor.url()).pathname.split('/').pop();
  await clickAndLoad(editor, '[data-test=action-submit]');
  assert.deepEqual(videoRequests, [], 'nothing was asked of the video site in the admin');

  const publisher = await login(await person(t), PUBLISHER);
  await publisher.goto(`/admin/entries/${entry}`);
  await clickAndLoad(publisher, '[data-test=action-approve]');
  assert.equal(await publisher.locator('[data-test=error-summary]').count(), 0, 'approved');
  await clickAndLoad(publisher, '[data-test=action-publish]');
  assert.equal(await publisher.locator('[data-test=error-summary]').count(), 0, 'published');
  const publicUrl = new URL(await publisher.locator('[data-test=public-link]').getAttribute('href'), BASE);

  // The reader: upright, WebP, no EXIF left.
  const reader = await (await person(t)).newPage();
  const asked = [];
  reader.on('request', (r) => { if (VIDEO_HOSTS.test(new URL(r.url()).host)) asked.push(r.url()); });
  await reader.route(VIDEO_HOSTS, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<p>player</p>' }));
  await reader.goto(publicUrl.href);
  const inText = reader.locator('.prose picture img');
  await inText.scrollIntoViewIfNeeded();
  await reader.waitForFunction(() => {
    const img = document.querySelector('.prose picture img');
    return img && img.complete && img.naturalWidth > 0;
  });
  const shown = await inText.evaluate((img) => ({ src: img.currentSrc, w: img.naturalWidth, h: img.naturalHeight, alt: img.alt }));
  assert.match(shown.src, /\/uploads\/[^/]+\.webp$/, `Chromium gets WebP: ${shown.src}`);
  assert.ok(shown.h > shown.w, `upright on the public page: ${shown.w}×${shown.h}`);
  assert.equal(shown.alt, `أساتذة في ورشة القراءة ${tag}`);
  const top = await inText.evaluate(async (img) => {
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const [r, gr, b] = g.getImageData(c.width / 2, 4, 1, 1).data;
    return r + gr + b;
  });
  assert.ok(top > 700, `the white band is at the top: ${top}`);
  const leaks = await reader.evaluate(async (src) => {
    const bytes = new Uint8Array(await (await fetch(src)).arrayBuffer());
    const text = String.fromCharCode(...bytes.subarray(0, 4096));
    return { exif: text.includes('Exif'), phone: text.includes('Phone') };
  }, shown.src);
  assert.deepEqual(leaks, { exif: false, phone: false }, 'no EXIF, no camera, no GPS');
  const cover = await reader.locator('.entry-cover img').evaluate((img) => img.currentSrc);
  assert.match(cover, /\.webp$/, 'the cover too');
  assert.match(await reader.getAttribute('meta[property="og:image"]', 'content'), /\/uploads\/.+\.jpg$/);
  await shot(reader, 'public');

  // The gallery: a lightbox with the keyboard, focus kept inside.
  const thumbs = reader.locator('[data-gallery-item]');
  assert.equal(await thumbs.count(), 2);
  await thumbs.first().focus();
  await reader.keyboard.press('Enter');
  const dialog = reader.locator('.lightbox[role=dialog]');
  await dialog.waitFor();
  assert.equal(await reader.evaluate(() => document.activeElement.getAttribute('data-lightbox')), 'close', 'focus is in the dialog');
  assert.match(await dialog.locator('.lightbox-position').innerText(), /1/);
  await reader.keyboard.press('ArrowLeft'); // next, right to left
  assert.equal(await dialog.locator('.lightbox-image').getAttribute('alt'), `الساحة ${tag}`);
  for (let i = 0; i < 5; i++) await reader.keyboard.press('Tab');
  assert.ok(await reader.evaluate(() => !!document.activeElement.closest('.lightbox')), 'Tab stays in the dialog');
  await shot(reader, 'lightbox');
  await reader.keyboard.press('Escape');
  assert.equal(await dialog.isHidden(), true, 'Esc closes it');
  assert.equal(await reader.evaluate(() => document.activeElement.hasAttribute('data-gallery-item')), true, 'focus goes back to the photo');

  // The video: nothing from YouTube until the click, then the player.
  assert.deepEqual(asked, [], 'the page asked nothing of the video site');
  assert.equal(await reader.locator('iframe').count(), 0);
  const play = reader.locator('.prose button.video-embed');
  assert.match(await play.innerText(), new RegExp(`حفل ${tag}`));
  await play.click();
  const player = reader.locator('.prose .video-frame iframe');
  await player.waitFor();
  assert.equal(await player.getAttribute('src'), 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&rel=0');
  await reader.waitForTimeout(300);
  assert.ok(asked.length >= 1 && asked.every((u) => u.startsWith('https://www.youtube-nocookie.com/')), `${asked}`);
});

/** A 30-second H.264 MP4 made by ffmpeg, its index at the end (as phones
    write them), so a player must ask for the end before it can play; the
    tag in its metadata makes each run's file new to the library. */
function testVideo(tag) {
  const ffmpeg = fileURLToPath(new URL('./node_modules/@ffmpeg-installer/linux-x64/ffmpeg', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'tawasul-video-'));
  const file = join(dir, 'sortie.mp4');
  try {
    execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi',
      '-i', 'testsrc=duration=30:size=320x240:rate=10', '-c:v', 'libx264',
      '-pix_fmt', 'yuv420p', '-g', '10', '-metadata', `comment=${tag}`, '-y', file]);
    return readFileSync(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('an uploaded MP4 plays from its middle: Chromium seeks by byte ranges', async (t) => {
  const tag = unique();
  const editor = await login(await person(t), EDITOR);
  await editor.goto('/admin/sites/dp-rabat/media');
  await editor.setInputFiles('[data-test=upload-files]', [
    { name: `sortie-${tag}.mp4`, mimeType: 'video/mp4', buffer: testVideo(tag) },
  ]);
  const uploaded = editor.waitForEvent('load');
  await editor.click('[data-test=upload-submit]');
  await uploaded;
  await editor.fill('[data-test=media-q]', tag);
  await clickAndLoad(editor, '.filters button[type=submit]');
  const id = await editor.locator('[data-test=media-item]').first().getAttribute('data-media-id');
  assert.ok(id, 'the video is in the library');
  await editor.goto(`/admin/media/${id}`);
  await editor.fill('[name=alt_ar]', `خرجة تربوية ${tag}`);
  await clickAndLoad(editor, '[data-test=media-save]');

  await editor.goto('/admin/sites/dp-rabat/entries/new?kind=news');
  await editor.fill('[name=title]', `الخرجة التربوية ${tag}`);
  await editor.fill('[name=body]', `شريط الخرجة:\n\n![خرجة تربوية ${tag}](media:${id})\n`);
  await clickAndLoad(editor, '[data-test=save]');
  assert.equal(await editor.locator('[data-test=error-summary]').count(), 0, 'saved');
  const entry = new URL(editor.url()).pathname.split('/').pop();
  await clickAndLoad(editor, '[data-test=action-submit]');
  const publisher = await login(await person(t), PUBLISHER);
  await publisher.goto(`/admin/entries/${entry}`);
  await clickAndLoad(publisher, '[data-test=action-approve]');
  await clickAndLoad(publisher, '[data-test=action-publish]');
  assert.equal(await publisher.locator('[data-test=error-summary]').count(), 0, 'published');
  const publicUrl = new URL(await publisher.locator('[data-test=public-link]').getAttribute('href'), BASE);

  const reader = await (await person(t)).newPage();
  const answers = [];
  reader.on('response', (r) => {
    if (/\/uploads\/[^/]+\.mp4$/.test(new URL(r.url()).pathname)) {
      answers.push({ status: r.status(), range: r.request().headers().range || '' });
    }
  });
  await reader.goto(publicUrl.href);
  const video = reader.locator('.prose video');
  await video.scrollIntoViewIfNeeded();
  assert.equal(await video.getAttribute('preload'), 'none', 'nothing is downloaded before the reader asks');
  const played = await video.evaluate(async (v) => {
    v.muted = true;
    await new Promise((resolve, reject) => {
      v.addEventListener('loadedmetadata', resolve, { once: true });
      v.addEventListener('error', () => reject(new Error(`media error ${v.error && v.error.code}`)), { once: true });
      v.preload = 'metadata';
      v.load();
    });
    const seeked = new Promise((resolve) => v.addEventListener('seeked', resolve, { once: true }));
    v.currentTime = 24;
    await seeked;
    await v.play();
    await new Promise((resolve) => setTimeout(resolve, 600));
    v.pause();
    return { duration: v.duration, time: v.currentTime, error: v.error && v.error.code };
  });
  assert.equal(played.error, null);
  assert.ok(played.duration > 29 && played.duration < 31, `the whole video is known: ${played.duration}`);
  assert.ok(played.time >= 24 && played.time < 27, `it plays from where the reader jumped: ${played.time}`);
  assert.ok(answers.some((a) => a.status === 206 && a.range.startsWith('bytes=')), `parts were asked and given: ${JSON.stringify(answers)}`);
  assert.ok(answers.every((a) => a.status === 200 || a.status === 206), `no error answers: ${JSON.stringify(answers)}`);
  await shot(reader, 'video');
});

test('the library fits a 360 px phone', async (t) => {
  const page = await login(await person(t, PHONE), EDITOR);
  await page.goto('/admin/sites/dp-rabat/media');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the library overflows by ${overflow}px`);
  await shot(page, 'phone-library');
  const first = page.locator('[data-test=media-item] .media-card-name a').first();
  if (await first.count()) {
    await clickAndLoad(page, '[data-test=media-item] .media-card-name a >> nth=0');
    const itemOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(itemOverflow <= 0, `an item's page overflows by ${itemOverflow}px`);
    await shot(page, 'phone-item');
  }
});
