/* Tawasul reader controls: text size and line spacing, kept in localStorage.
   Progressive enhancement: without this script the toolbar stays hidden. */
(function () {
  'use strict';
  var KEY = 'tawasul.reader';
  var STEPS = [0.9, 1, 1.1, 1.25, 1.4, 1.6];
  var SPACIOUS = '2.2';
  var root = document.documentElement;
  var state = { scale: 1, spacious: false };

  try {
    var saved = JSON.parse(window.localStorage.getItem(KEY));
    if (saved && STEPS.indexOf(saved.scale) > -1) state.scale = saved.scale;
    if (saved && saved.spacious === true) state.spacious = true;
  } catch (e) { /* storage blocked or corrupt: keep defaults */ }

  function apply() {
    if (state.scale === 1) root.style.removeProperty('--reader-font-scale');
    else root.style.setProperty('--reader-font-scale', String(state.scale));
    if (state.spacious) root.style.setProperty('--reader-line-height', SPACIOUS);
    else root.style.removeProperty('--reader-line-height');
  }
  apply();

  function save() {
    try { window.localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* ignore */ }
  }

  var bar = document.querySelector('[data-reader]');
  if (bar) {
    var buttons = {};
    var status = bar.querySelector('[data-reader-status]');
    var nodes = bar.querySelectorAll('[data-reader-action]');
    for (var i = 0; i < nodes.length; i++) buttons[nodes[i].getAttribute('data-reader-action')] = nodes[i];

    var sync = function () {
      var at = STEPS.indexOf(state.scale);
      if (buttons.smaller) buttons.smaller.setAttribute('aria-disabled', String(at === 0));
      if (buttons.larger) buttons.larger.setAttribute('aria-disabled', String(at === STEPS.length - 1));
      if (buttons.spacing) buttons.spacing.setAttribute('aria-pressed', String(state.spacious));
    };
    var say = function (name, n) {
      var text = bar.getAttribute('data-status-' + name) || '';
      if (status) status.textContent = text.replace('{n}', String(n));
    };

    bar.addEventListener('click', function (event) {
      var button = event.target.closest ? event.target.closest('[data-reader-action]') : null;
      if (!button || button.getAttribute('aria-disabled') === 'true') return;
      var action = button.getAttribute('data-reader-action');
      var at = STEPS.indexOf(state.scale);
      if (action === 'smaller' || action === 'larger') {
        at = Math.max(0, Math.min(STEPS.length - 1, at + (action === 'larger' ? 1 : -1)));
        state.scale = STEPS[at];
        say('size', Math.round(state.scale * 100));
      } else if (action === 'spacing') {
        state.spacious = !state.spacious;
        say(state.spacious ? 'spacing-on' : 'spacing-off');
      } else if (action === 'reset') {
        state = { scale: 1, spacious: false };
        say('reset');
      }
      apply();
      sync();
      save();
    });
    sync();
    bar.hidden = false;
  }

  /* Wide tables in articles scroll sideways inside a focusable region. */
  var tables = document.querySelectorAll('.prose table');
  for (var j = 0; j < tables.length; j++) {
    var table = tables[j];
    var prose = table.closest ? table.closest('.prose') : null;
    var wrap = document.createElement('div');
    wrap.className = 'table-scroll';
    wrap.setAttribute('role', 'region');
    wrap.setAttribute('tabindex', '0');
    if (prose) wrap.setAttribute('aria-label', prose.getAttribute('data-table-label') || '');
    table.parentNode.insertBefore(wrap, table);
    wrap.appendChild(table);
  }

  /* Native sharing where the device offers it (mostly phones). */
  var share = document.querySelector('[data-share]');
  if (share && navigator.share) {
    share.hidden = false;
    share.addEventListener('click', function () {
      var canonical = document.querySelector('link[rel="canonical"]');
      navigator.share({
        title: document.title,
        url: canonical ? canonical.href : window.location.href
      }).catch(function () { /* dismissed */ });
    });
  }
})();
