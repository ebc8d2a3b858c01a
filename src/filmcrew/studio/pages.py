"""The studio's HTML, rendered on the server (no build step, nothing fetched from the internet)."""

from __future__ import annotations

import html
import json

CSS = """
:root{--bg:#16181d;--panel:#20242c;--line:#2e333d;--text:#e8e6e3;--dim:#9aa0aa;--accent:#e0a458;--ok:#7fc97f;--bad:#f0716c}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 "Noto Sans","Noto Sans CJK SC",system-ui,sans-serif;background:var(--bg);color:var(--text)}
header{display:flex;gap:18px;align-items:center;padding:10px 20px;background:var(--panel);border-bottom:1px solid var(--line)}
header b{color:var(--accent);font-size:17px}a{color:var(--accent)}header a{color:var(--text);text-decoration:none}header a.on{color:var(--accent)}
main{padding:18px 20px;max-width:1400px}h1{font-size:20px;margin:0 0 12px}h2{font-size:16px;margin:20px 0 8px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:14px}
.card{background:var(--panel);border:1px solid var(--line);border-radius:8px;overflow:hidden}
.card img,.card video{width:100%;aspect-ratio:9/16;object-fit:cover;background:#000;display:block}
.card.wide img,.card.wide video{aspect-ratio:16/9}
.card .empty{aspect-ratio:9/16;display:flex;align-items:center;justify-content:center;color:var(--dim);background:#0f1115;font-size:13px;padding:10px;text-align:center}.card.wide .empty{aspect-ratio:16/9}.card .body{padding:8px 10px}.card .id{font-weight:600}
.state{display:inline-block;padding:1px 7px;border-radius:9px;font-size:12px}.fresh{background:#264d2a;color:var(--ok)}
.to-make{background:#4d3a1e;color:var(--accent)}.failed{background:#4d1e1e;color:var(--bad)}.in-the-make,.running{background:#1e3a4d;color:#8cc8f0}
.line{color:var(--dim);font-size:13px;margin:3px 0}.line b{color:var(--text)}.why{font-size:12px;color:var(--dim)}.job{font-size:12px;color:var(--text)}
textarea{width:100%;height:62vh;background:#0f1115;color:var(--text);border:1px solid var(--line);border-radius:6px;
font:14px/1.5 "Noto Sans Mono",monospace;padding:10px}
button,.button{background:var(--accent);color:#1b1b1b;border:0;border-radius:6px;padding:7px 14px;font-weight:600;cursor:pointer}
button.quiet{background:var(--line);color:var(--text)}.cols{display:grid;grid-template-columns:2fr 1fr;gap:18px}
.problems li{color:var(--bad)}.ok{color:var(--ok)}.bad{color:var(--bad)}.note{color:var(--dim);font-size:13px}
pre.log{background:#0f1115;border:1px solid var(--line);border-radius:6px;padding:10px;max-height:50vh;overflow:auto;font-size:12px}
progress{width:100%;height:14px}table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left}
.msg{padding:10px 14px;border-radius:6px;margin:0 0 14px}.msg.error{background:#4d1e1e}.msg.done{background:#1e4d27}
"""


def e(text) -> str:
    return html.escape(str(text), quote=True)


def page(title: str, body: str, *, tab: str, project: str, csrf: str, message: tuple | None = None) -> str:
    tabs = [("/", "Overview"), ("/script", "Screenplay"), ("/bible", "Bible"), ("/board", "Storyboard"),
            ("/make", "Make"), ("/watch", "Watch")]
    nav = "".join(f'<a href="{h}" class="{"on" if h == tab else ""}">{e(t)}</a>' for h, t in tabs)
    msg = f'<div class="msg {e(message[0])}">{e(message[1])}</div>' if message else ""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{e(title)} · filmcrew studio</title>'
            f'<meta name="csrf" content="{e(csrf)}"><style>{CSS}</style></head><body><header><b>filmcrew studio</b>'
            f'<span class="note">{e(project)}</span>{nav}</header><main>{msg}{body}</main></body></html>')


def form(action: str, csrf: str, inner: str, *, multipart: bool = False, cls: str = "") -> str:
    enc = ' enctype="multipart/form-data"' if multipart else ""
    return (f'<form method="post" action="{e(action)}"{enc} class="{e(cls)}"><input type="hidden" name="csrf" '
            f'value="{e(csrf)}">{inner}</form>')


