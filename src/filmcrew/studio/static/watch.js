// The Watch page's check: a spinner while the film is checked (3 to 11 s), then the verdict in place (the form is
// sent as it would be without a script; the answer's verdict of that film replaces the old one).
(function () {
  for (const form of document.querySelectorAll('form.check')) {
    form.addEventListener('submit', async ev => {
      ev.preventDefault();
      const spin = form.querySelector('.spinner'), btn = form.querySelector('button');
      const out = document.getElementById('check-' + form.dataset.film);
      spin.hidden = false; btn.disabled = true;
      out.setAttribute('aria-busy', 'true');
      try {
        const r = await fetch('/check', {method: 'POST', body: new FormData(form)});
        const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
        const got = doc.getElementById('check-' + form.dataset.film);
        if (got && r.ok) out.replaceWith(got);
        else { const p = document.createElement('p'); p.className = 'msg bad'; p.textContent = (doc.querySelector('.msg') || doc.body).textContent.trim(); out.replaceChildren(p); }
      } catch (err) {
        const p = document.createElement('p'); p.className = 'msg bad'; p.textContent = 'the check could not be reached: ' + err; out.replaceChildren(p);
      } finally { spin.hidden = true; btn.disabled = false; }
    });
  }
})();
