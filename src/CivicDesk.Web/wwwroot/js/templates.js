// Reply templates (Features/Templates): "Use this text" copies the filled-in preview into the reply box,
// where staff can change it before sending. Delegated, so it works for previews htmx loads later.
document.addEventListener('click', function (event) {
  var button = event.target.closest('[data-template-use]');
  if (!button) return;
  var panel = button.closest('.civicdesk-template-preview');
  var text = panel && panel.querySelector('[data-template-text]');
  var reply = document.getElementById('reply-text');
  if (!text || !reply) return;
  reply.value = text.textContent;
  reply.dispatchEvent(new Event('input', { bubbles: true }));
  reply.dispatchEvent(new Event('keyup', { bubbles: true }));
  reply.focus();
});