def overview(root_name: str, cfg, episodes: list[dict], films: list[dict], csrf: str) -> str:
    rows = "".join(f"<tr><td>episode {ep['number']}</td><td>{e(ep['title'] or '')}</td><td>"
                   f"{'written' if ep['written'] else '<span class=bad>not written</span>'}</td>"
                   f"<td><a href='/script?ep={ep['number']}'>screenplay</a> · <a href='/board?ep={ep['number']}'>"
                   f"storyboard</a></td></tr>" for ep in episodes)
    write = "" if all(ep["written"] for ep in episodes) else form("/run", csrf, '<input type="hidden" name="what" '
                                                                  'value="write"><button>Write the story</button>')
    fl = "".join(f"<li><a href='/watch'>{e(f['mp4'])}</a> ({'preview' if f['preview'] else 'full size'})"
                 + (f" · {e(_share(f['share']))}" if f.get("share") else "") + "</li>" for f in films) or \
        "<li class=note>no film made yet: <a href='/make'>make one</a></li>"
    return (f"<h1>{e(root_name)}</h1><p>{e(cfg.premise)}</p><p class=note>{e(cfg.format)}, {cfg.episodes} episode(s) "
            f"of {cfg.minutes:g} min, {e(cfg.aspect)}, {e(cfg.language)}; animator: {e(cfg.providers.get('animator'))}, "
            f"illustrator: {e(cfg.providers.get('illustrator'))}</p>{write}<h2>Episodes</h2><table>{rows}</table>"
            f"<h2>Films</h2><ul>{fl}</ul>")


def _share(share) -> str:
    s = (share or {}).get("ai_share") or {}
    parts = [f"{k} {v:.0%}" for k, v in s.items() if isinstance(v, (int, float))]
    return "AI share: " + ", ".join(parts) if parts else ""


def editor(kind: str, path: str, text: str, version: str, csrf: str, n: int | None, report: dict | None,
           theirs: str | None = None) -> str:
    """The screenplay's or the bible's text in a text area; the screenplay's problems shown as you type."""
    found = problems(report) if report is not None else ""
    conflict = ""
    if theirs is not None:
        conflict = ("<h2>The file as it is on disk now (someone saved it after you opened it)</h2>"
                    f"<textarea readonly id=theirs>{e(theirs)}</textarea>")
    live = "" if kind != "script" else """<script>
const ta=document.getElementById('text'),out=document.getElementById('problems');let t=null;
ta.addEventListener('input',()=>{clearTimeout(t);t=setTimeout(async()=>{const r=await fetch('/api/check',{method:'POST',
headers:{'Content-Type':'application/json','X-CSRF':document.querySelector('meta[name=csrf]').content},
body:JSON.stringify({ep:%d,text:ta.value})});if(r.ok){out.innerHTML=(await r.json()).html}},400)});
</script>""" % (n or 1)
    hidden = f'<input type="hidden" name="version" value="{e(version)}">' + (f'<input type="hidden" name="ep" value="{n}">'
                                                                             if n else "")
    body = form(f"/{kind}", csrf, f'{hidden}<textarea name="text" id="text" spellcheck="false">{e(text)}</textarea>'
                f'<p><button>Save {e(path)}</button></p>')
    return (f"<h1>{e(path)}</h1><div class=cols><div>{body}{conflict}</div><div><h2>Check</h2>"
            f"<div id=problems>{found}</div></div></div>{live}")


def problems(report: dict) -> str:
    """A screenplay's check in HTML: its errors, else its counts and the story report."""
    if report.get("errors"):
        return "<ul class=problems>" + "".join(f"<li>{e(x)}</li>" for x in report["errors"]) + "</ul>"
    story = (report.get("story") or {}).get("problems", [])
    said = ("<h2>Story</h2><ul class=story>" + "".join(f"<li class=note>{e(x)}</li>" for x in story) + "</ul>"
            if story else "<p class=ok>story: the premise's words are there, no line repeated, no stock line</p>"
            if report.get("story") is not None else "")
    return (f"<p class=ok>no problem: {report.get('scenes', 0)} scenes, {report.get('shots', 0)} shots, "
            f"{report.get('lines', 0)} dialogue blocks, about {report.get('runtime_seconds', 0) / 60:.1f} min</p>{said}")


