// The timeline: blocks sized by each shot's length, and the made clips played one after the other.
(function () {
  const line = document.getElementById('timeline'), player = document.getElementById('player');
  if (!line || !player) return;
  const blocks = [...line.querySelectorAll('.block')];
  const total = Number(line.dataset.total) || 1;
  for (const b of blocks) b.style.flexBasis = Math.max(44, Math.round(Number(b.dataset.seconds) / total * Math.max(line.clientWidth, 300))) + 'px';
  let i = -1, timer = null;
  const now = document.getElementById('now');
  function next() {
    clearTimeout(timer);
    i += 1;
    blocks.forEach(b => b.classList.remove('on'));
    if (i >= blocks.length) { i = -1; now.textContent = 'the end'; return; }
    const b = blocks[i];
    b.classList.add('on');
    now.textContent = b.dataset.name;
    if (b.dataset.clip) { player.poster = b.dataset.poster; player.src = b.dataset.clip; player.play().catch(() => {}); }
    else { player.removeAttribute('src'); player.poster = b.dataset.poster; player.load(); timer = setTimeout(next, Number(b.dataset.seconds) * 1000); }
  }
  player.addEventListener('ended', next);
  document.getElementById('play').addEventListener('click', () => { i = -1; next(); });
  blocks.forEach((b, k) => b.addEventListener('click', ev => { if (ev.target.tagName === 'A') return; i = k - 1; next(); }));
})();
