// CivicDesk inbox and conversation pages: keyboard shortcuts and keeping the selection across htmx refreshes.
// Progressive enhancement only: every action here is also a plain link or form that works without JavaScript.
(function () {
  'use strict';

  var selectedId = null;
  var dialog = document.getElementById('shortcut-help');
  var lastFocus = null;

  function isTyping(el) {
    if (!el) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName;
    return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll('[data-conversation-row]'));
  }

  function selectedRow() {
    if (selectedId === null) return null;
    return document.querySelector('[data-conversation-row][data-conversation-id="' + selectedId + '"]');
  }

  function select(row, focus) {
    rows().forEach(function (r) {
      var on = r === row;
      r.setAttribute('aria-selected', on ? 'true' : 'false');
      r.classList.toggle('civicdesk-row--selected', on);
    });
    if (!row) return;
    selectedId = row.getAttribute('data-conversation-id');
    if (focus) {
      var link = row.querySelector('a');
      if (link) link.focus();
    }
  }

  function move(step) {
    var all = rows();
    if (all.length === 0) return;
    var index = all.indexOf(selectedRow());
    var next = index < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, index + step));
    select(all[next], true);
  }

  function token() {
    try {
      return JSON.parse(document.body.getAttribute('hx-headers') || '{}').RequestVerificationToken || '';
    } catch (e) {
      return '';
    }
  }

  // "e" in the inbox: the same POST the conversation page's "Mark as resolved" button makes, then back here.
  function resolveFromInbox(row) {
    if (!row || !row.hasAttribute('data-can-resolve')) return;
    var form = document.createElement('form');
    form.method = 'post';
    form.action = row.getAttribute('data-href') + '?handler=Status';
    [['NewStatus', 'Resolved'], ['ReturnUrl', location.pathname + location.search], ['__RequestVerificationToken', token()]].forEach(function (pair) {
      var input = document.createElement('input');
      input.type = 'hidden';
      input.name = pair[0];
      input.value = pair[1];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }

  function focusById(id) {
    var el = document.getElementById(id);
    if (!el) return false;
    el.focus();
    if (el.scrollIntoView) el.scrollIntoView({ block: 'center' });
    return true;
  }

  function openHelp() {
    if (!dialog || dialog.open || typeof dialog.showModal !== 'function') return;
    lastFocus = document.activeElement;
    dialog.showModal();
    var close = dialog.querySelector('[data-shortcuts-close]');
    if (close) close.focus();
  }

  if (dialog) {
    // showModal() keeps focus inside the dialog and closes it on Escape; give focus back to where it came from.
    dialog.addEventListener('close', function () {
      if (lastFocus && typeof lastFocus.focus === 'function') lastFocus.focus();
      lastFocus = null;
    });
    dialog.addEventListener('click', function (e) {
      if (e.target.closest('[data-shortcuts-close]')) dialog.close();
    });
  }

  document.querySelectorAll('[data-shortcuts-open]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', openHelp);
  });

  document.addEventListener('keydown', function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    if (isTyping(e.target)) return;
    if (dialog && dialog.open) return;

    var onInbox = document.getElementById('inbox-results') !== null;
    var row = selectedRow();
    switch (e.key) {
      case 'j':
        if (onInbox) { move(1); e.preventDefault(); }
        break;
      case 'k':
        if (onInbox) { move(-1); e.preventDefault(); }
        break;
      case 'o':
      case 'Enter':
        // Enter on a link or button already does its own thing.
        if (e.key === 'Enter' && e.target.closest && e.target.closest('a, button')) return;
        if (onInbox && row) { location.href = row.getAttribute('data-href'); e.preventDefault(); }
        break;
      case 'a':
        if (onInbox) {
          if (row) location.href = row.getAttribute('data-href') + '#assign-team';
        } else if (focusById('assign-team')) {
          e.preventDefault();
        }
        break;
      case 'r':
        if (onInbox) {
          if (row) location.href = row.getAttribute('data-href') + '#reply-text';
        } else if (focusById('reply-text')) {
          e.preventDefault();
        }
        break;
      case 'e':
        if (onInbox) {
          resolveFromInbox(row);
        } else {
          var resolve = document.getElementById('status-to-Resolved');
          if (resolve) { resolve.click(); e.preventDefault(); }
        }
        break;
      case '?':
        openHelp();
        e.preventDefault();
        break;
      default:
        break;
    }
  });

  // Clicking a row selects it, so j/k carry on from there.
  document.addEventListener('focusin', function (e) {
    var row = e.target.closest && e.target.closest('[data-conversation-row]');
    if (row) select(row, false);
  });

  // htmx replaces the rows every few seconds: keep the selection, and keep focus where it was.
  var focusWasInside = false;
  document.addEventListener('htmx:beforeSwap', function (e) {
    var target = e.detail.target;
    focusWasInside = !!(target && target.contains(document.activeElement));
  });
  document.addEventListener('htmx:afterSwap', function (e) {
    var target = e.detail.target;
    if (document.getElementById('inbox-results') && selectedId !== null) {
      var row = selectedRow();
      if (row) {
        select(row, focusWasInside);
      } else if (focusWasInside) {
        var first = rows()[0];
        if (first) select(first, true);
      }
    } else if (focusWasInside) {
      // The notes or status panel was swapped out from under the focus: put it back on its main control.
      var panel = target && target.isConnected ? target : document.getElementById(target && target.id);
      var next = panel && panel.querySelector('[data-focus-after-swap], button, textarea');
      if (next) next.focus();
    }
    focusWasInside = false;
  });

  // Arriving with #assign-team or #reply-text (the a and r shortcuts from the inbox) focuses that control.
  if (location.hash === '#assign-team' || location.hash === '#reply-text') {
    focusById(location.hash.slice(1));
  }
})();