def job_lines(jobs: list[dict]) -> list[str]:
    """A card's remote jobs in words: "video job (kling): sent 40 s ago, processing 35%", "... failed: why"."""
    out = []
    for j in jobs:
        what = j["artifact"].split(".", 1)[1].replace(".", " ")
        line = f"{what} job ({j['provider']}): {j['words']}"
        if j["state"] in ("submitting", "submitted"):
            line += f" {j['since']} s ago" + (f", {j['detail']}" if j["detail"] else "") + (
                f" {j['progress']:.0%}" if isinstance(j.get("progress"), (int, float)) else "")
        elif j["detail"]:
            line += f": {j['detail']}"
        out.append(line)
    return out


def board(n: int, cards, notes: list[str], csrf: str, wide: bool, preview: bool) -> str:
    out = []
    for c in cards:
        img = (f'<img src="/thumb?key={e(c.keyframe)}" alt="{e(c.id)} keyframe" loading=lazy>' if c.keyframe else
               '<div class=empty>not drawn yet: the next make draws it</div>')
        if c.clip:
            img = (f'<video src="/clip?key={e(c.clip)}" poster="/thumb?key={e(c.keyframe)}" muted loop preload=none '
                   f'onmouseenter="this.play()" onmouseleave="this.pause()"></video>')
        lines = "".join(f'<div class=line id="{e(i)}"><b>{e(s)}</b>: {e(t)}</div>' for i, s, t in c.lines)
        why = "".join(f"<div class=why>{e(w)}</div>" for w in c.why[:4]) + (
            f"<div class=why>and {len(c.why) - 4} more</div>" if len(c.why) > 4 else "")
        takes = "".join(f"<div class=why>{e(a.rsplit('.', 1)[0].split('.', 1)[1])}: take {p.get('chosen')} of "
                        f"{len(p.get('takes', []))}, {e(p.get('why', ''))}{_scores(p)}</div>" for a, p in c.takes)
        cost = " · ".join(f"{v:.2f} {e(k)}" for k, v in c.cost.items())
        jobs = "".join(f"<div class=job>{e(j)}</div>" for j in job_lines(c.jobs))
        state = c.state.replace(" ", "-")
        out.append(f'<div class="card{" wide" if wide else ""}" id="card-{e(c.id)}" data-state="{e(c.state)}">{img}'
                   f'<div class=body><div><span class=id>{e(c.id)}</span> <span class="state {state}">{e(c.state)}'
                   f'</span></div><div class=note>{e(c.camera)} · {e(c.provider)}{" · " + cost if cost else ""}</div>'
                   f'<div class=line>{e(c.action)}</div>{lines}{why}<div class=jobs>{jobs}</div>{takes}'
                   f'<div><a href="/shot?id={e(c.id)}{"" if preview else "&preview=0"}">details, takes, voices</a></div>'
                   f'</div></div>')
    switch = (f"<a href='/board?ep={n}&preview=0'>full size</a>" if preview else f"<a href='/board?ep={n}'>preview</a>")
    nl = "".join(f"<li>{e(x)}</li>" for x in notes)
    live = """<script>
async function live(){const r=await (await fetch('/api/run')).json();if(!r.running){if(window._was)location.reload();return}
window._was=true;const cards=await (await fetch('/api/board?ep=%d&preview=%d')).json();
for(const c of cards){const el=document.getElementById('card-'+c.id);if(!el)continue;
const st=c.state==='to make'?'in the make':c.state;el.dataset.state=st;const b=el.querySelector('.state');
b.textContent=st;b.className='state '+st.replace(/ /g,'-');const j=el.querySelector('.jobs');
if(j){j.replaceChildren(...c.jobs.map(t=>{const d=document.createElement('div');d.className='job';d.textContent=t;return d}))}}
setTimeout(live,2500)}live();</script>""" % (n, 1 if preview else 0)
    return (f"<h1>Episode {n}: storyboard ({'preview' if preview else 'full size'}; see the {switch})</h1>"
            + (f"<ul class=note>{nl}</ul>" if nl else "") + f"<div class=grid>{''.join(out)}</div>{live}")


RECORDER = """<script>
async function rec(btn,line){if(btn._r){btn._r.stop();return}
let s;try{s=await navigator.mediaDevices.getUserMedia({audio:true})}catch(err){btn.textContent='no microphone: '+err.name;return}
const r=new MediaRecorder(s),parts=[];r.ondataavailable=ev=>parts.push(ev.data);
r.onstop=async()=>{s.getTracks().forEach(t=>t.stop());btn.textContent='sending...';const fd=new FormData();
fd.append('csrf',document.querySelector('meta[name=csrf]').content);fd.append('line',line);
fd.append('take',new Blob(parts,{type:r.mimeType}),'recording.webm');
const resp=await fetch('/dub',{method:'POST',body:fd});
if(resp.redirected){location.href=resp.url}else{document.open();document.write(await resp.text());document.close()}};
r.start();btn._r=r;btn.textContent='Stop and use it';btn.dataset.recording='1'}
</script>"""


