"""The festival's pages: server-rendered HTML, one small script (static/upload.js) and no asset from elsewhere."""

from __future__ import annotations

import html
import time
from pathlib import Path

STATIC = Path(__file__).parent / "static"
CSS = """
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,"Noto Sans","Noto Sans CJK SC",sans-serif;
background:#f6f4ef;color:#1d1d1f}header{background:#20242c;color:#f3efe6;padding:10px 22px;display:flex;gap:18px;
align-items:center;flex-wrap:wrap}header a{color:#f3efe6;text-decoration:none}header b{color:#f0b24a;font-size:17px}
header .who{margin-left:auto;opacity:.85}main{max-width:1080px;margin:0 auto;padding:18px 22px 60px}
h1{font-size:24px;margin:10px 0 6px}h2{font-size:18px;margin:24px 0 8px}table{border-collapse:collapse;width:100%;
background:#fff}td,th{border-bottom:1px solid #e3ded3;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#ece7dc;font-weight:600}.pass{color:#1c7a35}.fail{color:#b3261e;font-weight:600}.warn{color:#8a5a00}
.unknown{color:#666}.state{display:inline-block;padding:1px 9px;border-radius:10px;font-size:13px;background:#ddd}
.state.done-pass{background:#cdebd3}.state.done-fail{background:#f6d2cf}.state.queued,.state.running{background:#f3e3b5}
.state.error{background:#f6d2cf}form.box{background:#fff;border:1px solid #e3ded3;padding:14px;max-width:560px}
label{display:block;margin:8px 0 2px;font-weight:600}input[type=text],input[type=email],input[type=password],textarea,select
{width:100%;padding:7px;border:1px solid #c9c2b4;border-radius:4px;font:inherit}textarea{height:6em}
button{background:#20242c;color:#fff;border:0;border-radius:4px;padding:8px 16px;font:inherit;margin-top:10px;cursor:pointer}
.msg{padding:10px 14px;border-radius:4px;margin:10px 0}.msg.bad{background:#f6d2cf}.msg.good{background:#cdebd3}
.note{color:#555;font-size:13px}progress{width:100%;height:14px}video{max-width:100%;max-height:70vh;background:#000}
"""


def e(s) -> str:
    return html.escape(str(s if s is not None else ""), quote=True)


def when(t: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(t)) if t else ""


def page(title: str, body: str, user: dict | None, contest: dict, message: tuple | None = None) -> str:
    links = [("/", "Contest")]
    if contest.get("published"):
        links.append(("/results", "Results"))
    if user is None:
        links += [("/login", "Sign in"), ("/register", "Enter a film")]
    elif user["role"] == "entrant":
        links.append(("/me", "My films"))
    elif user["role"] == "organiser":
        links += [("/entries", "Entries"), ("/audit", "Audit log")]
    nav = "".join(f'<a href="{h}">{e(t)}</a>' for h, t in links)
    who = ""
    if user is not None:
        who = (f'<span class=who>{e(user["name"])} ({e(user["role"])}) <form method=post action="/logout" '
               f'style="display:inline"><input type=hidden name=csrf value="{e(user["csrf"])}"><button '
               f'style="margin:0;padding:2px 8px">Sign out</button></form></span>')
    msg = f'<div class="msg {e(message[0])}">{e(message[1])}</div>' if message else ""
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content='width=device-width'>"
            f"<title>{e(title)} · {e(contest['title'])}</title><style>{CSS}</style></head><body><header><b>"
            f"{e(contest['title'][:60])}</b>{nav}{who}</header><main>{msg}{body}</main></body></html>")


