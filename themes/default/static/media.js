/* Tawasul: the media of an entry's page. No library, ES5.
   - Linked videos: the page holds a plain link to the video's site; here it
     becomes a button, and only a click puts the player (youtube-nocookie.com
     or Facebook's plugin) in the page. Nothing is requested from the
     video's site before that click.
   - Galleries: each photo is a link to its largest JPEG; here a click opens
     it in a lightbox: Esc closes, the arrow keys go to the previous and next
     photo (in reading order, so reversed in Arabic), Tab stays inside, and
     focus goes back to the photo it came from. */
(function () {
  'use strict';
  var doc = document;

  /* ---- Click-to-load videos ---- */
  var ID = /^[A-Za-z0-9_-]{1,32}$/;

  function playerUrl(provider, id) {
    if (!ID.test(id)) return null;
    if (provider === 'youtube') {
      return 'https://www.youtube-nocookie.com/embed/' + id + '?autoplay=1&rel=0';
    }
    if (provider === 'facebook') {
      var page = /^[0-9]+$/.test(id) ? 'https://www.facebook.com/watch/?v=' + id : 'https://fb.watch/' + id + '/';
      return 'https://www.facebook.com/plugins/video.php?href=' + encodeURIComponent(page) + '&show_text=false&autoplay=1';
    }
    return null;
  }

  function play(button) {
    var src = playerUrl(button.getAttribute('data-video-provider'), button.getAttribute('data-video-id'));
    if (!src) return;
    var title = button.querySelector('.video-embed-title');
    var frame = doc.createElement('span');
    frame.className = 'video-frame';
    var iframe = doc.createElement('iframe');
    iframe.src = src;
    iframe.title = title ? title.textContent : '';
    iframe.setAttribute('allow', 'autoplay; encrypted-media; picture-in-picture; fullscreen');
    iframe.setAttribute('allowfullscreen', '');
    iframe.setAttribute('referrerpolicy', 'strict-origin-when-cross-origin');
    frame.appendChild(iframe);
    button.parentNode.replaceChild(frame, button);
    iframe.focus();
  }

  var links = doc.querySelectorAll('a.video-embed[data-video-provider][data-video-id]');
  for (var v = 0; v < links.length; v++) {
    var link = links[v];
    if (!playerUrl(link.getAttribute('data-video-provider'), link.getAttribute('data-video-id'))) continue;
    var button = doc.createElement('button');
    button.type = 'button';
    button.className = 'video-embed';
    button.setAttribute('data-video-provider', link.getAttribute('data-video-provider'));
    button.setAttribute('data-video-id', link.getAttribute('data-video-id'));
    while (link.firstChild) button.appendChild(link.firstChild);
    link.parentNode.replaceChild(button, link);
    button.addEventListener('click', function () { play(this); });
  }

  /* ---- Gallery lightbox ---- */
  var galleries = doc.querySelectorAll('[data-gallery]');
  for (var g = 0; g < galleries.length; g++) gallery(galleries[g]);

  function el(tag, className, text) {
    var node = doc.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function gallery(section) {
    var items = section.querySelectorAll('[data-gallery-item]');
    if (!items.length) return;
    var rtl = (section.getAttribute('dir') || doc.documentElement.dir) === 'rtl';
    var box = null, current = 0, opener = null, hidden = [];

    function text(name) { return section.getAttribute('data-' + name) || ''; }

    function build() {
      box = el('div', 'lightbox');
      box.setAttribute('role', 'dialog');
      box.setAttribute('aria-modal', 'true');
      box.setAttribute('aria-label', text('label'));
      box.setAttribute('lang', section.getAttribute('lang') || '');
      box.setAttribute('dir', rtl ? 'rtl' : 'ltr');
      box.tabIndex = -1;
      var figure = el('figure', 'lightbox-figure');
      var picture = el('picture');
      var source = doc.createElement('source');
      source.type = 'image/webp';
      source.sizes = '100vw';
      var img = el('img', 'lightbox-image');
      img.sizes = '100vw';
      picture.appendChild(source);
      picture.appendChild(img);
      var caption = el('figcaption', 'lightbox-caption');
      figure.appendChild(picture);
      figure.appendChild(caption);
      var close = el('button', 'lightbox-close', text('close'));
      var prev = el('button', 'lightbox-prev', text('prev'));
      var next = el('button', 'lightbox-next', text('next'));
      close.type = prev.type = next.type = 'button';
      close.setAttribute('data-lightbox', 'close');
      prev.setAttribute('data-lightbox', 'prev');
      next.setAttribute('data-lightbox', 'next');
      var bar = el('div', 'lightbox-bar');
      bar.appendChild(prev);
      bar.appendChild(next);
      bar.appendChild(close);
      box.appendChild(bar);
      box.appendChild(figure);
      box.addEventListener('click', function (ev) {
        var action = ev.target.getAttribute && ev.target.getAttribute('data-lightbox');
        if (action === 'close' || ev.target === box) hide();
        else if (action === 'prev') show(current - 1);
        else if (action === 'next') show(current + 1);
      });
      box.addEventListener('keydown', keys);
      doc.body.appendChild(box);
    }

    function show(index) {
      current = (index + items.length) % items.length;
      var item = items[current];
      var img = box.querySelector('.lightbox-image');
      var source = box.querySelector('source');
      var thumb = item.querySelector('img');
      source.srcset = item.getAttribute('data-webp-srcset') || '';
      img.srcset = item.getAttribute('data-jpeg-srcset') || '';
      img.src = item.getAttribute('href');
      img.alt = thumb ? thumb.alt : '';
      img.width = +item.getAttribute('data-width') || 0;
      img.height = +item.getAttribute('data-height') || 0;
      var caption = box.querySelector('.lightbox-caption');
      caption.textContent = '';
      var words = [item.getAttribute('data-caption'), item.getAttribute('data-credit')].filter(Boolean).join(' · ');
      if (words) caption.appendChild(el('span', 'lightbox-words', words)).setAttribute('dir', 'auto');
      var position = text('position').replace('{n}', current + 1).replace('{total}', items.length);
      caption.appendChild(el('span', 'lightbox-position', position));
      var single = items.length < 2;
      box.querySelector('.lightbox-prev').hidden = single;
      box.querySelector('.lightbox-next').hidden = single;
    }

    function focusables() {
      var all = box.querySelectorAll('button:not([hidden])');
      return Array.prototype.slice.call(all);
    }

    function keys(ev) {
      if (ev.key === 'Escape' || ev.key === 'Esc') {
        ev.preventDefault();
        hide();
      } else if (ev.key === 'ArrowRight' || ev.key === 'ArrowLeft') {
        ev.preventDefault();
        var forward = (ev.key === 'ArrowRight') !== rtl;
        show(current + (forward ? 1 : -1));
      } else if (ev.key === 'Tab') {
        // Focus stays in the dialog: from the last button to the first.
        var list = focusables();
        if (!list.length) return;
        var at = list.indexOf(doc.activeElement);
        ev.preventDefault();
        var to = ev.shiftKey ? (at <= 0 ? list.length - 1 : at - 1) : (at + 1) % list.length;
        list[to].focus();
      }
    }

    function open(index, from) {
      if (!box) build();
      opener = from;
      // Everything but the dialog is out of reach while it is open.
      hidden = [];
      var children = doc.body.children;
      for (var i = 0; i < children.length; i++) {
        var child = children[i];
        if (child === box || child.inert) continue;
        child.inert = true;
        child.setAttribute('aria-hidden', 'true');
        hidden.push(child);
      }
      box.hidden = false;
      doc.documentElement.classList.add('lightbox-open');
      show(index);
      box.querySelector('.lightbox-close').focus();
    }

    function hide() {
      if (!box || box.hidden) return;
      box.hidden = true;
      for (var i = 0; i < hidden.length; i++) {
        hidden[i].inert = false;
        hidden[i].removeAttribute('aria-hidden');
      }
      hidden = [];
      doc.documentElement.classList.remove('lightbox-open');
      if (opener) opener.focus();
    }

    for (var i = 0; i < items.length; i++) {
      (function (index) {
        items[index].addEventListener('click', function (ev) {
          // A new tab or a download, as the reader asked.
          if (ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey || ev.button) return;
          ev.preventDefault();
          open(index, items[index]);
        });
      })(i);
    }
  }
})();
