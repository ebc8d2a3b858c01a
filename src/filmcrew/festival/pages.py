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
        links += [("/entries", "Entries"), ("/jury", "Jury"), ("/awards", "Awards"), ("/audit", "Audit log")]
    elif user["role"] == "juror":
        links.append(("/judge", "Judging"))
    nav = "".join(f'<a href="{h}">{e(t)}</a>' for h, t in links)
    who = ""
    if user is not None:
        who = (f'<span class=who><a href="/password">{e(user["name"])}</a> ({e(user["role"])}) <form method=post action="/logout" '
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


def login() -> str:
    return ("<h1>Sign in</h1><form class=box method=post action='/login'><label>E-mail<input type=email name=email "
            "required autocomplete=username></label><label>Password<input type=password name=password required "
            "autocomplete=current-password></label><button>Sign in</button></form>")


def password(csrf: str) -> str:
    return (f"<h1>Change your password</h1><form class=box method=post action='/password'>{hidden(csrf=csrf)}<label>"
            f"Current password<input type=password name=current required autocomplete=current-password></label>"
            f"<label>New password (10 characters or more)<input type=password name=new required minlength=10 "
            f"autocomplete=new-password></label><button>Change it</button><p class=note>Your other sign-ins end."
            f"</p></form>")


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


def hidden(**kw) -> str:
    return "".join(f"<input type=hidden name={k} value='{e(v)}'>" for k, v in kw.items())


def jury(jurors: list[dict], csrf: str, contest: dict, invite_link: str = "") -> str:
    rows = "".join(f"<tr><td>{e(j['name'])}</td><td>{e(j['email'])}</td><td>{'yes' if j['joined'] else 'invited'}</td>"
                   f"<td>{j['assigned']}</td><td>{j['scored']}</td><td>{j['compared']}</td></tr>" for j in jurors)
    link = (f"<p class='msg good' id=invite-link>Send this link to the juror (shown once): <code>{e(invite_link)}</code>"
            f"</p>" if invite_link else "")
    switches = "".join(
        f"<form method=post action='/contest/switch' style='display:inline-block;margin-right:10px'>"
        f"{hidden(csrf=csrf, name=k, value='0' if contest[k] else '1')}<button id=switch-{k}>{e(on if contest[k] else off)}"
        f"</button></form>" for k, off, on in (("blind", "Make judging blind", "Show entrants' names to jurors"),
                                               ("scores_open", "Let jurors see each other's marks",
                                                "Hide jurors' marks from each other")))
    return (f"<h1>Jury</h1>{link}<table><tr><th>Name</th><th>E-mail</th><th>Joined</th><th>Films</th><th>Scored</th>"
            f"<th>Comparisons</th></tr>{rows}</table><h2>Invite a juror</h2><form class=box method=post "
            f"action='/jury/invite'>{hidden(csrf=csrf)}<label>Name<input type=text name=name required></label><label>"
            f"E-mail<input type=email name=email required></label><button>Invite</button></form><h2>Assign films</h2>"
            f"<form class=box method=post action='/jury/assign'>{hidden(csrf=csrf)}<label>Jurors per eligible film"
            f"<input type=text name=per_entry value=3></label><button id=assign>Assign</button><p class=note>The least "
            f"loaded jurors first, never one with a declared conflict; films that have enough keep theirs.</p></form>"
            f"<h2>Judging</h2><p>Judging is {'blind' if contest['blind'] else 'not blind'}; jurors "
            f"{'see' if contest['scores_open'] else 'do not see'} each other's marks.</p>{switches}")


def contest_form(contest: dict, csrf: str) -> str:
    d = time.strftime("%Y-%m-%d %H:%M", time.gmtime(contest["deadline"]))
    return (f"<h2>The contest</h2><form class=box method=post action='/contest/edit'>{hidden(csrf=csrf)}<label>Name"
            f"<input type=text name=title required maxlength=200 value='{e(contest['title'])}'></label><label>Deadline "
            f"(UTC, YYYY-MM-DD HH:MM)<input type=text name=deadline required value='{e(d)}'></label><label>Largest film "
            f"(MB)<input type=text name=max_mb required value='{contest['max_bytes'] // 2**20}'></label><button>Save"
            f"</button><p class=note>The rules themselves are the profile the contest was made from "
            f"({e(contest['profile']['name'])}): every entry is checked against the same ones.</p></form>")


def awards_page(rankings: list[tuple[dict, list[dict]]], decided: dict, csrf: str, contest: dict,
                show: int | None = 50) -> str:
    """Each award's ranking (its first `show` films, and the one chosen wherever it ranks; None: all)."""
    out = "<h1>Awards</h1>"
    for aw, everyone in rankings:
        ranked = [(i, r) for i, r in enumerate(everyone)
                  if show is None or i < show or decided.get(aw["id"]) == r["entry"]]
        more = (f"<p class=note>{len(everyone) - len(ranked)} more films ranked below: <a href='/awards?all=1'>show "
                f"every film</a></p>" if len(ranked) < len(everyone) else "")
        how = "weighted mark (1-10)" if aw["method"] == "scores" else "Bradley-Terry strength"
        rows = "".join(
            f"<tr><td>{i + 1}</td><td><a href='/entry?id={r['entry']}'>{e(r['title'])}</a></td><td>{r['mark']:.2f}</td>"
            f"<td>{r['jurors']}</td><td>" + ("<b>winner</b>" if decided.get(aw["id"]) == r["entry"] else
                                            f"<form method=post action='/awards/decide'>{hidden(csrf=csrf, award=aw['id'], entry=r['entry'])}"
                                            f"<button class=decide style='margin:0'>Choose</button></form>") + "</td></tr>"
            for i, r in ranked)
        out += (f"<h2>{e(aw['name'])}</h2><table id=award-{aw['id']}><tr><th>#</th><th>Film</th><th>{how}</th>"
                f"<th>Jurors</th><th></th></tr>{rows or '<tr><td colspan=5>no marks yet</td></tr>'}</table>{more}")
    pub = ("<p class='msg good'>The results are published.</p>" if contest["published"] else
           f"<form method=post action='/contest/switch'>{hidden(csrf=csrf, name='published', value='1')}"
           f"<button id=publish>Publish the results</button></form>")
    return out + f"<h2>Results</h2>{pub}"


def judge(films: list[dict], awards: list[dict]) -> str:
    rows = "".join(f"<tr><td><a href='/entry?id={f['id']}'>{e(f['title'])}</a></td><td>{e(f['entrant'] or 'blind')}</td>"
                   f"<td>{'scored' if f['scored'] else ''}</td></tr>" for f in films)
    pairs = "".join(f"<li><a href='/judge/compare?award={a['id']}'>{e(a['name'])}: compare films two at a time</a></li>"
                    for a in awards if a["method"] == "pairwise")
    return (f"<h1>Judging</h1><table><tr><th>Film</th><th>Entrant</th><th></th></tr>"
            f"{rows or '<tr><td colspan=3>no film assigned yet</td></tr>'}</table><ul>{pairs}</ul>")


def score_forms(ent: dict, awards: list[dict], mine: dict, others: list | None, csrf: str) -> str:
    out = ""
    for aw in awards:
        if aw["method"] != "scores":
            continue
        fields = "".join(
            f"<label>{e(c['name'])} (weight {c['weight']:g})<select required name='cat:{e(c['name'])}'>"
            "<option value=''>choose a mark</option>" + "".join(f"<option{' selected' if mine.get(aw['id'], {}).get(c['name'], 0) == v else ''}>{v}</option>"
                      for v in range(1, 11)) + "</select></label>" for c in aw["categories"])
        out += (f"<h2>{e(aw['name'])}</h2><form class=box method=post action='/judge/score'>"
                f"{hidden(csrf=csrf, entry=ent['id'], award=aw['id'])}{fields}<button>Save the marks</button>"
                + (" <span class=note>saved</span>" if aw["id"] in mine else "") + "</form>")
    if others is not None:
        marks = ", ".join(f"{o['category']} {o['value']:g}" for o in others) or "none yet"
        out += f"<p class=note>Other jurors' marks: {e(marks)}</p>"
    out += (f"<h2>Conflict of interest</h2><form method=post action='/judge/conflict'>{hidden(csrf=csrf, entry=ent['id'])}"
            f"<label>Why (for the organiser)<input type=text name=reason maxlength=300></label><button>I cannot judge "
            f"this film</button></form>")
    return out


def compare(award: dict, a: dict, b: dict, csrf: str, left: int) -> str:
    def side(ent):
        return (f"<div style='flex:1'><h2>{e(ent['title'])}</h2><video src='/film?id={ent['id']}' controls "
                f"preload=metadata></video><form method=post action='/judge/compare'>"
                f"{hidden(csrf=csrf, award=award['id'], a=a['id'], b=b['id'], winner=ent['id'])}<button "
                f"class=better>This one is better</button></form></div>")
    first, second = (a, b) if left == a["id"] else (b, a)
    return (f"<h1>{e(award['name'])}</h1><p>Which film is better for this award?</p>"
            f"<div style='display:flex;gap:20px'>{side(first)}{side(second)}</div>")


def results(items: list[dict]) -> str:
    out = "<h1>Results</h1>"
    for it in items:
        ent = it["entry"]
        share = f"{it['ai_share']:.0%}" if it["ai_share"] is not None else "unknown"
        disc = "".join(f"<li><b>{e(k)}</b>: {e(v)}</li>" for k, v in it["disclosure"].items())
        out += (f"<h2>{e(it['award'])}</h2><p class=winner><b>{e(ent['title'])}</b> by {e(ent['name'])}"
                f"{', ' + e(ent['country']) if ent['country'] else ''}</p><p>{e(ent['synopsis'])}</p>"
                f"<p>AI share: <b>{share}</b> (measured by filmcrew's checker)</p><ul class=note>{disc}</ul>")
    return out


def invite(token: str) -> str:
    return (f"<h1>Join the jury</h1><form class=box method=post action='/invite'>{hidden(token=token)}<label>Choose a "
            f"password (10 characters or more)<input type=password name=password required minlength=10 "
            f"autocomplete=new-password></label><button>Join</button></form>")
