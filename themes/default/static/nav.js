/* Tawasul: the menu's items under another open with their disclosure
   button (Enter, Space, a click; Escape closes and returns to the button).
   Without the script the items stay shown below their parent. ES5. */
(function () {
  'use strict';
  var doc = document;
  function ready() {
    var buttons = doc.querySelectorAll('[data-nav-toggle]');
    var i;
    function close(button) {
      var sub = doc.getElementById(button.getAttribute('aria-controls'));
      button.setAttribute('aria-expanded', 'false');
      if (sub) sub.hidden = true;
    }
    function closeAll(except) {
      for (var j = 0; j < buttons.length; j++) if (buttons[j] !== except) close(buttons[j]);
    }
    for (i = 0; i < buttons.length; i++) {
      (function (button) {
        var sub = doc.getElementById(button.getAttribute('aria-controls'));
        if (!sub) return;
        button.hidden = false;
        sub.hidden = true;
        button.addEventListener('click', function () {
          var open = button.getAttribute('aria-expanded') !== 'true';
          closeAll(button);
          button.setAttribute('aria-expanded', open ? 'true' : 'false');
          sub.hidden = !open;
        });
        button.parentNode.addEventListener('keydown', function (e) {
          if ((e.key === 'Escape' || e.key === 'Esc') && button.getAttribute('aria-expanded') === 'true') {
            close(button);
            button.focus();
          }
        });
      })(buttons[i]);
    }
    doc.addEventListener('click', function (e) {
      var target = e.target;
      if (!target.closest || !target.closest('[data-nav-group]')) closeAll(null);
    });
  }
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', ready); else ready();
})();
