/* Tawasul admin: small enhancements over pages that work without script.
   - every fetch carries the session's CSRF token (X-CSRF-Token);
   - confirm() before buttons that carry data-confirm;
   - the editor: live preview, autosave, a warning before leaving with
     unsaved changes;
   - the media library: uploads with progress bars, the focal point set by
     a click on the photo;
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
    autosave(f, function () { return saved; }, function (value) { saved = value; });
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

    /* The API's problem type ends with its code: urn:tawasul:problem:too-large. */
    function problemText(xhr) {
      try {
        var problem = JSON.parse(xhr.responseText);
        var code = String(problem.type || '').split(':').pop().replace(/-/g, '_');
        return message(code) || problem.detail || message('failed');
      } catch (e) {
        return message('failed');
      }
    }

    function send(file, row) {
      return new Promise(function (resolve) {
        var data = new FormData();
        var fields = f.querySelectorAll('[name="credit"], [name="rights"], [name="depicts_minors"]:checked');
        for (var i = 0; i < fields.length; i++) data.append(fields[i].name, fields[i].value);
        data.append('file', file, file.name);
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
          state.textContent = ok ? message(xhr.status === 201 ? 'ok' : 'again') : problemText(xhr);
          resolve(ok);
        };
        xhr.onerror = function () {
          row.className = 'upload-item upload-item--error';
          state.textContent = message('failed');
          resolve(false);
        };
        xhr.send(data);
      });
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
