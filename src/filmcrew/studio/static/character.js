// A character's page: "Hear a sample" speaks one of their lines with the project's voice provider (a WAV).
(function () {
  const btn = document.getElementById('hear'), audio = document.getElementById('sample');
  const spin = document.getElementById('hearing');
  if (!btn || !audio) return;
  btn.addEventListener('click', () => {
    spin.hidden = false;
    audio.hidden = false;
    audio.src = btn.dataset.src + '&t=' + Date.now();
    audio.addEventListener('canplay', () => { spin.hidden = true; audio.play().catch(() => {}); }, {once: true});
    audio.addEventListener('error', () => { spin.hidden = true; spin.textContent = 'no sample: the voice could not speak'; spin.hidden = false; }, {once: true});
  });
})();