def _scores(pick: dict) -> str:
    """The chosen take's consistency, per character: a face's distance to its reference (lower is closer; the
    check's threshold is in filmcrew.toml), or a drawn figure's palette overlap."""
    take = next((t for t in pick.get("takes", []) if t.get("take") == pick.get("chosen")), None)
    if not take:
        return ""
    parts = []
    for name, c in (take.get("characters") or {}).items():
        if c.get("distance") is not None:
            parts.append(f"{name} {c.get('status')} {c['distance']:.2f}")
        elif c.get("palette") is not None:
            parts.append(f"{name} {c.get('status')} palette {c['palette']:.2f}")
        else:
            parts.append(f"{name} {c.get('status')}")
    return f"<br><span class=scores>{e('; '.join(parts))}</span>" if parts else ""


def providers(card, csrf: str, version: str, choices: dict) -> str:
    """The shot's providers: who draws and who animates it, each a choice among those that play the role
    (`choices`: role -> (the project's provider, every provider of that role))."""
    rows = ""
    for role, label in (("illustrator", "Drawn by"), ("animator", "Animated by")):
        own, names = choices[role]
        mine = card.chosen.get(role, "")
        opts = f'<option value=""{"" if mine else " selected"}>the project\'s ({e(own)})</option>' + "".join(
            f'<option value="{e(n)}"{" selected" if n == mine else ""}>{e(n)}</option>' for n in names if n != own)
        rows += form("/provider", csrf, f'<input type=hidden name=shot value="{e(card.id)}"><input type=hidden name=role '
                     f'value="{role}"><input type=hidden name=version value="{e(version)}"><label>{label} <select '
                     f'name=name id="{role}-choice">{opts}</select></label> <button class=quiet>Use it for this shot</button>')
    return (rows + "<p class=note>Writes <code>illustrator: NAME</code> or <code>animator: NAME</code> in the shot's note "
            "in the screenplay; the other shots keep the project's providers. A vendor's model needs its key in the "
            "environment (and its <code>[providers.NAME]</code> settings where it takes some); the Make page prices "
            "the shot before anything is sent.</p>")


