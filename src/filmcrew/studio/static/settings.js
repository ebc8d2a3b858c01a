// The Settings page: the chosen contest's rules, and at once what cannot pass them (the length, the shape).
(function () {
  const form = document.getElementById('settings');
  if (!form) return;
  const rules = JSON.parse(form.dataset.rules || '{}');
  const contest = document.getElementById('contest'), minutes = document.getElementById('minutes');
  const aspect = document.getElementById('aspect'), said = document.getElementById('rules');
  const warnings = document.getElementById('warnings');
  function check() {
    const r = rules[contest.value];
    warnings.replaceChildren();
    said.textContent = r ? r.title : '';
    if (!r) return;
    const secs = Number(minutes.value) * 60, out = [];
    if (r.duration && !(secs >= r.duration[0] && secs <= r.duration[1]))
      out.push(`a film of ${secs} s cannot pass ${r.name}: it asks for ${r.duration[0]} to ${r.duration[1]} s (${r.duration[0] / 60} to ${r.duration[1] / 60} min); change the length`);
    if (r.aspects && !r.aspects.includes(aspect.value))
      out.push(`a ${aspect.value} film cannot pass ${r.name}: it takes ${r.aspects.join(', ')}; change the shape`);
    for (const w of out) { const p = document.createElement('p'); p.className = 'warn'; p.textContent = w; warnings.append(p); }
  }
  for (const el of [contest, minutes, aspect]) { el.addEventListener('input', check); el.addEventListener('change', check); }
})();
