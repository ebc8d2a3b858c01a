// A line recorded with the microphone on a shot's page, sent as a take to /dub (checked there like any take).
(function () {
  async function rec(btn) {
    if (btn._r) { btn._r.stop(); return; }
    let s;
    try { s = await navigator.mediaDevices.getUserMedia({audio: true}); }
    catch (err) { btn.textContent = 'no microphone: ' + err.name; return; }
    const r = new MediaRecorder(s), parts = [];
    r.ondataavailable = ev => parts.push(ev.data);
    r.onstop = async () => {
      s.getTracks().forEach(t => t.stop());
      btn.textContent = 'sending...';
      const fd = new FormData();
      fd.append('csrf', document.querySelector('meta[name=csrf]').content);
      fd.append('line', btn.dataset.line);
      fd.append('take', new Blob(parts, {type: r.mimeType}), 'recording.webm');
      // not followed here: the page it leads to (this one) says what was done, once, when it is opened
      const resp = await fetch('/dub', {method: 'POST', body: fd, redirect: 'manual'});
      if (resp.type === 'opaqueredirect') { location.assign(location.href); }
      else { document.open(); document.write(await resp.text()); document.close(); }
    };
    r.start();
    btn._r = r;
    btn.textContent = 'Stop and use it';
    btn.dataset.recording = '1';
  }
  for (const btn of document.querySelectorAll('button.record[data-line]')) btn.addEventListener('click', () => rec(btn));
})();
