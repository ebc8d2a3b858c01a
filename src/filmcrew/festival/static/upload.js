// The film goes in pieces (PUT /upload?id=..&offset=..), each appended on the server where the last one ended;
// a piece lost on the way is sent again from where the server says it got to, and an upload cut off (a closed
// tab, a dropped connection) goes on from there when the same file is chosen again.
(function () {
  "use strict";
  const form = document.getElementById("submit");
  if (!form) return;
  const PIECE = 4 * 1024 * 1024;
  const csrf = form.querySelector("input[name=csrf]").value;
  const contest = form.querySelector("input[name=contest]").value;
  const say = (t) => { document.getElementById("upload-state").textContent = t; };
  const bar = document.getElementById("progress");
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  async function call(method, url, body, type) {
    const headers = { "X-CSRF": csrf };
    if (type) headers["Content-Type"] = type;
    const r = await fetch(url, { method, headers, body, credentials: "same-origin" });
    const data = await r.json().catch(() => ({}));
    if (!r.ok) { const err = new Error(data.error || r.statusText); err.status = r.status; err.data = data; throw err; }
    return data;
  }

  async function send(file) {
    const mark = "filmcrew-upload:" + contest + ":" + file.name + ":" + file.size + ":" + file.lastModified;
    let id = localStorage.getItem(mark);
    let state = null;
    if (id) {
      try { state = await call("GET", "/upload?id=" + encodeURIComponent(id)); } catch (e) { state = null; }
    }
    if (!state) {
      state = await call("POST", "/upload", JSON.stringify({ contest: Number(contest), size: file.size }), "application/json");
      id = state.id;
      localStorage.setItem(mark, id);
    }
    bar.hidden = false; bar.max = file.size;
    let tries = 0;
    while (!state.sha) {
      const from = state.received;
      bar.value = from;
      say("sending the film: " + Math.floor(100 * from / file.size) + "%");
      try {
        state = await call("PUT", "/upload?id=" + encodeURIComponent(id) + "&offset=" + from,
                           file.slice(from, Math.min(file.size, from + PIECE)), "application/octet-stream");
        tries = 0;
      } catch (e) {
        if (e.status && e.status !== 409 && e.status < 500) throw e;   // refused: say why
        if (++tries > 8) throw new Error("the connection keeps failing; choose the file again later to go on");
        await sleep(1000 * tries);
        state = await call("GET", "/upload?id=" + encodeURIComponent(id)).catch(() => state);
      }
    }
    localStorage.removeItem(mark);
    bar.value = file.size;
    return id;
  }

  form.addEventListener("submit", async (ev) => {
    if (document.getElementById("upload-id").value) return;  // sent: the form goes
    ev.preventDefault();
    const film = document.getElementById("film").files[0];
    if (!film) { say("choose the film first"); return; }
    if (film.size > Number(form.dataset.max)) {
      say("the film is " + Math.round(film.size / 1048576) + " MB; this contest takes up to " +
          Math.round(Number(form.dataset.max) / 1048576) + " MB"); return;
    }
    const button = document.getElementById("send");
    button.disabled = true;
    try {
      const prov = document.getElementById("provenance").files[0];
      if (prov) document.getElementById("provenance-text").value = await prov.text();
      document.getElementById("upload-id").value = await send(film);
      say("sent; saving the entry");
      form.submit();
    } catch (e) {
      say("not sent: " + e.message);
      button.disabled = false;
    }
  });
})();
