/* Tawasul: reader controls (text size, line spacing) kept in localStorage,
   scrollable article tables, native sharing. No library, ES5. */
(function () {
  'use strict';
  var KEY = 'tawasul.reader', STEPS = [0.9, 1, 1.1, 1.25, 1.4, 1.6];
  var doc = document, root = doc.documentElement, st = { scale: 1, spacious: false };
  try {
    var s = JSON.parse(localStorage.getItem(KEY));
    if (s && STEPS.indexOf(s.scale) > -1) st.scale = s.scale;
    if (s && s.spacious === true) st.spacious = true;
  } catch (e) {}

  function prop(name, on, value) {
    if (on) root.style.setProperty(name, value); else root.style.removeProperty(name);
  }
  function apply() {
    prop('--reader-font-scale', st.scale !== 1, String(st.scale));
    prop('--reader-line-height', st.spacious, '2.2');
  }
  apply();

  var bar = doc.querySelector('[data-reader]');
  if (bar) {
    var btn = {}, out = bar.querySelector('[data-reader-status]');
    var list = bar.querySelectorAll('[data-reader-action]');
    for (var i = 0; i < list.length; i++) btn[list[i].getAttribute('data-reader-action')] = list[i];
    var sync = function () {
      var at = STEPS.indexOf(st.scale);
      btn.smaller.setAttribute('aria-disabled', String(at === 0));
      btn.larger.setAttribute('aria-disabled', String(at === STEPS.length - 1));
      btn.spacing.setAttribute('aria-pressed', String(st.spacious));
    };
    var say = function (name, n) {
      if (out) out.textContent = (bar.getAttribute('data-status-' + name) || '').replace('{n}', n);
    };
    bar.addEventListener('click', function (ev) {
      var b = ev.target.closest && ev.target.closest('[data-reader-action]');
      if (!b || b.getAttribute('aria-disabled') === 'true') return;
      var a = b.getAttribute('data-reader-action'), at = STEPS.indexOf(st.scale);
      if (a === 'spacing') {
        st.spacious = !st.spacious;
        say(st.spacious ? 'spacing-on' : 'spacing-off');
      } else if (a === 'reset') {
        st = { scale: 1, spacious: false };
        say('reset');
      } else {
        st.scale = STEPS[Math.max(0, Math.min(STEPS.length - 1, at + (a === 'larger' ? 1 : -1)))];
        say('size', Math.round(st.scale * 100));
      }
      apply();
      sync();
      try { localStorage.setItem(KEY, JSON.stringify(st)); } catch (e) {}
    });
    sync();
    bar.hidden = false;
  }

  var tables = doc.querySelectorAll('.prose table');
  for (var j = 0; j < tables.length; j++) {
    var t = tables[j], w = doc.createElement('div');
    w.className = 'table-scroll';
    w.setAttribute('role', 'region');
    w.setAttribute('tabindex', '0');
    w.setAttribute('aria-label', t.closest('.prose').getAttribute('data-table-label') || '');
    t.parentNode.insertBefore(w, t);
    w.appendChild(t);
  }

  var share = doc.querySelector('[data-share]');
  if (share && navigator.share) {
    share.hidden = false;
    share.addEventListener('click', function () {
      var c = doc.querySelector('link[rel="canonical"]');
      navigator.share({ title: doc.title, url: c ? c.href : location.href }).catch(function () {});
    });
  }
})();
