// Staff navigation on phones: the links (up to 27 for an administrator) fold behind a "Menu" button so the page's own
// content is on the first screen. Wider screens, and browsers without JavaScript, always show every link.
(function () {
  'use strict';
  var button = document.querySelector('.civicdesk-menu-toggle');
  var list = document.getElementById('staff-navigation');
  if (!button || !list || !window.matchMedia) { return; }
  var phone = window.matchMedia('(max-width: 40.0525em)');

  function set(open) {
    button.setAttribute('aria-expanded', open ? 'true' : 'false');
    list.classList.toggle('civicdesk-nav-folded', !open);
  }

  function apply() {
    button.hidden = !phone.matches;
    set(!phone.matches);
  }

  button.addEventListener('click', function () { set(button.getAttribute('aria-expanded') !== 'true'); });
  if (phone.addEventListener) { phone.addEventListener('change', apply); } else if (phone.addListener) { phone.addListener(apply); }
  apply();
})();
