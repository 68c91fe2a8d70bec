// Live approvals: when the queue changes, fetch the list again and swap it in (the whole page
// works without this script; it only saves a reload). Focus stays where it was when possible.
(() => {
  const note = document.getElementById('live-note');
  if (!note || !window.EventSource) return;
  const status = note.dataset.status || 'pending';
  const flash = document.querySelector('.flash');
  let busy = false;
  async function refresh(reason) {
    if (busy) return;
    busy = true;
    try {
      const res = await fetch(`/approvals/list?status=${encodeURIComponent(status)}`, {
        headers: { accept: 'text/html' },
        credentials: 'same-origin',
      });
      if (!res.ok) return;
      const list = document.getElementById('approval-list');
      const active = document.activeElement;
      if (!list) return;
      const editing = active && list.contains(active) && active.matches('input,textarea');
      if (editing) return;
      const focusedId = active?.id;
      list.outerHTML = await res.text();
      if (focusedId) document.getElementById(focusedId)?.focus();
      if (flash && reason) {
        flash.hidden = false;
        flash.className = 'flash ok';
        flash.textContent = reason;
      }
    } finally {
      busy = false;
    }
  }
  const events = new EventSource('/events');
  events.addEventListener('approvals', (event) => {
    const data = JSON.parse(event.data);
    const list = document.getElementById('approval-list');
    if (list && list.dataset.version === String(data.version)) return;
    refresh(data.added > 0 ? `${data.added} new item(s) waiting` : 'The queue changed');
  });
})();
