"""The festival's web pages: an ASGI app on the web kit (web/kit.py), so it runs under uvicorn, one process or many.

    filmcrew festival serve DIR                                   # one command: SQLite, the checker beside it
    FILMCREW_FESTIVAL=DIR uvicorn --factory filmcrew.festival.app:create_app --workers 4

`create_app(folder)` reads the festival folder from its argument or, when none is given, from the
FILMCREW_FESTIVAL environment variable (read here and nowhere else: it is how `uvicorn --factory` and gunicorn's
uvicorn workers say which festival to serve). Everything every worker must share is in the folder or its
database, never in a process: the accounts, their sessions and form tokens (the database), and the key that
signs the session cookie (`session.key` in the folder, 0600, made at `festival init` or at the first start).
The public address (`public_url` in festival.toml, or `--public-url`) is where the invitation link points and
the only Host accepted besides loopback; it never comes from a request's Host header.

Routes are thin: typed parameters (a list where a string belongs, an id past 2**62, a missing field are a 400
naming the field before the route runs), the role checked by a dependency before any field reaches the
festival's functions (core.py, jury.py, films.py: the same ones the tests and the command line call, which
check the role again), and every change carries the form token (signed in: the session's own from the
database; signed out, for sign-in, register and the invitation: the kit's, kept in the signed cookie).
"""

from __future__ import annotations

import calendar
import json
import os
import secrets
import time
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from ..errors import ConfigError
from ..web import kit
from ..web.guard import is_loopback
from ..web.kit import BIG_INT, Face, Refused, file_response
from . import db
from .accounts import ROLES, Refusal
from .core import CONFIG, Festival
from .jury import Jury, _spread
from .mail import MailError
from .people import People
from .phases import SAID as PHASE_SAID
from .phases import Phases

HERE = Path(__file__).parent
ENV = "FILMCREW_FESTIVAL"  # the festival folder, for `uvicorn --factory` (read in create_app only)
OPTIONS_ENV = "FILMCREW_FESTIVAL_OPTIONS"  # `festival serve --workers N` hands its options to its workers (JSON)
SECRET_FILE = "session.key"
MAX_FORM = 4 * 1024 * 1024  # the submission form (the provenance file travels in it, up to 2 MB)
MAX_PIECE = 16 * 1024 * 1024  # one piece of a film
PER_PAGE = 200  # entries a page
HOME = {"entrant": "/me", "organiser": "/entries", "juror": "/judge"}

Id = Annotated[int, Query(ge=0, le=BIG_INT)]
FormId = Annotated[int, Form(ge=0, le=BIG_INT)]
Text = Annotated[str, Form(max_length=1000)]
Password = Annotated[str, Form(max_length=1024)]
Email = Annotated[str, Form(max_length=320)]


# ---- what every worker shares ---------------------------------------------------------------------------------

