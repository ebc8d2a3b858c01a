// The screenplay's live check: the text is sent to /api/check as it is typed (nothing is saved).
(function () {
  const ta = document.getElementById('text'), out = document.getElementById('problems');
  if (!ta || !out || !ta.dataset.ep) return;
  const token = document.querySelector('meta[name=csrf]').content;
  let timer = null;
  ta.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const r = await fetch('/api/check', {method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRF': token},
        body: JSON.stringify({ep: Number(ta.dataset.ep), text: ta.value})});
      if (r.ok) out.innerHTML = (await r.json()).html;  // the server's own template, escaped there
    }, 400);
  });
})();