def shot(card, csrf: str, preview: bool, dub_rows: list[dict], version: str = "", choices: dict | None = None) -> str:
    pv = '<input type="hidden" name="preview" value="1">' if preview else ""
    img = f'<img src="/thumb?key={e(card.keyframe)}" style="max-width:360px">' if card.keyframe else ""
    vid = f'<video src="/clip?key={e(card.clip)}" controls style="max-width:360px"></video>' if card.clip else ""
    takes = ""
    for a, p in card.takes:
        rows = "".join(f"<tr><td>take {k['take']}{' (used)' if k['take'] == p.get('chosen') else ''}</td>"
                       f"<td>{e(k.get('verdict', ''))}</td><td>"
                       + form("/take", csrf, f'{pv}<input type=hidden name=shot value="{e(card.id)}"><input type=hidden '
                              f'name=use value="{k["take"]}"><button class=quiet>use this take</button>') + "</td></tr>"
                       for k in p.get("takes", []))
        takes += f"<h2>{e(a)}</h2><table>{rows}</table>"
    retake = form("/take", csrf, f'{pv}<input type=hidden name=shot value="{e(card.id)}"><input type=hidden name=retake '
                  f'value=1><button class=quiet>Check again and retake if it fails</button>') if card.takes else (
        "<p class=note>Takes and retakes need the consistency check (pip install 'filmcrew[faces]').</p>")
    voices = ""
    for r in dub_rows:
        voices += (f"<tr><td>{e(r['line'])}</td><td><b>{e(r['speaker'])}</b>: {e(r['text'])}</td><td>{e(r.get('voice', ''))}"
                   f"</td><td>" + form("/dub", csrf, f'<input type=hidden name=line value="{e(r["line"])}"><input type=file '
                                       f'name=take accept="audio/*" required> <button class=quiet>Use this take</button>',
                                       multipart=True)
                   + f"</td><td><button class=quiet type=button data-line='{e(r['line'])}' "
                     f"onclick=\"rec(this,'{e(r['line'])}')\">Record</button></td></tr>")
    why = "".join(f"<li>{e(w)}</li>" for w in card.why)
    picture = (form("/picture", csrf, f'<input type=hidden name=shot value="{e(card.id)}"><input type=file name=picture '
                    f'accept="image/png,image/jpeg,image/webp" required> <button class=quiet>Use this picture instead</button>',
                    multipart=True)
               + form("/picture", csrf, f'<input type=hidden name=shot value="{e(card.id)}"><input type=hidden name=clear '
                      f'value=1><button class=quiet>Let the illustrator draw it again</button>'))
    clip = (form("/clip", csrf, f'<input type=hidden name=shot value="{e(card.id)}"><input type=file name=clip '
                 f'accept="video/mp4,video/quicktime,video/webm,video/x-matroska" required> <button class=quiet>Use this '
                 f'clip instead</button>', multipart=True)
            + form("/clip", csrf, f'<input type=hidden name=shot value="{e(card.id)}"><input type=hidden name=clear '
                   f'value=1><button class=quiet>Animate it again from its picture</button>')
            + "<p class=note>Your clip is fitted to the shot's length and frame (trimmed, or slowed and its last frame "
              "held; cropped to fill), plays silent under the shot's voices and music, and counts as human-made. No "
              "video job is sent for this shot while it is there.</p>")
    seed = (form("/seed", csrf, f'<input type=hidden name=shot value="{e(card.id)}"><input type=hidden name=version '
                 f'value="{e(version)}"><button class=quiet>Ask the models again (seed {card.seed + 1})</button>')
            + "<p class=note>Writes <code>seed: N</code> in the shot's note in the screenplay: the next make sends its "
              "picture and video jobs again (each is paid), and keeps the earlier ones in the cache.</p>"
            if card.models else "<p class=note>The offline crew draws and animates a shot the same way every time: "
                                "change what happens in it, or use your own picture or clip.</p>")
    action = form("/action", csrf, f'<input type=hidden name=shot value="{e(card.id)}"><input type=hidden name=version '
                  f'value="{e(version)}"><textarea name=text id=action style="height:4.5em">{e(card.action)}</textarea>'
                  f'<button class=quiet>Change what happens (the picture is made again)</button>')
    return (f"<h1>{e(card.id)} <span class='state {card.state.replace(' ', '-')}'>{e(card.state)}</span></h1>"
            f"{action}<div style='display:flex;gap:14px;margin-top:10px'>{img}{vid}</div>"
            + (f"<h2>To make</h2><ul class=note>{why}</ul>" if why else "") + f"<h2>Picture</h2>{picture}{takes}{retake}<h2>Retake</h2>{seed}"
            + (f"<h2>Providers</h2>{providers(card, csrf, version, choices)}" if choices else "") + f"<h2>Clip</h2>{clip}"
            f"<h2>Voices</h2><table>{voices}</table><p class=note>A take (a file, or a recording made here) is checked "
            f"as `filmcrew dub` checks it: silent, clipped or far too long takes are refused with the reason.</p>"
            + RECORDER)


def make(plan_rows: list, costs_text: str, run_state: dict, csrf: str, busy: dict | None, preview: bool = True) -> str:
    rows = "".join(f"<tr><td>{e(r['role'])}</td><td>{e(r['artifact'])}</td><td>{e(r['reason'])}</td></tr>"
                   for r in plan_rows[:200])
    more = f"<p class=note>and {len(plan_rows) - 200} more</p>" if len(plan_rows) > 200 else ""
    buttons = "".join(form("/run", csrf, f'<input type=hidden name=what value="{w}"><button>{e(t)}</button>',
                           cls="inline") for w, t in (("make-preview", "Make the preview"), ("make", "Make the film"),
                                                      ("export-preview", "Export the preview for an editor")))
    cancel = form("/cancel", csrf, '<button class=quiet id=cancel>Cancel</button>')
    lock = (f"<p class=bad>A make of this project is running elsewhere (pid {e(busy.get('pid'))}): the studio waits for it."
            "</p>" if busy else "")
    return (f"<h1>Make</h1>{lock}<div style='display:flex;gap:10px'>{buttons}{cancel}</div>"
            f"<h2>Progress</h2><div id=run><progress id=bar max=1 value=0></progress><p id=status class=note></p>"
            f"<pre class=log id=log></pre></div><h2>Plan for the {'preview' if preview else 'full-size film'} "
            f"({len(plan_rows)} to make; see the plan for the "
            + ("<a href='/make?film=full'>full-size film</a>" if preview else "<a href='/make'>preview</a>") + ")</h2>"
            f"<pre class=log>{e(costs_text)}</pre><table>{rows}</table>{more}"
            """<script>
let was=null;async function poll(){const r=await fetch('/api/run');const s=await r.json();const bar=document.getElementById('bar');
if(was===true&&!s.running){location.reload();return}was=s.running;
if(s.total){bar.max=s.total;bar.value=s.done||0}else if(s.returncode===0){bar.max=1;bar.value=1}
document.getElementById('status').textContent=s.name?(s.command+': '+(s.running?'running, '+s.seconds+' s':
(s.cancelled?'cancelled':(s.returncode===0?'finished':'failed ('+s.returncode+')')))):'nothing running';
document.getElementById('status').dataset.state=s.running?'running':(s.returncode===0?'finished':(s.name?'failed':'idle'));
document.getElementById('log').textContent=(s.log||[]).join('\\n');if(s.running)setTimeout(poll,700)}
poll();</script>""")