def shared_secret(folder: Path) -> str:
    """The key that signs the festival's session cookies, kept in the festival folder (0600) so that every worker
    and every restart accepts the same cookies; made once (two workers starting together make one between them:
    the file appears whole, by a hard link, or not at all)."""
    path = Path(folder) / SECRET_FILE
    if not path.exists():
        tmp = path.with_name(f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < 32:
        raise ConfigError(f"{path}: not a session key (delete it: a new one is made at the next start, and everyone "
                          f"signs in again)")
    return key


def _migrated(fest: Festival) -> None:
    """Bring an older festival's database to the newest schema once, whichever worker starts first."""
    import fcntl
    with open(fest.folder / ".migrate.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            db.migrate(fest.url)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _public_from_config(folder: Path) -> str | None:
    import tomllib
    try:
        conf = tomllib.loads((folder / CONFIG).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    value = conf.get("public_url")
    return value if isinstance(value, str) and value else None


def create_app(folder: str | Path | None = None, *, public: str | None = None, host: str = "127.0.0.1",
               database: str | None = None, migrate: bool = True, festival: Festival | None = None):
    """The festival's ASGI app. `folder`: the festival folder (default: FILMCREW_FESTIVAL); `public`: the
    address it is reached at beyond this machine, behind HTTPS (https://festival.example; default: festival.toml's
    `public_url`); `host`: the address it is served on; `database`: overrides festival.toml's; `festival`: an
    open Festival to serve (the tests and the benchmark), else one is opened."""
    if folder is None and festival is None:
        folder = os.environ.get(ENV)
        options = json.loads(os.environ.get(OPTIONS_ENV) or "{}")
        public = public or options.get("public")
        host = options.get("host", host)
        database = database or options.get("database")
        if not folder:
            raise ConfigError(f"which festival? create_app(folder) or {ENV}=DIR (the folder `filmcrew festival "
                              f"init` made)")
    fest = festival or Festival(Path(folder), database)
    if migrate and festival is None:
        _migrated(fest)
    public = (public or _public_from_config(fest.folder) or "").rstrip("/") or None
    if public is not None and not public.startswith(("https://", "http://")):
        raise ConfigError(f"public address {public!r}: write it whole, as https://festival.example")
    face = Face("festival", "Festival", templates=HERE / "templates", static=HERE / "static", bound=host,
                public=public, secret=shared_secret(fest.folder), form_token=_form_token, page_context=_page_context,
                json_paths=("/upload",))
    face.templates_env.env.filters.update(when=when, pct=lambda x: f"{x:.0%}", g=lambda x: f"{x:g}")
    face.templates_env.env.globals.update(share_of=share_of)
    face.templates_env.env.globals.update(rules=rules, state_of=state_of, phase_said=PHASE_SAID)
    app = kit.create_app(face)
    app.state.festival = fest
    app.include_router(router)
    return app


# ---- each request -------------------------------------------------------------------------------------------

def _fest(request: Request) -> Festival:
    return request.app.state.festival


def _face(request: Request) -> Face:
    return request.app.state.face


def who(request: Request) -> dict | None:
    """The signed-in person ({id, email, name, role, csrf}) or None; asked of the database once a request."""
    state = request.state
    if not hasattr(state, "who"):
        token = request.session.get("token") if "session" in request.scope else None
        state.who = _fest(request).session(token) if isinstance(token, str) else None
    return state.who


def _contest(request: Request) -> dict:
    state = request.state
    if not hasattr(state, "contest"):
        state.contest = _fest(request).contest()
    return state.contest


def _form_token(request: Request) -> str | None:
    user = who(request)
    return user["csrf"] if user else None


def _page_context(request: Request) -> dict:
    return {"user": who(request), "contest": _contest(request)}


def role(*roles: str):
    """A dependency: the signed-in person when they play one of `roles` (401 signed out, 403 another role),
    checked before any field of the request is read."""
    def need(request: Request) -> dict:
        user = who(request)
        if user is None:
            raise Refusal(401, "sign in first")
        if user["role"] not in roles:
            raise Refusal(403, f"this is for the {' or '.join(roles)}")
        return user
    return need


Organiser = Annotated[dict, Depends(role("organiser"))]
Entrant = Annotated[dict, Depends(role("entrant"))]
Juror = Annotated[dict, Depends(role("juror"))]
Anyone = Annotated[dict, Depends(role(*ROLES))]


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def changes(request: Request) -> None:
    """Every change: the kit's checks (the form token, the body's size), and a form sent as a form (a JSON body to a
    page's form is refused, not read as a form with every field left at its default)."""
    await _face(request).changes(request)
    ctype = request.headers.get("content-type", "")
    if request.method == "POST" and request.url.path != "/upload" and not ctype.startswith(FORM_TYPES):
        raise Refused(415, "send this form as the page does (application/x-www-form-urlencoded)")


Changes = [Depends(changes)]


def _ip(request: Request) -> str:
    return request.client.host if request.client else ""


def _signed_in(request: Request, token: str) -> None:
    """A new session at each sign-in (no session fixation): the old one ends, the cookie starts afresh."""
    old = request.session.get("token")
    if isinstance(old, str):
        _fest(request).logout(old)
    request.session.clear()
    request.session["token"] = token
    if hasattr(request.state, "who"):
        del request.state.who


def page(request: Request, template: str, status: int = 200, headers: dict | None = None, **context):
    return _face(request).render(request, template, status, headers, **context)


def redirect(request: Request, to: str, said: str | None = None, kind: str = "good"):
    return _face(request).redirect(request, to, said=said, kind=kind)


# ---- words --------------------------------------------------------------------------------------------------

def when(t: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(t)) if t else ""


def rules(contest: dict) -> list[str]:
    """The contest's rules in plain words, from its profile."""
    p = contest["profile"]
    lo, hi = p["duration_s"]
    out = [f"Length: {lo:g} to {hi:g} seconds.", f"Shape: {', '.join(p['aspects'])}."]
    if p.get("ai_share"):
        out.append(f"At least {p['ai_share']['min']:.0%} of the film AI-generated, shown by its content credentials "
                   f"(C2PA) or the provenance file filmcrew writes beside it.")
    lab = p.get("labels", {})
    said = {"visible": "a visible AI label in the picture", "aigc": "the AIGC metadata tag",
            "c2pa": "content credentials (C2PA)"}
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


def share_of(ai_share, evidence) -> str:
    """The AI share with the word for what stands behind it: "92% (verified)", "99% (declared)", "none"."""
    if ai_share is None:
        return "unknown (no evidence)" if evidence == "none" else "unknown"
    return f"{ai_share:.0%} ({evidence or 'declared'})"


def state_of(check: dict | None) -> tuple[str, str]:
    """(css class, words) of an entry's latest check."""
    if check is None or check.get("state") is None:
        return "queued", "not checked yet"
    s = check["state"]
    if s == "done":
        return ("done-pass", "eligible") if check["passed"] else ("done-fail", "not eligible")
    return s, {"queued": "waiting for its check", "running": "being checked", "error": "check failed"}[s]


# ---- the routes -------------------------------------------------------------------------------------------------

router = APIRouter()


@router.get("/")
def home(request: Request):
    return page(request, "home.html", awards=_fest(request).awards(_contest(request)["id"]))


@router.get("/login")
def login_page(request: Request):
    return page(request, "login.html")


@router.post("/login", dependencies=Changes)
def login(request: Request, email: Email, password: Password):
    try:
        token, user = _fest(request).login(email, password, _ip(request))
    except Refusal as r:
        if r.status != 401:
            raise
        return page(request, "login.html", 401, said=r.why)
    _signed_in(request, token)
    return redirect(request, HOME[user["role"]])


@router.post("/logout", dependencies=Changes)
def logout(request: Request):
    token = request.session.get("token")
    if isinstance(token, str):
        _fest(request).logout(token)
    request.session.clear()
    return redirect(request, "/")


@router.get("/password")
def password_page(request: Request, user: Anyone):
    return page(request, "password.html")


@router.post("/password", dependencies=Changes)
def password(request: Request, user: Anyone, current: Password, new: Password):
    _fest(request).change_password(user, current, new, request.session.get("token"))
    return redirect(request, "/password", said="password changed; your other sign-ins ended")


@router.get("/register")
def register_page(request: Request):
    return page(request, "register.html")


@router.post("/register", dependencies=Changes)
def register(request: Request, email: Email, name: Annotated[str, Form(max_length=200)], password: Password,
             country: Annotated[str, Form(max_length=200)] = ""):
    fest = _fest(request)
    try:
        fest.register(email, name, password, country, _ip(request))
    except Refusal as r:
        if r.status not in (400, 409):
            raise
        return page(request, "register.html", r.status, said=r.why)
    token, _ = fest.login(email, password, _ip(request))
    _signed_in(request, token)
    return redirect(request, "/me")


@router.get("/me")
def mine(request: Request, user: Entrant):
    con = _contest(request)
    return page(request, "me.html", rows=_fest(request).my_entries(user, con["id"]), open=con["entries_open"],
                keys=(_fest(request).folder / "keys" / "ca.pem").is_file())


@router.get("/entry")
def entry(request: Request, id: Id = 0):  # noqa: A002 - the address's own name
    fest, user, con = _fest(request), who(request), _contest(request)
    ent = fest.entry(user, id)
    check = {"state": None, "passed": None, "findings": None, "error": None, **(ent.get("check") or {})}
    context = {"ent": ent, "check": check, "failed": [f for f in check.get("findings") or []
                                                      if f["required"] and f["status"] != "pass"],
               "again": user["role"] == "entrant" and (con["entries_open"] or bool(ent["reopened"])),
               "blind": user["role"] == "juror" and con["blind"], "scoring": None, "flags": [], "comments": [],
               "set_aside": 0}
    if user["role"] == "organiser":
        context["flags"] = Phases(fest).copy_flags(con["id"], ent["id"]).get(ent["id"], [])
        context["comments"] = Jury(fest).comments(user, ent["id"])
        context["set_aside"] = fest.set_aside(ent["id"])
    if user["role"] == "juror":
        jury = Jury(fest)
        others = jury.others_scores(user, ent["id"])
        mine = jury.comments(user, ent["id"])
        context["scoring"] = {"awards": [a for a in fest.awards(con["id"]) if a["method"] == "scores"],
                              "mine": jury.my_scores(user, ent["id"]), "comment": mine[0]["text"] if mine else "",
                              "open": con["phase"] == "judging",
                              "others": None if others is None else
                              (", ".join(f"{o['category']} {o['value']:g}" for o in others) or "none yet")}
    pending = check.get("state") in ("queued", "running", None)
    return page(request, "entry.html", headers={"Refresh": "3"} if pending else None, **context)


@router.get("/film")
def film(request: Request, id: Id = 0):  # noqa: A002
    fest = _fest(request)
    ent = fest.entry(who(request), id)
    return file_response(request, fest.film_path(ent["film_sha"]), "video/mp4",
                         {"Cache-Control": "private, max-age=3600"})


@router.get("/entries")
def entries(request: Request, user: Organiser, page_: Annotated[int, Query(alias="page", ge=1, le=BIG_INT)] = 1):
    fest, cid = _fest(request), _contest(request)["id"]
    rows = fest.all_entries(user, cid)
    flags = Phases(fest).copy_flags(cid)
    for r in rows:
        r["flags"] = flags.get(r["id"], [])
    last = max(1, -(-len(rows) // PER_PAGE))
    return page(request, "entries.html", total=len(rows), done=sum(1 for r in rows if r["state"] == "done"),
                ok=sum(1 for r in rows if r["passed"]), at=page_, last=last,
                flagged=sum(1 for r in rows if r["flags"]),
                rows=rows[(page_ - 1) * PER_PAGE:page_ * PER_PAGE])


# ---- the organiser --------------------------------------------------------------------------------------------

def invitation_link(request: Request, token: str, where: str = "/invite") -> str:
    """Where the invitation (or a reset link) points: the configured public address, else the address this server
    listens on (never the request's Host header: a link sent by e-mail must not name whatever host a request
    claimed)."""
    import urllib.parse
    path = f"{where}?token={urllib.parse.quote(token)}"
    face = _face(request)
    if face.public:
        return face.public + path
    host, port = (request.scope.get("server") or (face.bound, None))[:2]
    if host in ("0.0.0.0", "::", "") or not (is_loopback(host) or host == face.bound):
        return path  # (served on every address with no --public-url: the organiser adds the host)
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}{'' if port in (None, 80) else f':{port}'}{path}"


@router.get("/jury")
def jury_page(request: Request, user: Organiser):
    token = request.session.pop("invited", None)  # the invitation travels once, in the signed cookie, to this organiser
    reset = request.session.pop("reset_link", None)
    return page(request, "jury.html", jurors=Jury(_fest(request)).jurors(user),
                link=invitation_link(request, token) if isinstance(token, str) else "",
                reset=invitation_link(request, reset, "/reset") if isinstance(reset, str) else "",
                mail=_fest(request).mailer is not None,
                deadline=time.strftime("%Y-%m-%d %H:%M", time.gmtime(_contest(request)["deadline"])))


@router.post("/contest/edit", dependencies=Changes)
def contest_edit(request: Request, user: Organiser, title: Annotated[str, Form(max_length=200)],
                 deadline: Annotated[str, Form(max_length=40)], max_mb: Annotated[int, Form(ge=1, le=100_000)]):
    try:
        at = float(calendar.timegm(time.strptime(deadline.strip(), "%Y-%m-%d %H:%M")))
    except ValueError:
        raise Refused(400, "deadline: YYYY-MM-DD HH:MM (UTC)") from None
    _fest(request).edit_contest(user, _contest(request)["id"], title, at, max_mb)
    return redirect(request, "/jury", said="the contest is saved")


def _send_invitation(request: Request, token: str, email: str, name: str):
    """By e-mail when the festival has SMTP set up; else (or when the mail fails) the link, shown once."""
    fest = _fest(request)
    if fest.mailer is not None:
        link = invitation_link(request, token)
        try:
            People(fest).mail(email, name, f"Join the jury of {_contest(request)['title']}",
                              f"Hello {name},\n\nyou are invited to the jury of {_contest(request)['title']}. "
                              f"Choose your password here (the link works once; a newer invitation replaces "
                              f"it):\n\n{link}\n")
            return redirect(request, "/jury", said=f"the invitation is sent to {email}")
        except MailError as err:
            request.session["invited"] = token
            return redirect(request, "/jury", said=str(err), kind="bad")
    request.session["invited"] = token
    return redirect(request, "/jury")


@router.post("/jury/invite", dependencies=Changes)
def jury_invite(request: Request, user: Organiser, email: Email, name: Annotated[str, Form(max_length=200)]):
    token = Jury(_fest(request)).invite(user, email, name)
    return _send_invitation(request, token, email.strip().lower(), name.strip())


@router.post("/jury/reinvite", dependencies=Changes)
def jury_reinvite(request: Request, user: Organiser, juror: FormId):
    token, email, name = Jury(_fest(request)).reinvite(user, juror)
    return _send_invitation(request, token, email, name)


@router.post("/jury/reset-link", dependencies=Changes)
def jury_reset_link(request: Request, user: Organiser, email: Email):
    request.session["reset_link"] = People(_fest(request)).reset_link_for(user, email)
    return redirect(request, "/jury")


@router.post("/contest/phase", dependencies=Changes)
def contest_phase(request: Request, user: Organiser,
                  to: Annotated[Literal["judging", "decided", "published"], Form()]):
    Phases(_fest(request)).move(user, _contest(request)["id"], to)
    return redirect(request, "/awards" if to != "judging" else "/jury", said=f"the contest is {PHASE_SAID[to]}")


@router.post("/entry/reopen", dependencies=Changes)
def entry_reopen(request: Request, user: Organiser, entry: FormId, reason: Annotated[str, Form(max_length=300)]):
    Phases(_fest(request)).reopen(user, entry, reason)
    return redirect(request, f"/entry?id={entry}", said="reopened: its entrant may send one new version; its marks "
                                                         "are set aside")


@router.post("/entry/ruling", dependencies=Changes)
def entry_ruling(request: Request, user: Organiser, entry: FormId,
                 ruling: Annotated[Literal["kept", "disqualified", "none"], Form()],
                 note: Annotated[str, Form(max_length=300)] = ""):
    Phases(_fest(request)).rule(user, entry, ruling, note)
    return redirect(request, f"/entry?id={entry}", said=f"ruling: {ruling}")


@router.post("/jury/assign", dependencies=Changes)
def jury_assign(request: Request, user: Organiser, per_entry: Annotated[int, Form(ge=1, le=1000)] = 3):
    got = Jury(_fest(request)).assign(user, _contest(request)["id"], per_entry)
    said = f"{got['assigned']} new assignment(s)" + (
        f"; {len(got['short'])} film(s) could not get enough jurors (invite more)" if got["short"] else "")
    return redirect(request, "/jury", said=said)


@router.post("/contest/switch", dependencies=Changes)
def contest_switch(request: Request, user: Organiser,
                   name: Annotated[Literal["blind", "scores_open"], Form()],
                   value: Annotated[Literal["0", "1"], Form()]):
    Jury(_fest(request)).set_contest(user, _contest(request)["id"], **{name: value == "1"})
    return redirect(request, "/jury", said="saved")


@router.get("/awards")
def awards(request: Request, user: Organiser, all: bool = False):  # noqa: A002
    fest, cid = _fest(request), _contest(request)["id"]
    jury = Jury(fest)
    decided = jury.decisions(cid)
    shown = []
    for aw in fest.awards(cid):
        everyone = jury.ranking(user, aw["id"])
        ranked = [(i, r) for i, r in enumerate(everyone) if all or i < 50 or decided.get(aw["id"]) == r["entry"]]
        shown.append({"award": aw, "ranked": ranked, "more": len(everyone) - len(ranked),
                      "tied_top": sum(1 for r in everyone if r["rank"] == 1) > 1})
    return page(request, "awards.html", shown=shown, decided=decided)


@router.post("/awards/decide", dependencies=Changes)
def awards_decide(request: Request, user: Organiser, award: FormId, entry: FormId):
    Jury(_fest(request)).decide(user, award, entry)
    return redirect(request, "/awards", said="winner chosen")


@router.get("/audit")
def audit(request: Request, user: Organiser):
    rows = _fest(request).audit_log(user)
    for r in rows:
        r["said"] = json.dumps(r["detail"], ensure_ascii=False)
    return page(request, "audit.html", rows=rows)


# ---- jurors -----------------------------------------------------------------------------------------------------

@router.get("/invite")
def invite_page(request: Request, token: Annotated[str, Query(max_length=200)] = ""):
    if token:  # the link's token leaves the address (and the history) at once: it waits in the signed cookie
        request.session["invite"] = token
        return redirect(request, "/invite")
    held = request.session.get("invite")
    held = held if isinstance(held, str) else ""
    return page(request, "invite.html", token=held, juror=Jury(_fest(request)).invited(held) if held else None)


@router.post("/invite", dependencies=Changes)
def invite(request: Request, password: Password, token: Annotated[str, Form(max_length=200)] = ""):
    fest = _fest(request)
    if not token:
        held = request.session.get("invite")
        token = held if isinstance(held, str) else ""
    email = Jury(fest).accept(token, password)
    request.session.pop("invite", None)
    session, _ = fest.login(email, password, _ip(request))
    _signed_in(request, session)
    return redirect(request, "/judge")


@router.get("/judge")
def judge(request: Request, user: Juror):
    cid = _contest(request)["id"]
    return page(request, "judge.html", films=Jury(_fest(request)).assigned(user, cid),
                pairwise=[a for a in _fest(request).awards(cid) if a["method"] == "pairwise"])


async def marks(request: Request) -> dict[str, float]:
    """The marks of a scores form: a field `cat:NAME` a category, its value a number."""
    form = await request.form()
    out = {}
    for k, v in form.multi_items():
        if not k.startswith("cat:"):
            continue
        if not isinstance(v, str) or len(k) > 204 or len(v) > 10 or len(out) > 50:
            raise Refused(400, "a mark from 1 to 10 for each category")
        try:
            out[k[4:]] = float(v)
        except ValueError:
            raise Refused(400, "a mark from 1 to 10 for each category") from None
    return out


@router.post("/judge/score", dependencies=Changes)
def judge_score(request: Request, user: Juror, entry: FormId, award: FormId,
                given: Annotated[dict, Depends(marks)]):
    Jury(_fest(request)).score(user, entry, award, given)
    return redirect(request, f"/entry?id={entry}", said="marks saved")


@router.post("/judge/conflict", dependencies=Changes)
def judge_conflict(request: Request, user: Juror, entry: FormId,
                   reason: Annotated[str, Form(max_length=300)] = ""):
    Jury(_fest(request)).declare_conflict(user, user["id"], entry_id=entry, reason=reason)
    return redirect(request, "/judge", said="conflict declared: that film is no longer yours to judge")


@router.get("/judge/compare")
def compare_page(request: Request, user: Juror, award: Id = 0):
    fest = _fest(request)
    jury = Jury(fest)
    aw = jury.award(award)
    pair = jury.next_pair(user, aw["id"])
    if pair is None:
        return page(request, "compare.html", award=aw, sides=None)
    a, b = (fest.entry(user, i) for i in pair)
    left = pair[_spread(user["id"], pair[0] + pair[1]) % 2]  # which side is which: not always the older
    return page(request, "compare.html", award=aw, a=a, b=b, sides=(a, b) if left == a["id"] else (b, a))


@router.post("/judge/compare", dependencies=Changes)
def compare(request: Request, user: Juror, award: FormId, a: FormId, b: FormId,
            winner: Annotated[str, Form(max_length=24)]):
    """`winner`: the better film's id, or "equal" (about equal: stored as no winner)."""
    if winner == "equal":
        better = None
    elif winner.isdigit() and int(winner) <= BIG_INT:
        better = int(winner)
    else:
        raise Refused(400, "winner: the better film's number, or equal")
    Jury(_fest(request)).compare(user, award, a, b, better)
    return redirect(request, f"/judge/compare?award={award}")


@router.post("/judge/comment", dependencies=Changes)
def judge_comment(request: Request, user: Juror, entry: FormId, text: Annotated[str, Form(max_length=2000)]):
    Jury(_fest(request)).comment(user, entry, text)
    return redirect(request, f"/entry?id={entry}", said="comment saved" if text.strip() else "comment removed")


@router.post("/certificate", dependencies=Changes)
def certificate(request: Request, user: Entrant, csr: Annotated[str, Form(max_length=8000)] = ""):
    """The entrant's certificate request (`filmcrew keys request FILE.csr`, pasted) in, the chain issued for it out."""
    from fastapi.responses import Response
    if not csr.strip():
        raise Refused(400, "csr: paste the certificate request `filmcrew keys request festival.csr` made on your "
                           "machine (the text from -----BEGIN CERTIFICATE REQUEST----- to its END line)")
    pem = People(_fest(request)).certificate(user, csr.encode("utf-8", "replace"))
    return Response(pem, media_type="application/x-pem-file", headers={
        "Content-Disposition": 'attachment; filename="festival-signer.pem"', "Cache-Control": "no-store"})


# ---- a forgotten password -------------------------------------------------------------------------------------

@router.get("/forgot")
def forgot_page(request: Request):
    return page(request, "forgot.html", mail=_fest(request).mailer is not None)


@router.post("/forgot", dependencies=Changes)
def forgot(request: Request, email: Email):
    fest = _fest(request)
    base = invitation_link(request, "x", "/").split("/?token=")[0]
    try:
        People(fest).ask_reset(email, base, _ip(request))
    except MailError:
        pass  # (the same answer as for an address with no account: nothing said about which)
    return redirect(request, "/login", said="if that address has an account, a link to choose a new password is on "
                                            "its way (it works once, for an hour)")


@router.get("/reset")
def reset_page(request: Request, token: Annotated[str, Query(max_length=200)] = ""):
    if token:  # (out of the address at once, as the invitation's)
        request.session["reset"] = token
        return redirect(request, "/reset")
    held = request.session.get("reset")
    held = held if isinstance(held, str) else ""
    return page(request, "reset.html", email=People(_fest(request)).reset_email(held) if held else None)


@router.post("/reset", dependencies=Changes)
def reset(request: Request, password: Password):
    fest = _fest(request)
    held = request.session.get("reset")
    email = People(fest).reset(held if isinstance(held, str) else "", password)
    request.session.pop("reset", None)
    session, _ = fest.login(email, password, _ip(request))
    _signed_in(request, session)
    return redirect(request, "/", said="your new password is set; your other sign-ins ended")


# ---- everyone -----------------------------------------------------------------------------------------------

@router.get("/results")
def results(request: Request):
    items = Jury(_fest(request)).results(_contest(request)["id"])
    if items is None:
        raise Refusal(404, "the results are not published yet")
    return page(request, "results.html", items=items)


# ---- a film in pieces -----------------------------------------------------------------------------------------

class NewUpload(BaseModel):
    model_config = ConfigDict(extra="ignore")
    size: Annotated[int, Field(strict=True, ge=1, le=BIG_INT)]
    contest: Annotated[int | None, Field(strict=True, ge=0, le=BIG_INT)] = None


def _upload_json(row: dict, status: int = 200):
    return JSONResponse({"id": row["id"], "received": row["received"], "size": row["size"], "sha": row["sha"]},
                        status_code=status)


@router.post("/upload", dependencies=Changes)
def upload_start(request: Request, user: Entrant, new: Annotated[NewUpload, Body()]):
    fest = _fest(request)
    uid = fest.start_upload(user, new.contest if new.contest is not None else _contest(request)["id"], new.size)
    return _upload_json({"id": uid, "received": 0, "size": new.size, "sha": None}, 201)


@router.get("/upload")
def upload_state(request: Request, user: Entrant, id: Annotated[str, Query(max_length=64)] = ""):  # noqa: A002
    return _upload_json(_fest(request).upload(user, id))


class _Piece:
    """The request's body as the file-like object Festival.put_piece reads (on a worker thread): each read waits
    for the framework's next chunk; a client that goes away ends the piece (what arrived is kept)."""

    def __init__(self, request: Request):
        self.chunks = request.stream().__aiter__()
        self.buffer = b""
        self.done = False

    def read(self, n: int) -> bytes:
        from anyio import from_thread
        from starlette.requests import ClientDisconnect
        while len(self.buffer) < n and not self.done:
            try:
                self.buffer += from_thread.run(self.chunks.__anext__)
            except (StopAsyncIteration, ClientDisconnect):
                self.done = True
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out


@router.put("/upload", dependencies=Changes, max_body_size=MAX_PIECE)
async def upload_piece(request: Request, user: Entrant, id: Annotated[str, Query(max_length=64)],  # noqa: A002
                       offset: Annotated[int, Query(ge=0, le=BIG_INT)]):
    fest = _fest(request)
    length = request.headers.get("content-length", "")
    if not length.isdigit():
        raise Refusal(411, "send each piece with its Content-Length")
    try:
        row = await run_in_threadpool(fest.put_piece, user, id, offset, _Piece(request), int(length))
    except Refusal as r:
        if r.status == 409:  # where to go on from
            r.received = (await run_in_threadpool(fest.upload, user, id))["received"]
        raise
    return _upload_json(row)


@router.post("/submit", dependencies=Changes, max_body_size=MAX_FORM)
def submit(request: Request, user: Entrant, upload: Annotated[str, Form(max_length=64)],
           title: Annotated[str, Form(max_length=200)], synopsis: Annotated[str, Form(max_length=5000)] = "",
           credits: Annotated[str, Form(max_length=5000)] = "",
           provenance: Annotated[str, Form(max_length=3 * 2**20)] = "",
           contest: Annotated[int | None, Form(ge=0, le=BIG_INT)] = None,
           entry: Annotated[int | None, Form(ge=0, le=BIG_INT)] = None):
    eid = _fest(request).submit(user, contest if contest is not None else _contest(request)["id"], upload, title,
                                synopsis, credits, provenance.encode("utf-8") if provenance.strip() else None, entry)
    return redirect(request, f"/entry?id={eid}")


__all__ = ["create_app", "shared_secret", "ENV"]
