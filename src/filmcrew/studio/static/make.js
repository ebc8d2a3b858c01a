// The Make page: the make's progress from its events (server-sent, /api/events: one step of the bar per
// task), and the command's state and output from /api/run.
(function () {
  const bar = document.getElementById('bar'), count = document.getElementById('count');
  const tasks = document.getElementById('tasks'), status = document.getElementById('status');
  const log = document.getElementById('log');
  const running = new Map();  // artifact -> its list item, while it is made

  function item(text, cls) {
    const li = document.createElement('li');
    li.textContent = text;
    if (cls) li.className = cls;
    tasks.prepend(li);
    while (tasks.children.length > 200) tasks.lastChild.remove();
    return li;
  }
  function show(done, total) {
    bar.max = Math.max(total || 1, 1);
    bar.value = done || 0;
    count.textContent = total ? `${done || 0} of ${total} task(s)` : '';
  }
  function follow() {
    const es = new EventSource('/api/events');
    const data = ev => JSON.parse(ev.data);
    es.addEventListener('run_started', ev => { const d = data(ev); tasks.replaceChildren(); running.clear(); show(0, d.tasks); });
    es.addEventListener('task_started', ev => { const d = data(ev); running.set(d.artifact, item(d.words)); });
    es.addEventListener('task_ended', ev => {
      const d = data(ev);
      show(d.done, d.total);
      const said = d.words;
      const li = running.get(d.artifact);
      if (li) { li.textContent = said; running.delete(d.artifact); if (d.outcome === 'failed') li.className = 'failed'; }
      else item(said, d.outcome === 'failed' ? 'failed' : '');
    });
    es.addEventListener('job', ev => {
      const d = data(ev);
      const li = item(d.words, ['failed', 'refused'].includes(d.state) ? 'failed' : '');
      li.dataset.job = d.state;
    });
    for (const last of ['run_ended', 'end', 'idle']) es.addEventListener(last, () => es.close());
    es.onerror = () => { if (es.readyState === EventSource.CLOSED) return; };
  }

  let was = null;
  async function poll() {
    const s = await (await fetch('/api/run')).json();
    if (was === true && !s.running) { location.reload(); return; }
    was = s.running;
    if (!s.total && s.returncode === 0 && !bar.value) show(1, 1);
    status.textContent = s.name ? (s.words + ': ' + (s.running ? 'running, ' + Math.round(s.seconds) + ' s' :
      (s.cancelled ? 'cancelled' : (s.returncode === 0 ? 'finished' : 'failed')))) : 'nothing running';
    status.classList.toggle('busy', !!s.running);
    const cancel = document.getElementById('cancel-form');
    if (cancel) cancel.hidden = !s.running;
    const watch = document.getElementById('watch-it');
    if (watch) watch.hidden = !(s.name && !s.running && s.returncode === 0 && s.name.startsWith('make'));
    status.dataset.state = s.running ? 'running' : (s.returncode === 0 ? 'finished' : (s.name ? 'failed' : 'idle'));
    log.textContent = (s.log || []).join('\n');
    if (s.running) setTimeout(poll, 700);
  }
  follow();
  poll();
})();
