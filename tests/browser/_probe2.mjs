import { chromium } from 'playwright-core';
const BASE = 'http://127.0.0.1:8123';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
async function ctxFor(email, password) {
  const ctx = await browser.newContext({ baseURL: BASE });
  const r = await ctx.request.post('/api/v1/auth/login', { data: { email, password }, headers: { Origin: BASE } });
  const j = await r.json();
  return { ctx, j, status: r.status() };
}
const ed = await ctxFor('editeur.rabat@tawasul.example', 'demo-editor-2026');
console.log(ed.status, JSON.stringify(ed.j).slice(0, 300));
const csrf = ed.j.csrf || ed.j.csrf_token;
const c = await ed.ctx.request.post('/api/v1/sites/dp-rabat/entries', { data: { kind: 'news', title: 'probe draft', body: 'x' }, headers: { 'X-CSRF-Token': csrf, Origin: BASE } });
const entry = await c.json();
console.log(c.status(), JSON.stringify(entry).slice(0, 200));
for (const [e, p] of [['contributrice.alamal@tawasul.example', 'demo-contributor-2026'], ['editeur.sale@tawasul.example', 'demo-editor-sale-2026']]) {
  const o = await ctxFor(e, p);
  for (const path of [`/admin/entries/${entry.id}`, `/admin/entries/${entry.id}/history`, `/admin/entries/${entry.id}/review`, '/admin/sites/dp-rabat/entries', '/admin/sites/dp-rabat/entries/new', '/admin/sites/dp-rabat/trash', '/admin/sites/dp-rabat/members', `/api/v1/entries/${entry.id}`, `/api/v1/entries/${entry.id}/revisions`, `/api/v1/entries/${entry.id}/diff`, `/api/v1/entries/${entry.id}/events`, '/api/v1/sites/dp-rabat/entries']) {
    const r = await o.ctx.request.get(path, { maxRedirects: 0 });
    const body = await r.text();
    console.log(e.split('@')[0], path, r.status(), body.includes('probe draft') ? 'LEAKS TITLE' : '');
  }
  // write attempts
  const w = await o.ctx.request.post(`/admin/entries/${entry.id}`, { form: { _csrf: o.j.csrf || '', version: '1', title: 'hacked', body: 'x', locale: 'ar' }, headers: { Origin: BASE }, maxRedirects: 0 });
  console.log('POST admin save', w.status());
  const pv = await o.ctx.request.post(`/admin/entries/${entry.id}/preview`, { form: { _csrf: o.j.csrf || '', title: 'x', body: 'x', locale: 'ar' }, headers: { Origin: BASE }, maxRedirects: 0 });
  console.log('POST preview', pv.status());
}
await browser.close();
