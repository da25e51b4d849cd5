/* Tawasul admin: small enhancements over pages that work without script.
   - every fetch carries the session's CSRF token (X-CSRF-Token);
   - confirm() before buttons that carry data-confirm;
   - the editor: live preview, autosave, a warning before leaving with
     unsaved changes;
   - the media library: uploads with progress bars, the focal point set by
     a click on the photo;
   - the editor's photos: search, upload (chosen, dropped, pasted), cover,
     gallery order, insertion in the text;
   - an audience's editor: the number of recipients as the rule changes.
   Plain ES2017, no library, no build. Any failure leaves the forms as they
   are: they still post normally. */
(function () {
  'use strict';

  var doc = document;
  doc.documentElement.classList.remove('no-js');
  doc.documentElement.classList.add('js');

  var meta = doc.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') || '' : '';

  /* Confirmation before destructive buttons. A click is also what the
     keyboard and implicit form submission produce. */
  doc.addEventListener('click', function (ev) {
    var button = ev.target && ev.target.closest ? ev.target.closest('[data-confirm]') : null;
    if (button && !window.confirm(button.getAttribute('data-confirm'))) {
      ev.preventDefault();
    }
  });

  /* Drop-down menus (<details>): close on Escape and on a click elsewhere. */
  function closeMenus(except) {
    var open = doc.querySelectorAll('details.menu[open]');
    for (var i = 0; i < open.length; i++) {
      if (open[i] !== except) open[i].removeAttribute('open');
    }
  }
  doc.addEventListener('click', function (ev) {
    closeMenus(ev.target && ev.target.closest ? ev.target.closest('details.menu') : null);
  });
  doc.addEventListener('keydown', function (ev) {
    if (ev.key !== 'Escape') return;
    var menu = ev.target && ev.target.closest ? ev.target.closest('details.menu[open]') : null;
    closeMenus(null);
    if (menu) {
      var summary = menu.querySelector('summary');
      if (summary) summary.focus();
    }
  });

  /* Focus the error summary or conflict block the server rendered, so
     keyboard and screen reader users start where the problem is. */
  var problem = doc.querySelector('.conflict, .error-summary');
  if (problem && problem.focus) problem.focus();

  /* The media library: uploads with progress, the focal point by a click. */
  var uploadForm = doc.querySelector('form[data-media-upload]');
  if (uploadForm && window.XMLHttpRequest && window.FormData) mediaUpload(uploadForm);
  var focalImage = doc.querySelector('[data-focal-image]');
  if (focalImage) focalPoint(focalImage);

  /* A running import: its progress every two seconds instead of the
     page's reload, and the page anew (with its report) when it ends. */
  var importBox = doc.querySelector('[data-import-progress]');
  if (importBox && window.fetch) importProgress(importBox);

  /* An audience's rule: the number of people it reaches, as it is edited. */
  var audienceForm = doc.querySelector('form[data-test="audience-form"]');
  if (audienceForm && window.fetch && window.FormData && window.URLSearchParams && window.DOMParser) {
    liveCount(audienceForm);
  }

  var form = doc.querySelector('form[data-editor]');
  if (!form || !window.fetch || !window.FormData || !window.URLSearchParams) return;
  editor(form);

  function formBody(f) {
    try {
      return new URLSearchParams(new FormData(f));
    } catch (e) {
      return new FormData(f);
    }
  }

  /* What the author typed, without the bookkeeping fields, to tell whether
     the form changed since it was loaded or last saved. */
  function snapshot(f) {
    var params = new URLSearchParams();
    var data = new FormData(f);
    data.forEach(function (value, name) {
      if (name !== '_csrf' && name !== 'version' && typeof value === 'string') {
        params.append(name, value);
      }
    });
    return params.toString();
  }

  function post(url, body, accept) {
    var headers = { 'X-CSRF-Token': csrf };
    if (accept) headers.Accept = accept;
    return fetch(url, {
      method: 'POST',
      body: body,
      headers: headers,
      credentials: 'same-origin'
    });
  }

  /* On a phone the text and its preview are two tabs of one place, so the
     preview is one tap away rather than a long scroll below the form; on
     a desktop they stand side by side and the tabs are hidden. */
  function previewTabs(f) {
    var area = f.closest('.editor');
    var pane = area && area.querySelector('[data-preview-pane]');
    var bar = area && area.parentNode.querySelector('[data-editor-tabs]');
    if (!area || !pane || !bar) return;
    var tabs = bar.querySelectorAll('[role="tab"]');
    function show(which) {
      var previewing = which === 'preview';
      area.classList.toggle('editor--previewing', previewing);
      for (var i = 0; i < tabs.length; i++) {
        var on = tabs[i].getAttribute('data-tab') === which;
        tabs[i].setAttribute('aria-selected', on ? 'true' : 'false');
        tabs[i].tabIndex = on ? 0 : -1;
      }
    }
    for (var i = 0; i < tabs.length; i++) {
      tabs[i].addEventListener('click', function (ev) {
        show(ev.currentTarget.getAttribute('data-tab'));
      });
      tabs[i].addEventListener('keydown', function (ev) {
        if (ev.key !== 'ArrowLeft' && ev.key !== 'ArrowRight') return;
        var next = ev.currentTarget.getAttribute('data-tab') === 'write' ? 'preview' : 'write';
        show(next);
        bar.querySelector('[data-tab="' + next + '"]').focus();
      });
    }
    bar.hidden = false;
    show('write');
  }

  function editor(f) {
    var saved = snapshot(f);
    var submitting = false;

    f.addEventListener('submit', function (ev) {
      // The no-script preview button posts to a new tab: the page stays.
      var by = ev.submitter;
      if (!by || by.getAttribute('formtarget') !== '_blank') submitting = true;
    });
    window.addEventListener('pageshow', function () { submitting = false; });
    window.addEventListener('beforeunload', function (ev) {
      if (submitting || snapshot(f) === saved) return undefined;
      var text = f.getAttribute('data-unsaved') || '';
      ev.preventDefault();
      ev.returnValue = text;
      return text;
    });

    preview(f);
    previewTabs(f);
    autosave(f, function () { return saved; }, function (value) { saved = value; });
    var picker = f.querySelector('[data-photo-picker]');
    if (picker && window.XMLHttpRequest) photoPicker(f, picker);
    var body = f.querySelector('textarea[name="body"]');
    if (body && !body.readOnly) {
      pasteAsMarkdown(body);
      var bar = f.querySelector('[data-md-toolbar]');
      if (bar) toolbar(bar, body, picker);
      var count = f.querySelector('[data-word-count]');
      if (count) wordCount(count, body);
    }
    var filter = f.querySelector('[data-translation-filter]');
    var choices = f.querySelector('select[name="translation_of"]');
    if (filter && choices) translationFilter(filter, choices);
  }

  /* The "translation of" list narrowed to the titles holding every word
     typed; the chosen one always stays. */
  function translationFilter(input, select) {
    var box = input.closest('[data-translation-filter-box]');
    if (box) box.hidden = false;
    input.addEventListener('input', function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      Array.prototype.forEach.call(select.options, function (option) {
        var text = option.textContent.toLowerCase();
        var keep = !option.value || option.selected || words.every(function (w) { return text.indexOf(w) >= 0; });
        option.hidden = !keep;
        option.disabled = !keep;
      });
    });
  }

  /* The text's toolbar and shortcuts: each button writes the Markdown a
     person would type, around the selection or at the caret, so the stored
     format stays Markdown and the preview shows the result. */
  function toolbar(bar, body, picker) {
    bar.hidden = false;
    function change(start, end, text, selectFrom, selectTo) {
      body.focus();
      body.setSelectionRange(start, end);
      // execCommand keeps the browser's undo history; where it is gone,
      // the value is set directly.
      var done = false;
      try { done = doc.execCommand('insertText', false, text); } catch (e) { done = false; }
      if (!done) {
        body.value = body.value.slice(0, start) + text + body.value.slice(end);
      }
      body.setSelectionRange(start + selectFrom, start + selectTo);
      body.dispatchEvent(new Event('input', { bubbles: true }));
    }
    function around(mark, placeholder) {
      var start = body.selectionStart;
      var end = body.selectionEnd;
      var chosen = body.value.slice(start, end) || placeholder;
      change(start, end, mark + chosen + mark, mark.length, mark.length + chosen.length);
    }
    /* A prefix on every line of the selection (or the caret's line). */
    function lines(prefix) {
      var value = body.value;
      var start = value.lastIndexOf('\n', body.selectionStart - 1) + 1;
      var endAt = value.indexOf('\n', body.selectionEnd);
      var end = endAt < 0 ? value.length : endAt;
      var n = 0;
      var text = value.slice(start, end).split('\n').map(function (line) {
        n += 1;
        var bare = line.replace(/^(#{1,6} |> |- |\d+\. )/, '');
        return (typeof prefix === 'function' ? prefix(n) : prefix) + bare;
      }).join('\n');
      change(start, end, text, text.length, text.length);
    }
    /* A block on lines of its own, blank lines around. */
    function block(text) {
      var start = body.selectionStart;
      var before = body.value.slice(0, start);
      var pad = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? '\n' : '\n\n') : '';
      var all = pad + text + '\n\n';
      change(start, body.selectionEnd, all, all.length, all.length);
    }
    var actions = {
      h2: function () { lines('## '); },
      h3: function () { lines('### '); },
      bold: function () { around('**', bar.querySelector('[data-md="bold"] .visually-hidden').textContent); },
      italic: function () { around('*', bar.querySelector('[data-md="italic"] .visually-hidden').textContent); },
      ul: function () { lines('- '); },
      ol: function () { lines(function (n) { return n + '. '; }); },
      quote: function () { lines('> '); },
      table: function () { block(bar.getAttribute('data-table').replace(/\\n/g, '\n')); },
      link: function () {
        var start = body.selectionStart;
        var end = body.selectionEnd;
        var url = window.prompt(bar.getAttribute('data-link-prompt') || '', 'https://');
        if (!url || url === 'https://') { body.focus(); return; }
        var words = body.value.slice(start, end) || url;
        var text = '[' + words + '](' + url.trim() + ')';
        change(start, end, text, text.length, text.length);
      },
      video: function () {
        var url = window.prompt(bar.getAttribute('data-video-prompt') || '', 'https://');
        if (!url || url === 'https://') { body.focus(); return; }
        block(url.trim());
      },
      photo: function () {
        // The photos are chosen in the picker; its search is the way in.
        var q = picker && picker.querySelector('[data-photo-q]');
        var target = q || picker;
        if (target) {
          target.scrollIntoView({ block: 'center' });
          if (target.focus) target.focus();
        }
      }
    };
    bar.addEventListener('click', function (ev) {
      var button = ev.target.closest('[data-md]');
      if (!button || !actions[button.getAttribute('data-md')]) return;
      actions[button.getAttribute('data-md')]();
    });
    body.addEventListener('keydown', function (ev) {
      if (!(ev.ctrlKey || ev.metaKey) || ev.altKey) return;
      var key = ev.key.toLowerCase();
      var name = key === 'b' ? 'bold' : key === 'i' ? 'italic' : key === 'k' ? 'link' : '';
      if (!name) return;
      ev.preventDefault();
      actions[name]();
    });
  }

  /* The number of words, as the text changes. */
  function wordCount(box, body) {
    var template = box.getAttribute('data-template') || '{n}';
    function update() {
      var words = body.value.replace(/[#*>|`_\[\]()!-]+/g, ' ').trim().split(/\s+/).filter(Boolean);
      box.textContent = template.replace('{n}', String(words.length));
    }
    box.hidden = false;
    update();
    body.addEventListener('input', update);
  }

  /* Text pasted from Word, Google Docs or a web page keeps its headings,
     lists, links and tables: the server turns its HTML into Markdown. If
     that fails, the plain text is pasted, as without this script. Pasted
     image files are the photo picker's. */
  function pasteAsMarkdown(body) {
    function put(start, end, text) {
      body.value = body.value.slice(0, start) + text + body.value.slice(end);
      var caret = start + text.length;
      body.focus();
      body.setSelectionRange(caret, caret);
      body.dispatchEvent(new Event('input', { bubbles: true }));
    }
    body.addEventListener('paste', function (ev) {
      var data = ev.clipboardData;
      if (!data || (data.files && data.files.length)) return;
      var html = data.getData('text/html');
      if (!html) return;
      ev.preventDefault();
      var plain = data.getData('text/plain');
      var start = body.selectionStart;
      var end = body.selectionEnd;
      post('/admin/paste', new URLSearchParams({ html: html }), 'application/json')
        .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error(String(r.status))); })
        .then(function (answer) { put(start, end, answer.markdown || plain); })
        .catch(function () { put(start, end, plain); });
    });
  }

  /* The editor's photos: search the library, upload (chosen, dropped or
     pasted, with progress), tick a photo as cover or into the gallery (the
     gallery's order is the order of ticking), insert one in the text.
     Without script the grid's radios and boxes still do the choosing. */
  function photoPicker(f, box) {
    var tools = box.querySelector('[data-photo-tools]');
    var grid = box.querySelector('[data-photo-grid]');
    var template = box.querySelector('template[data-photo-template]');
    var list = box.querySelector('[data-photo-uploads]');
    var api = box.getAttribute('data-api-url');
    var locale = box.getAttribute('data-locale') === 'fr' ? 'fr' : 'ar';
    var body = f.querySelector('textarea[name="body"]');
    if (!tools || !grid || !template || !list || !api) return;
    tools.hidden = false;

    function message(code) {
      var item = box.querySelector('[data-upload-messages] [data-code="' + code + '"]');
      return item ? item.textContent : '';
    }
    function changed(input) {
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }
    function tileOf(id) {
      return grid.querySelector('[data-photo="' + String(id).replace(/\D/g, '') + '"]');
    }
    /* A ticked photo goes after the photos already in the gallery: the
       form sends the boxes in the page's order. */
    function toGalleryEnd(tile) {
      var ticked = grid.querySelectorAll('[data-photo-gallery]:checked');
      var last = null;
      for (var i = 0; i < ticked.length; i++) {
        var t = ticked[i].closest('[data-photo]');
        if (t !== tile) last = t;
      }
      if (last) last.after(tile); else grid.prepend(tile);
    }
    function insertInText(tile) {
      if (!body) return;
      var alt = tile.querySelector('[data-photo-alt]');
      var text = alt ? alt.value.replace(/[\[\]\n]/g, ' ').trim() : '';
      var snippet = '![' + text + '](media:' + tile.getAttribute('data-photo') + ')';
      var at = body.selectionStart || body.value.length;
      var before = body.value.slice(0, at);
      var pad = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? '\n' : '\n\n') : '';
      body.value = before + pad + snippet + '\n\n' + body.value.slice(body.selectionEnd || at);
      var caret = (before + pad + snippet).length;
      body.focus();
      body.setSelectionRange(caret, caret);
      changed(body);
      markInText();
    }
    /* A photo shown in the text needs its alt text as much as the cover:
       its tile shows the field too, and a search keeps it. */
    function markInText() {
      if (!body) return;
      Array.prototype.forEach.call(grid.querySelectorAll('[data-photo]'), function (tile) {
        var used = body.value.indexOf('(media:' + tile.getAttribute('data-photo') + ')') !== -1;
        tile.classList.toggle('photo-tile--in-text', used);
      });
    }
    if (body) body.addEventListener('input', markInText);
    function wire(tile) {
      var insert = tile.querySelector('[data-photo-insert]');
      if (insert) {
        insert.hidden = !body;
        insert.addEventListener('click', function () { insertInText(tile); });
      }
      var gallery = tile.querySelector('[data-photo-gallery]');
      if (gallery) {
        gallery.addEventListener('change', function () {
          if (gallery.checked) toGalleryEnd(tile);
        });
      }
    }
    Array.prototype.forEach.call(grid.querySelectorAll('[data-photo]'), wire);
    markInText();

    /* A tile for an item of the API, made from the page's own template. */
    function tileFor(item) {
      var existing = tileOf(item.id);
      if (existing) return existing;
      var holder = doc.createElement('ul');
      holder.innerHTML = template.innerHTML.replace(/__ID__/g, String(item.id));
      var tile = holder.firstElementChild;
      holder.removeChild(tile);
      var thumb = tile.querySelector('[data-photo-thumb]');
      if (thumb) thumb.src = item.thumbnail_url || item.url || '';
      Array.prototype.forEach.call(tile.querySelectorAll('[data-photo-name], [data-photo-label]'), function (el) {
        el.textContent = item.original_name || '';
      });
      var alt = tile.querySelector('[data-photo-alt]');
      if (alt) alt.value = (locale === 'fr' ? item.alt_fr : item.alt_ar) || '';
      wire(tile);
      var empty = box.querySelector('[data-photo-empty]');
      if (empty) empty.hidden = true;
      return tile;
    }

    function search() {
      var q = box.querySelector('[data-photo-q]');
      var words = q ? q.value.trim() : '';
      fetch(api + '?q=' + encodeURIComponent(words), {
        credentials: 'same-origin',
        headers: { Accept: 'application/json' }
      }).then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      }).then(function (page) {
        var images = (page.items || []).filter(function (i) { return i.kind === 'image'; });
        // Chosen photos stay; the others give way to what was found.
        Array.prototype.forEach.call(grid.querySelectorAll('[data-photo]'), function (tile) {
          if (!tile.querySelector('input:checked') && !tile.classList.contains('photo-tile--in-text')) tile.remove();
        });
        images.forEach(function (item) { grid.appendChild(tileFor(item)); });
        list.textContent = '';
        if (!images.length) addRow(words, message('none_found'), false);
      }).catch(function () {
        list.textContent = '';
        addRow(words, message('failed'), false);
      });
    }
    var searchButton = box.querySelector('[data-photo-search]');
    if (searchButton) searchButton.addEventListener('click', search);
    var q = box.querySelector('[data-photo-q]');
    if (q) {
      q.addEventListener('keydown', function (ev) {
        // Enter searches the library; it must not send the whole entry.
        if (ev.key === 'Enter') { ev.preventDefault(); search(); }
      });
    }

    function addRow(name, state, ok) {
      var li = doc.createElement('li');
      li.className = 'upload-item' + (ok === true ? ' upload-item--ok' : ok === false ? ' upload-item--error' : '');
      li.setAttribute('data-test', 'photo-upload-row');
      var label = doc.createElement('bdi');
      label.className = 'upload-name';
      label.textContent = name;
      var bar = doc.createElement('progress');
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute('aria-label', name);
      bar.hidden = ok !== undefined;
      var span = doc.createElement('span');
      span.className = 'upload-state';
      span.textContent = state || '';
      li.appendChild(label);
      li.appendChild(bar);
      li.appendChild(span);
      list.appendChild(li);
      return li;
    }
    /* One file to the library; resolves with the item, or null. */
    function send(file, row) {
      var data = new FormData();
      var minors = box.querySelector('[data-photo-minors]');
      if (minors && minors.checked) data.append('depicts_minors', '1');
      data.append('file', file, file.name || 'photo.png');
      return uploadFile(api, data, row, message).then(function (sent) {
        if (!sent.ok) return null;
        var item = null;
        try { item = JSON.parse(sent.xhr.responseText); } catch (e) { item = null; }
        return item && item.kind === 'image' ? item : null;
      });
    }
    /* Uploaded photos join the gallery (the first one is the cover when
       there is none); pasted into the text, they go where the caret is. */
    async function upload(files, intoText) {
      files = files.filter(function (file) { return /^image\//.test(file.type); });
      if (!files.length) return;
      list.textContent = '';
      var rows = files.map(function (file) { return addRow(file.name || 'photo', '', undefined); });
      // One at a time: a phone's connection is shared by all of them.
      for (var i = 0; i < files.length; i++) {
        var item = await send(files[i], rows[i]);
        if (!item) continue;
        var tile = tileFor(item);
        if (!grid.contains(tile)) grid.prepend(tile);
        if (intoText) {
          insertInText(tile);
          continue;
        }
        var cover = tile.querySelector('[data-photo-cover]');
        var none = box.querySelector('#cover-none');
        if (cover && none && none.checked) {
          cover.checked = true;
          changed(cover);
        }
        var gallery = tile.querySelector('[data-photo-gallery]');
        if (gallery && !gallery.checked) {
          gallery.checked = true;
          toGalleryEnd(tile);
          changed(gallery);
        }
      }
    }
    var files = box.querySelector('[data-photo-files]');
    if (files) {
      files.addEventListener('change', function () {
        upload(Array.prototype.slice.call(files.files || []), false);
        files.value = '';
      });
    }
    var drop = box.querySelector('[data-photo-drop]');
    if (drop) {
      drop.addEventListener('dragover', function (ev) {
        ev.preventDefault();
        drop.classList.add('photo-drop--over');
      });
      drop.addEventListener('dragleave', function () { drop.classList.remove('photo-drop--over'); });
      drop.addEventListener('drop', function (ev) {
        ev.preventDefault();
        drop.classList.remove('photo-drop--over');
        upload(Array.prototype.slice.call((ev.dataTransfer && ev.dataTransfer.files) || []), false);
      });
    }
    /* A photo pasted anywhere in the editor is uploaded; pasted into the
       text, it appears there. Text pastes are left alone. */
    f.addEventListener('paste', function (ev) {
      var items = (ev.clipboardData && ev.clipboardData.files) || [];
      var images = Array.prototype.slice.call(items).filter(function (file) { return /^image\//.test(file.type); });
      if (!images.length) return;
      ev.preventDefault();
      upload(images, ev.target === body);
    });
  }

  /* Live preview: the form posted to the preview URL, the answer shown in
     the iframe, at most once per 600 ms of typing; late answers are dropped. */
  function preview(f) {
    var url = f.getAttribute('data-preview-url');
    var frame = doc.querySelector('[data-preview-frame]');
    var state = doc.querySelector('[data-preview-state]');
    if (!url || !frame || !('srcdoc' in frame)) return;
    var timer = 0;
    var sequence = 0;

    function say(kind) {
      if (state) state.textContent = kind ? state.getAttribute('data-' + kind) || '' : '';
    }

    function scrollOf() {
      try {
        var win = frame.contentWindow;
        return win ? win.scrollY : 0;
      } catch (e) {
        return 0;
      }
    }

    async function refresh() {
      var mine = ++sequence;
      say('loading');
      try {
        var response = await post(url, formBody(f), 'text/html');
        if (!response.ok) throw new Error('preview: ' + response.status);
        var html = await response.text();
        if (mine !== sequence) return;
        var scroll = scrollOf();
        frame.addEventListener('load', function restore() {
          frame.removeEventListener('load', restore);
          try {
            if (scroll && frame.contentWindow) frame.contentWindow.scrollTo(0, scroll);
          } catch (e) { /* another origin: start at the top */ }
        });
        frame.srcdoc = html;
        say('');
      } catch (e) {
        if (mine === sequence) say('failed');
      }
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 600);
    }
    f.addEventListener('input', later);
    f.addEventListener('change', later);
    refresh();
  }

  /* Autosave every 20 s when the form changed: JSON answers give the new
     version (kept in every version field of the page), a conflict (autosave
     stops, the text stays in the form) or field errors (shown beside them). */
  function autosave(f, getSaved, setSaved) {
    var url = f.getAttribute('data-autosave-url');
    if (!url) return;
    var status = doc.querySelector('[data-autosave-status]');
    var conflictBox = doc.querySelector('[data-autosave-conflict]');
    var busy = false;
    var timer = window.setInterval(tick, 20000);

    function say(text) {
      if (status) status.textContent = text;
    }
    function template(name) {
      return status ? status.getAttribute('data-' + name) || '' : '';
    }

    async function tick() {
      var now = snapshot(f);
      if (busy || now === getSaved()) return;
      busy = true;
      try {
        var response = await post(url, formBody(f), 'application/json');
        var data = {};
        try { data = await response.json(); } catch (e) { data = {}; }
        if (response.ok) {
          setSaved(now);
          setVersion(data.version);
          clearErrors(f);
          say(template('saved').replace('{time}', clock(data.saved_at)));
        } else if (response.status === 409) {
          window.clearInterval(timer);
          showConflict(data.message);
          say('');
        } else if (response.status === 422) {
          showErrors(f, data.errors || {});
          say(template('invalid'));
        } else {
          say(template('failed'));
        }
      } catch (e) {
        say(template('failed'));
      } finally {
        busy = false;
      }
    }

    function setVersion(version) {
      if (version === undefined || version === null) return;
      var fields = doc.querySelectorAll('input[name="version"][data-version]');
      for (var i = 0; i < fields.length; i++) fields[i].value = String(version);
    }

    function showConflict(message) {
      if (!conflictBox) return;
      var slot = conflictBox.querySelector('[data-message]');
      if (slot) slot.textContent = message || '';
      conflictBox.hidden = false;
    }
  }

  /* An upload's refusal in the page's words: the API's problem type ends
     with its code (urn:tawasul:problem:too-large), `message` finds its text. */
  function uploadProblem(xhr, message) {
    try {
      var problem = JSON.parse(xhr.responseText);
      var code = String(problem.type || '').split(':').pop().replace(/-/g, '_');
      return message(code) || problem.detail || message('failed');
    } catch (e) {
      return message('failed');
    }
  }

  /* One file to the media API, its progress shown in `row` (a
     `progress` and an `.upload-state`); resolves with `{ok, xhr}` once the
     answer came (`ok`: stored, or already in the library). */
  function uploadFile(api, data, row, message) {
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      var bar = row.querySelector('progress');
      var state = row.querySelector('.upload-state');
      xhr.open('POST', api);
      xhr.setRequestHeader('X-CSRF-Token', csrf);
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.upload.onprogress = function (ev) {
        if (ev.lengthComputable) bar.value = Math.round((ev.loaded / ev.total) * 100);
      };
      xhr.onload = function () {
        var ok = xhr.status === 200 || xhr.status === 201;
        bar.value = 100;
        row.className = 'upload-item upload-item--' + (ok ? 'ok' : 'error');
        state.textContent = ok ? message(xhr.status === 201 ? 'ok' : 'again') : uploadProblem(xhr, message);
        resolve({ ok: ok, xhr: xhr });
      };
      xhr.onerror = function () {
        row.className = 'upload-item upload-item--error';
        state.textContent = message('failed');
        resolve({ ok: false, xhr: xhr });
      };
      xhr.send(data);
    });
  }

  /* Several files sent one by one to the API (with the CSRF header), each
     with its progress bar and its own result; the library is shown again
     once all went in. Without this script the form posts them together. */
  function mediaUpload(f) {
    var input = f.querySelector('input[type="file"]');
    var box = f.querySelector('[data-upload-progress]');
    var list = f.querySelector('[data-upload-list]');
    var reload = f.querySelector('[data-upload-reload]');
    var api = f.getAttribute('data-api-url');
    if (!input || !box || !list || !api) return;

    function message(code) {
      var item = f.querySelector('[data-upload-messages] [data-code="' + code + '"]');
      return item ? item.textContent : '';
    }


    function send(file, row) {
      var data = new FormData();
      var fields = f.querySelectorAll('[name="credit"], [name="rights"], [name="depicts_minors"]:checked');
      for (var i = 0; i < fields.length; i++) data.append(fields[i].name, fields[i].value);
      data.append('file', file, file.name);
      return uploadFile(api, data, row, message).then(function (sent) { return sent.ok; });
    }

    f.addEventListener('submit', async function (ev) {
      var files = Array.prototype.slice.call(input.files || []);
      if (!files.length) return;
      ev.preventDefault();
      list.textContent = '';
      box.hidden = false;
      var rows = files.map(function (file) {
        var li = doc.createElement('li');
        li.className = 'upload-item';
        li.setAttribute('data-test', 'upload-row');
        var name = doc.createElement('bdi');
        name.className = 'upload-name';
        name.textContent = file.name;
        var bar = doc.createElement('progress');
        bar.max = 100;
        bar.value = 0;
        bar.setAttribute('aria-label', file.name);
        var state = doc.createElement('span');
        state.className = 'upload-state';
        li.appendChild(name);
        li.appendChild(bar);
        li.appendChild(state);
        list.appendChild(li);
        return li;
      });
      var button = f.querySelector('button[type="submit"]');
      if (button) button.disabled = true;
      var all = true;
      // One at a time: a phone's connection is shared by all of them.
      for (var i = 0; i < files.length; i++) {
        all = (await send(files[i], rows[i])) && all;
      }
      if (button) button.disabled = false;
      input.value = '';
      if (all) {
        window.location.reload();
      } else if (reload) {
        reload.hidden = false;
      }
    });
  }

  /* A click on the photo sets the focal point (fractions of its width and
     height, from its top-left corner whatever the page's direction). */
  function focalPoint(img) {
    var x = doc.querySelector('input[name="focal_x"]');
    var y = doc.querySelector('input[name="focal_y"]');
    var marker = doc.querySelector('[data-focal-marker]');
    if (!x || !y || x.readOnly) return;
    img.setAttribute('data-focal-editable', '');
    img.addEventListener('click', function (ev) {
      var box = img.getBoundingClientRect();
      if (!box.width || !box.height) return;
      var fx = Math.min(1, Math.max(0, (ev.clientX - box.left) / box.width));
      var fy = Math.min(1, Math.max(0, (ev.clientY - box.top) / box.height));
      x.value = fx.toFixed(2);
      y.value = fy.toFixed(2);
      if (marker) {
        marker.style.left = (fx * 100).toFixed(1) + '%';
        marker.style.top = (fy * 100).toFixed(1) + '%';
      }
      x.dispatchEvent(new Event('change', { bubbles: true }));
    });
  }

  /* "2026-12-02T09:30:00+01:00" becomes the local hour; a time the server
     already formatted ("2026-12-02 09:30") is shown as it is. */
  /* Asks the server what its "count" button would show, a moment after
     each change, and puts the answer in the page's status box (created
     the first time). Answers that arrive out of order are dropped. */
  function liveCount(f) {
    if (!f.querySelector('button[name="do"][value="count"]')) return;
    var timer = null;
    var asked = 0;
    function refresh() {
      var data = new FormData(f);
      data.set('do', 'count');
      var mine = ++asked;
      post(f.getAttribute('action'), new URLSearchParams(data), 'text/html')
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html || mine !== asked) return;
          var page = new DOMParser().parseFromString(html, 'text/html');
          var fresh = page.querySelector('[data-test="audience-count"]');
          if (!fresh) return;
          var box = f.querySelector('[data-test="audience-count"]');
          if (!box) {
            box = doc.createElement('div');
            box.className = fresh.className;
            box.setAttribute('role', 'status');
            box.setAttribute('data-test', 'audience-count');
            f.insertBefore(box, f.querySelector('.form-actions'));
          }
          var nodes = Array.prototype.map.call(fresh.childNodes, function (n) {
            return doc.importNode(n, true);
          });
          box.replaceChildren.apply(box, nodes);
        })
        .catch(function () { /* the button still counts */ });
    }
    function soon() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    }
    f.addEventListener('change', soon);
    f.addEventListener('input', soon);
  }

  function clock(value) {
    if (typeof value !== 'string' || value.indexOf('T') < 0) return value ? String(value) : '';
    var date = new Date(value);
    if (isNaN(date.getTime())) return value;
    try {
      return date.toLocaleTimeString(doc.documentElement.lang || undefined, { hour: '2-digit', minute: '2-digit' });
    } catch (e) {
      return value;
    }
  }

  function tokens(el, name) {
    return (el.getAttribute(name) || '').split(/\s+/).filter(Boolean);
  }

  /* Removes every error shown beside a field of the form (the server's and
     those of an earlier autosave): the last answer says what is wrong now. */
  function clearErrors(f) {
    var shown = f.querySelectorAll('.field-error');
    for (var i = 0; i < shown.length; i++) {
      var id = shown[i].id;
      var controls = id ? f.querySelectorAll('[aria-describedby~="' + id + '"]') : [];
      for (var j = 0; j < controls.length; j++) {
        var rest = tokens(controls[j], 'aria-describedby').filter(function (t) { return t !== id; });
        if (rest.length) controls[j].setAttribute('aria-describedby', rest.join(' '));
        else controls[j].removeAttribute('aria-describedby');
        controls[j].removeAttribute('aria-invalid');
      }
      shown[i].parentNode.removeChild(shown[i]);
    }
  }

  function importProgress(box) {
    var url = box.getAttribute('data-import-progress');
    var phase = box.querySelector('[data-progress-phase]');
    var bar = box.querySelector('[data-progress-bar]');
    var count = box.querySelector('[data-progress-count]');
    function later(ms) { window.setTimeout(tick, ms); }
    function tick() {
      fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (p) {
          if (!p) return later(5000);
          if (!p.active) return window.location.reload();
          if (phase) phase.textContent = p.phase_label;
          if (bar) { bar.value = p.percent; bar.textContent = p.percent + '%'; }
          if (count && p.total > 0) {
            count.textContent = (count.getAttribute('data-pattern') || '{done} / {total}')
              .replace('{done}', p.done).replace('{total}', p.total);
            count.hidden = false;
          }
          later(2000);
        })
        .catch(function () { later(5000); });
    }
    later(2000);
  }

  /* Errors of a 422 answer, beside their fields (`[data-field=name]`). */
  function showErrors(f, errors) {
    clearErrors(f);
    Object.keys(errors).forEach(function (name) {
      if (!/^[\w-]+$/.test(name)) return;
      var wrap = f.querySelector('[data-field="' + name + '"]');
      if (!wrap) return;
      var control = wrap.querySelector('input, select, textarea');
      var p = doc.createElement('p');
      p.className = 'field-error';
      p.id = 'err-' + name;
      p.setAttribute('data-test', 'field-error-' + name);
      var before = control;
      while (before && before.parentNode !== wrap) before = before.parentNode;
      wrap.insertBefore(p, before || null);
      p.textContent = String(errors[name]);
      if (control) {
        control.setAttribute('aria-invalid', 'true');
        var ids = tokens(control, 'aria-describedby');
        if (ids.indexOf(p.id) < 0) ids.push(p.id);
        control.setAttribute('aria-describedby', ids.join(' '));
      }
    });
  }
})();