def rules(contest: dict) -> list[str]:
    """The contest's rules in plain words, from its profile."""
    p = contest["profile"]
    lo, hi = p["duration_s"]
    out = [f"Length: {lo:g} to {hi:g} seconds.", f"Shape: {', '.join(p['aspects'])}."]
    if p.get("ai_share"):
        out.append(f"At least {p['ai_share']['min']:.0%} of the film AI-generated, shown by its content credentials "
                   f"(C2PA) or the provenance file filmcrew writes beside it.")
    lab = p.get("labels", {})
    said = {"visible": "a visible AI label in the picture", "aigc": "the AIGC metadata tag", "c2pa": "content credentials (C2PA)"}
    need = [said[k] for k, v in lab.items() if v == "required" and k in said]
    adv = [said[k] for k, v in lab.items() if v == "advised" and k in said]
    if need:
        out.append("Required: " + ", ".join(need) + ".")
    if adv:
        out.append("Advised: " + ", ".join(adv) + ".")
    d = p.get("delivery", {})
    if d:
        out.append(f"Delivery: MP4, {d.get('video_codec', '')} {d.get('profile', '')} {d.get('pix_fmt', '')}, "
                   f"{d.get('audio_codec', '')} {d.get('audio_rate', '')} Hz, loudness {d.get('lufs', '')} LUFS.")
    out.append(f"Films up to {contest['max_bytes'] / 2**20:.0f} MB. Deadline: {when(contest['deadline'])}.")
    return out


def home(contest: dict, awards: list[dict], user: dict | None) -> str:
    items = "".join(f"<li>{e(r)}</li>" for r in rules(contest))
    aw = "".join(f"<li><b>{e(a['name'])}</b>: " + (
        "jurors score " + ", ".join(f"{e(c['name'])} ({c['weight']:g})" for c in a["categories"])
        if a["method"] == "scores" else "jurors compare films two at a time") + "</li>" for a in awards)
    cta = ('<p><a href="/register">Create an account and enter a film</a>, or <a href="/login">sign in</a>.</p>'
           if user is None else "")
    return f"<h1>{e(contest['title'])}</h1><h2>The rules</h2><ul>{items}</ul><h2>Awards</h2><ul>{aw}</ul>{cta}"


def login(csrf_free: bool = True) -> str:
    return ("<h1>Sign in</h1><form class=box method=post action='/login'><label>E-mail<input type=email name=email "
            "required autocomplete=username></label><label>Password<input type=password name=password required "
            "autocomplete=current-password></label><button>Sign in</button></form>")


def register() -> str:
    return ("<h1>Create an account</h1><form class=box method=post action='/register'><label>Name (shown with your "
            "films unless judging is blind)<input type=text name=name required maxlength=120></label><label>Country"
            "<input type=text name=country maxlength=80></label><label>E-mail<input type=email name=email required "
            "autocomplete=username></label><label>Password (10 characters or more)<input type=password name=password "
            "required minlength=10 autocomplete=new-password></label><button>Create the account</button></form>")


def state_of(check: dict | None) -> tuple[str, str]:
    """(css class, words) of an entry's latest check."""
    if check is None or check.get("state") is None:
        return "queued", "not checked yet"
    s = check["state"]
    if s == "done":
        return ("done-pass", "eligible") if check["passed"] else ("done-fail", "not eligible")
    return s, {"queued": "waiting for its check", "running": "being checked", "error": "check failed"}[s]


def entries_table(rows: list[dict], organiser: bool) -> str:
    if not rows:
        return "<p class=note>No film yet.</p>"
    head = ("<tr><th>#</th><th>Title</th>" + ("<th>Entrant</th><th>Country</th>" if organiser else "")
            + "<th>Version</th><th>Check</th><th>AI share</th><th>Sent</th></tr>")
    body = ""
    for r in rows:
        cls, words = state_of(r)
        share = f"{r['ai_share']:.0%}" if r.get("ai_share") is not None else ""
        body += (f"<tr><td>{r['id']}</td><td><a href='/entry?id={r['id']}'>{e(r['title'])}</a></td>"
                 + (f"<td>{e(r['entrant'])}</td><td>{e(r['country'])}</td>" if organiser else "")
                 + f"<td>{r['version']}</td><td><span class='state {cls}'>{e(words)}</span></td><td>{share}</td>"
                 f"<td>{when(r['submitted_at'])}</td></tr>")
    return f"<table>{head}{body}</table>"


