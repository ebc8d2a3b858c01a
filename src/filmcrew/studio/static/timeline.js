// The timeline: blocks sized by what plays of each shot; dragged by their handle (pointer events: a mouse, a pen
// or a finger), or moved with the buttons and Shift+arrow keys; trimmed at either end; played at once from the
// clips already made, as cut; "Keep this cut" sends the order and the trims (SHOT:FIRST:END;...).
(function () {
  const line = document.getElementById('timeline'), player = document.getElementById('player');
  if (!line || !player) return;
  const FPS = 30;
  const $ = id => document.getElementById(id);
  const blocks = () => [...line.querySelectorAll('.block')];
  const playing = () => blocks().filter(b => !b.classList.contains('out'));
  const secs = f => (f / FPS).toFixed(1);
  let selected = null;

  function size() {
    const live = playing();
    const total = live.reduce((s, b) => s + (b.dataset.b - b.dataset.a), 0) || 1;
    const width = Math.max(line.clientWidth, 300);
    for (const b of blocks()) {
      const n = b.dataset.b - b.dataset.a;
      b.style.flexBasis = Math.max(64, Math.round(n / total * width)) + 'px';
      b.querySelector('.blen').textContent = secs(n) + ' s';
    }
    $('length').textContent = secs(total);
  }

  function select(b) {
    selected = b;
    blocks().forEach(x => x.classList.toggle('sel', x === b));
    const t = $('trim');
    if (!b) { t.hidden = true; return; }
    t.hidden = false;
    $('trim-name').textContent = b.dataset.name;
    $('open-shot').href = '/shot?id=' + encodeURIComponent(b.dataset.shot);
    const a = $('a'), e = $('b');
    a.max = b.dataset.total - 1; e.max = b.dataset.total;
    a.value = b.dataset.a; e.value = b.dataset.b;
    $('leave').textContent = b.classList.contains('out') ? 'put it back' : 'leave it out';
    shown();
  }
  function shown() {
    const b = selected;
    $('a-s').textContent = secs(b.dataset.a);
    $('b-s').textContent = secs(b.dataset.b);
    $('trim-note').textContent = b.classList.contains('out') ? 'left out of the cut' :
      `${secs(b.dataset.b - b.dataset.a)} s of ${secs(b.dataset.total)} s play` + (b.dataset.clip ? '' : ' (not animated yet: its length is an estimate)');
  }
  $('a').addEventListener('input', ev => {
    const v = Math.min(Number(ev.target.value), selected.dataset.b - 1);
    ev.target.value = v; selected.dataset.a = v; shown(); size();
    if (selected.dataset.clip) { show(selected); player.currentTime = v / FPS; }
  });
  $('b').addEventListener('input', ev => {
    const v = Math.max(Number(ev.target.value), Number(selected.dataset.a) + 1);
    ev.target.value = v; selected.dataset.b = v; shown(); size();
    if (selected.dataset.clip) { show(selected); player.currentTime = v / FPS; }
  });

  function move(b, by) {
    const all = blocks(), i = all.indexOf(b), j = i + by;
    if (!b || j < 0 || j >= all.length) return;
    if (by < 0) line.insertBefore(b, all[j]); else line.insertBefore(b, all[j].nextSibling);
    b.focus(); size();
  }
  $('earlier').addEventListener('click', () => move(selected, -1));
  $('later').addEventListener('click', () => move(selected, 1));
  $('leave').addEventListener('click', () => { selected.classList.toggle('out'); select(selected); size(); });

  // dragging by the handle: the block follows the pointer and takes the place of the block under it
  let drag = null;
  line.addEventListener('pointerdown', ev => {
    const grip = ev.target.closest('.grip');
    if (!grip) return;
    ev.preventDefault();
    const b = grip.closest('.block');
    drag = {b, id: ev.pointerId};
    grip.setPointerCapture(ev.pointerId);
    b.classList.add('dragging');
    select(b);
  });
  line.addEventListener('pointermove', ev => {
    if (!drag || ev.pointerId !== drag.id) return;
    const x = ev.clientX, y = ev.clientY;
    for (const o of blocks()) {
      if (o === drag.b) continue;
      const r = o.getBoundingClientRect();
      if (x >= r.left && x <= r.right && y >= r.top - 40 && y <= r.bottom + 40) {
        const before = x < r.left + r.width / 2;
        line.insertBefore(drag.b, before ? o : o.nextSibling);
        break;
      }
    }
    const r = line.getBoundingClientRect();  // near an edge of the strip: scroll it
    if (x > r.right - 30) line.scrollLeft += 12; else if (x < r.left + 30) line.scrollLeft -= 12;
  });
  const drop = ev => { if (drag && ev.pointerId === drag.id) { drag.b.classList.remove('dragging'); drag = null; size(); } };
  line.addEventListener('pointerup', drop);
  line.addEventListener('pointercancel', drop);

  line.addEventListener('keydown', ev => {
    const b = ev.target.closest('.block');
    if (!b) return;
    const by = ev.key === 'ArrowLeft' ? -1 : ev.key === 'ArrowRight' ? 1 : 0;
    if (by && ev.shiftKey) { ev.preventDefault(); select(b); move(b, by); }
    else if (by) { ev.preventDefault(); const all = blocks(), n = all[all.indexOf(b) + by]; if (n) { n.focus(); select(n); } }
    else if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); select(b); }
  });

  // playing the cut: each block from its first frame to its end, the next when it ends
  let i = -1, timer = null, list = [];
  const now = $('now');
  function show(b) {
    if (player.dataset.src !== b.dataset.clip) { player.dataset.src = b.dataset.clip; player.src = b.dataset.clip; }
    player.poster = b.dataset.poster;
  }
  function next() {
    clearTimeout(timer);
    i += 1;
    blocks().forEach(b => b.classList.remove('on'));
    if (i >= list.length) { i = -1; now.textContent = 'the end'; player.pause(); return; }
    const b = list[i];
    b.classList.add('on');
    now.textContent = b.dataset.name;
    if (b.dataset.clip) {
      show(b);
      const start = () => { player.currentTime = b.dataset.a / FPS; player.play().catch(() => {}); };
      if (player.readyState >= 1) start(); else player.addEventListener('loadedmetadata', start, {once: true});
    } else {
      player.removeAttribute('src'); delete player.dataset.src; player.poster = b.dataset.poster; player.load();
      timer = setTimeout(next, (b.dataset.b - b.dataset.a) / FPS * 1000);
    }
  }
  player.addEventListener('timeupdate', () => {
    const b = list[i];
    if (b && b.dataset.clip && player.currentTime >= b.dataset.b / FPS - 0.02) next();
  });
  player.addEventListener('ended', () => { if (list[i]) next(); });
  $('play').addEventListener('click', () => { list = playing(); i = -1; next(); });
  line.addEventListener('click', ev => {
    const b = ev.target.closest('.block');
    if (!b || ev.target.closest('.grip')) return;
    select(b);
    list = []; i = -1; clearTimeout(timer);
    if (b.dataset.clip) { show(b); player.currentTime = b.dataset.a / FPS; } else { player.poster = b.dataset.poster; }
  });

  const form = $('keep-form');
  if (form) form.addEventListener('submit', () => {
    $('cut').value = playing().map(b => `${b.dataset.shot}:${b.dataset.a}:${b.dataset.b === b.dataset.total ? '' : b.dataset.b}`).join(';');
  });
  size();
  window.addEventListener('resize', size);
})();