def watch(films: list[dict], checks: dict, profiles: list[str], csrf: str) -> str:
    if not films:
        return "<h1>Watch</h1><p class=note>No film yet: <a href='/make'>make the preview</a>.</p>"
    out = ["<h1>Watch</h1>"]
    options = "".join(f"<option{' selected' if p == 'delivery' else ''}>{e(p)}</option>" for p in profiles)
    for f in films:
        track = f'<track kind=subtitles src="/vtt?p={e(f["vtt"])}" default>' if f["vtt"] else ""
        spend = ", ".join(f"{v:.2f} {k}" for k, v in (f.get("spend") or {}).items()) or "nothing paid"
        rep = checks.get(f["mp4"])
        verdict = ""
        if rep is not None:
            rows = "".join(f"<tr class=finding data-status='{e(x.status)}'><td class={'ok' if x.status == 'pass' else 'bad' if x.required else 'note'}>"
                           f"{e(x.status)}</td><td>{e(x.check)}</td><td>{e(x.detail)}</td></tr>" for x in rep["findings"])
            verdict = (f"<p id=verdict class={'ok' if rep['passed'] else 'bad'}>{e(rep['profile'])}: "
                       f"{'PASSED' if rep['passed'] else 'FAILED'}</p><table>{rows}</table>")
        check_form = form("/check", csrf, f"<input type=hidden name=mp4 value='{e(f['mp4'])}'><select name=profile>"
                          f"{options}</select> <button class=quiet>Check it</button>")
        out.append(f"<h2>{e(f['mp4'])} ({'preview' if f['preview'] else 'full size'})</h2>"
                   f"<video src='/file?p={e(f['mp4'])}' controls style='max-height:70vh'>{track}</video>"
                   f"<p>{e(_share(f.get('share')))} · spend: {e(spend)}</p>{check_form}{verdict}"
                   f"<p class=note>The AI label is burned into the picture and written into the file; the studio has "
                   f"no switch for it.</p>")
    return "".join(out)


def new_film(root, csrf: str) -> str:
    """The form that makes a new film in this folder (what `filmcrew new` asks)."""
    def select(name, values, chosen):
        return f"<select name={name}>" + "".join(f"<option{' selected' if v == chosen else ''}>{e(v)}</option>"
                                                  for v in values) + "</select>"
    inner = (f"<p><label>Premise<br><textarea name=premise id=premise style='height:5em' required placeholder='A baker must "
             f"win back her stolen recipe from a rival before the festival'></textarea></label></p>"
             f"<p><label>Form {select('format', ('short', 'series'), 'short')}</label> "
             f"<label>Episodes <input name=episodes type=number min=1 max=20 value=1 style='width:4em'></label> "
             f"<label>Minutes each <input name=minutes type=number min=0.2 max=10 step=0.1 value=1 style='width:5em'></label> "
             f"<label>Shape {select('aspect', ('9:16', '16:9', '1:1'), '9:16')}</label> "
             f"<label>Language {select('language', ('en', 'zh', 'fr'), 'en')}</label></p><p><button>Start the film</button></p>")
    return (f"<h1>A new film in {e(root)}</h1><p class=note>This folder holds no film yet. Say what it is about; the crew "
            f"writes the screenplay from it next, and every setting can be changed later in filmcrew.toml.</p>"
            + form("/new", csrf, inner))


def json_body(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")