def submit_form(contest: dict, csrf: str, entry: dict | None = None) -> str:
    """The submission form; static/upload.js sends the film in pieces (resumable) before the form is posted."""
    again = f"<input type=hidden name=entry value='{entry['id']}'>" if entry else ""
    val = (lambda k: e(entry[k]) if entry else "")
    return (f"<form class=box id=submit method=post action='/submit' data-max='{contest['max_bytes']}'>"
            f"<input type=hidden name=csrf value='{e(csrf)}'><input type=hidden name=contest value='{contest['id']}'>"
            f"{again}<input type=hidden name=upload id=upload-id><label>Title<input type=text name=title required "
            f"maxlength=200 value='{val('title')}'></label><label>Synopsis<textarea name=synopsis maxlength=5000>"
            f"{val('synopsis')}</textarea></label><label>Credits<textarea name=credits maxlength=5000>{val('credits')}"
            f"</textarea></label><label>The film (MP4)<input type=file id=film accept='video/mp4' required></label>"
            f"<label>Its provenance file (optional: NAME.provenance.json)<input type=file id=provenance "
            f"accept='application/json,.json'></label><input type=hidden name=provenance id=provenance-text>"
            f"<progress id=progress value=0 max=1 hidden></progress><div id=upload-state class=note></div>"
            f"<button id=send>{'Send the new version' if entry else 'Send the film'}</button></form>"
            f"<script src='/static/upload.js'></script>")


def entry(ent: dict, user: dict, contest: dict, csrf: str) -> str:
    ck = ent.get("check") or {}
    cls, words = state_of(ck)
    rows = ""
    for f in ck.get("findings") or []:
        rows += (f"<tr><td>{e(f['check'])}</td><td class={e(f['status'])}>{e(f['status'])}"
                 f"{'' if f['required'] else ' (advised)'}</td><td>{e(f['detail'])}</td></tr>")
    findings = f"<table><tr><th>Rule</th><th>Result</th><th>What was measured</th></tr>{rows}</table>" if rows else ""
    failed = [f for f in ck.get("findings") or [] if f["required"] and f["status"] != "pass"]
    verdict = ""
    if ck.get("state") == "done":
        verdict = ("<p class='msg good'>The film meets every rule the checker measures.</p>" if ck["passed"] else
                   f"<p class='msg bad'>{len(failed)} rule(s) not met: {e(', '.join(f['check'] for f in failed))}. "
                   f"Each is explained below; fix the film and send a new version before the deadline.</p>")
    elif ck.get("state") == "error":
        verdict = f"<p class='msg bad'>The check could not finish: {e(ck.get('error'))}</p>"
    else:
        verdict = "<p class=note id=waiting>The check runs in the background; this page reloads until it is done.</p>"
    who = "" if user["role"] == "juror" and contest["blind"] else (
        f"<p>By {e(ent['entrant'])}{', ' + e(ent['country']) if ent.get('country') else ''}</p>")
    again = (f"<h2>Send a new version</h2>{submit_form(contest, csrf, ent)}"
             if user["role"] == "entrant" and contest["deadline"] > time.time() else "")
    return (f"<h1>{e(ent['title'])} <span class='state {cls}' id=state>{e(words)}</span></h1>{who}"
            f"<video src='/film?id={ent['id']}' controls preload=metadata></video><p>{e(ent['synopsis'])}</p>"
            f"<p class=note>Version {ent['version']}, sent {when(ent['submitted_at'])}. Credits: {e(ent['credits'])}</p>"
            f"<h2>Eligibility check</h2>{verdict}{findings}{again}")


def audit(rows: list[dict]) -> str:
    import json
    body = "".join(f"<tr><td>{when(r['at'])}</td><td>{e(r.get('email') or '')}</td><td>{e(r['action'])}</td>"
                   f"<td><code>{e(json.dumps(r['detail'], ensure_ascii=False))}</code></td></tr>" for r in rows)
    return f"<h1>Audit log</h1><table><tr><th>When</th><th>Who</th><th>What</th><th>Details</th></tr>{body}</table>"
