// The storyboard while a make runs: its events (server-sent, /api/events?live=1) mark each shot's card as its
// tasks start, and the cards' states and jobs are read again (/api/board) as tasks end and jobs change.
(function () {
  const board = document.getElementById('board');
  if (!board) return;
  for (const v of document.querySelectorAll('video.hoverplay')) {
    v.addEventListener('mouseenter', () => v.play().catch(() => {}));
    v.addEventListener('mouseleave', () => v.pause());
  }
  function mark(el, st, words) {
    el.dataset.state = st;
    const b = el.querySelector('.state');
    b.textContent = words || st;
    b.className = 'state ' + st.replace(/ /g, '-');
  }
  function card(shot) { return shot ? document.getElementById('card-' + shot) : null; }
  let timer = null;
  function refresh() {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const r = await fetch(`/api/board?ep=${board.dataset.ep}&preview=${board.dataset.preview}`);
      if (!r.ok) return;
      for (const c of await r.json()) {
        const el = card(c.id);
        if (!el) continue;
        if (!(c.state === 'to make' && el.dataset.state === 'in the make')) mark(el, c.state, c.words);
        const why = el.querySelectorAll('.why.plan');
        why.forEach((w, i) => { w.textContent = c.why[i] || ''; });
        const j = el.querySelector('.jobs');
        if (j) j.replaceChildren(...c.jobs.map(t => { const d = document.createElement('div'); d.className = 'job'; d.textContent = t; return d; }));
      }
    }, 600);
  }
  const es = new EventSource('/api/events?live=1');
  const data = ev => JSON.parse(ev.data);
  es.addEventListener('task_started', ev => {
    const d = data(ev), el = card(d.shot);
    if (el) mark(el, 'in the make', (d.words || 'in the make').split(':')[0]);
  });
  es.addEventListener('task_ended', ev => { if (card(data(ev).shot)) refresh(); });
  es.addEventListener('job', ev => { if (card(data(ev).shot)) refresh(); });
  es.addEventListener('run_ended', () => { es.close(); setTimeout(() => location.reload(), 1500); });
  es.addEventListener('end', () => { es.close(); location.reload(); });
  es.addEventListener('idle', () => es.close());
})();
