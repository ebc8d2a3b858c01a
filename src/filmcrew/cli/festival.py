"""`filmcrew festival init|serve|work`: an AI film contest (calls for entries, checks, jury, awards)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from ..errors import ConfigError


def _deadline(text: str | None) -> float | None:
    if not text:
        return None
    import calendar
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return float(calendar.timegm(time.strptime(text, fmt)) + (86399 if fmt == "%Y-%m-%d" else 0))
        except ValueError:
            continue
    raise ConfigError(f"--deadline {text!r}: write YYYY-MM-DD (the end of that day, UTC) or 'YYYY-MM-DD HH:MM' (UTC)")


def cmd_init(a) -> int:
    import json

    from ..festival.core import Festival
    awards = None
    if a.awards:
        try:
            awards = json.loads(Path(a.awards).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            raise ConfigError(f"--awards {a.awards}: {err}; give a JSON list of awards (see the README)") from None
    password = os.environ.get("FILMCREW_ORGANISER_PASSWORD", "")
    fest, password_used = Festival.init(Path(a.dir), a.profile, database=a.database, organiser=a.organiser,
                                        password=password, title=a.title or "", deadline=_deadline(a.deadline),
                                        max_mb=a.max_mb, awards=awards)
    con = fest.contest()
    fest.close()
    from ..festival.app import shared_secret
    shared_secret(Path(a.dir))  # the key every worker signs the session cookies with (0600, in the folder)
    print(f"made the festival in {Path(a.dir).resolve()}: {con['title']} (rules: {con['profile']['name']})")
    print(f"organiser: {a.organiser or 'organiser@localhost.localdomain'}; "
          + ("password from FILMCREW_ORGANISER_PASSWORD" if password else
             f"password: {password_used} (shown once: keep it, or sign in and change it on the Password page)"))
    print(f"next: filmcrew festival serve {a.dir}")
    return 0


def _checker(fest, a):
    from ..festival.checks import Checker
    executor_for = None
    if a.executor == "ray":
        from ..engine.ray_cluster import RayExecutor, connect
        connect(a.address)  # once: each batch of checks is sent on the same connection
        executor_for = (lambda spec: RayExecutor(a.address, "filmcrew.festival.checks:worker_targets", spec,
                                                 local_workers=a.check_workers if a.festival_cmd == "serve"
                                                 else a.workers))
    workers = a.check_workers if a.festival_cmd == "serve" else a.workers
    return Checker(fest, workers=workers, executor_for=executor_for,
                   log=lambda s: print(s, file=sys.stderr, flush=True))


def cmd_serve(a) -> int:
    """The festival's pages on uvicorn (one process, or `--workers N` processes sharing the socket) and its checker
    beside them (unless --no-checker: then `festival work` runs the checks)."""
    import json

    from ..festival import app as festival_app
    from ..festival import db
    from ..festival.core import Festival
    from ..web import serve
    fest = Festival(Path(a.dir), a.database)
    db.migrate(fest.url)  # an older festival's schema is brought forward before anything is served
    fest.sweep_uploads()  # uploads left unfinished for a week
    festival_app.shared_secret(fest.folder)
    public = a.public_url.rstrip("/") if a.public_url else None
    if public and not public.startswith(("https://", "http://")):
        raise ConfigError(f"--public-url {a.public_url}: write the whole address, as https://festival.example")
    app = None
    if a.workers <= 1:  # (several workers each import the app; made here it is checked before the port is taken)
        app = festival_app.create_app(festival=fest, public=public, host=a.host)
    try:
        sock = serve.listen(a.host, a.port)
    except OSError as err:
        print(f"filmcrew: error: cannot listen on {a.host}:{a.port} ({err.strerror}); choose another --port", file=sys.stderr)
        return 2
    checker = None if a.no_checker else _checker(fest, a)
    if checker:
        checker.start()
    local = a.host in ("127.0.0.1", "localhost", "::1")
    print(f"the festival is at http://{a.host}:{sock.getsockname()[1]}/"
          + (f" ({a.workers} workers)" if a.workers > 1 else "")
          + ("" if local else " (beyond this machine: put it behind HTTPS; its cookies are Secure)")
          + (f"; invitations point at {public}" if public else
             "" if local else "; give --public-url https://... for the invitation links"), flush=True)
    try:
        if app is not None:
            serve.foreground(app, a.host, a.port, proxy=a.forwarded_allow_ips, sock=sock)
        else:
            os.environ[festival_app.ENV] = str(fest.folder)  # what each worker's create_app reads
            os.environ[festival_app.OPTIONS_ENV] = json.dumps({"public": public, "host": a.host,
                                                               "database": a.database})
            serve.foreground("filmcrew.festival.app:create_app", a.host, a.port, workers=a.workers,
                             proxy=a.forwarded_allow_ips, sock=sock, factory=True)
    except KeyboardInterrupt:
        pass
    finally:
        if checker:
            checker.stop()
        sock.close()
        fest.close()
    return 0


def cmd_work(a) -> int:
    """Checks only (another process or machine that sees the festival's folder and database)."""
    from ..festival.core import Festival
    fest = Festival(Path(a.dir), a.database)
    checker = _checker(fest, a)
    print(f"checking the entries of {fest.folder} ({a.executor} executor); Ctrl-C stops", flush=True)
    try:
        while True:
            if not checker.run_once():
                if a.once:
                    break
                time.sleep(1.0)
    except KeyboardInterrupt:
        pass
    finally:
        fest.close()
    return 0


def cmd_keys(a) -> int:
    """The festival's own certificate authority, and a signing certificate for an entrant from it."""
    from ..festival.core import CONFIG
    from ..festival.people import festival_keys
    from ..provenance import credentials
    folder = Path(a.dir)
    if not (folder / CONFIG).is_file():
        raise ConfigError(f"{folder}: not a festival folder (no {CONFIG}); make it with `filmcrew festival init`")
    made = festival_keys(folder, force=a.force)
    keys = folder / "keys"
    print(f"{'made' if made else 'kept'} the festival's certificate authority: {keys / 'ca.pem'} (its key "
          f"{keys / 'ca.key'}, mode 0600); films signed by the certificates it issues are 'verified' at this "
          f"festival (its checks trust it from now on)")
    if not a.issue:
        return 0
    ca, ca_key = (keys / "ca.pem").read_bytes(), (keys / "ca.key").read_bytes()
    out = Path(a.out or ".")
    if a.request:  # their request: the key stays on their machine, only the chain is made here
        req = Path(a.request)
        if not req.is_file():
            raise ConfigError(f"{req}: no such file (the .csr `filmcrew keys request` made)")
        chain = credentials.issue_for_request(ca, ca_key, req.read_bytes(), a.issue, "festival entrant", email=a.email)
        out.mkdir(parents=True, exist_ok=True)
        (out / "signer.pem").write_bytes(chain)
        print(f"issued a C2PA signing certificate to {a.issue} for their request: {out / 'signer.pem'}; they install "
              f"it with: filmcrew keys import signer.pem")
    else:
        chain, key = credentials.issue_signer(ca, ca_key, a.issue, "festival entrant", email=a.email)
        out.mkdir(parents=True, exist_ok=True)
        (out / "signer.pem").write_bytes(chain)
        credentials._write_private(out / "signer.key", key)
        print(f"issued a C2PA signing certificate to {a.issue}: {out / 'signer.pem'}, {out / 'signer.key'} (0600); "
              f"they install it with: filmcrew keys import signer.pem signer.key")
    return 0


def register(sub) -> None:
    f = sub.add_parser("festival", help="run an AI film contest: entries, automatic checks, jury, awards")
    fs = f.add_subparsers(dest="festival_cmd", required=True)
    i = fs.add_parser("init", help="make a festival folder with its contest, from a check profile")
    i.add_argument("dir")
    i.add_argument("--profile", required=True, help="the contest's rules: iqiyi-2025, runway-aiff, ... or a JSON file")
    i.add_argument("--database", help="postgresql://USER@HOST[:PORT]/NAME (password in PGPASSWORD); default: SQLite "
                                      "in the folder")
    i.add_argument("--organiser", default="", help="the organiser's e-mail (password: FILMCREW_ORGANISER_PASSWORD, "
                                                   "else one is made and shown once)")
    i.add_argument("--title", help="the contest's name (default: the profile's)")
    i.add_argument("--deadline", help="YYYY-MM-DD or 'YYYY-MM-DD HH:MM', UTC (default: 30 days from now)")
    i.add_argument("--max-mb", type=int, default=500, help="the largest film taken, in MB (default 500)")
    i.add_argument("--awards", help="a JSON list of awards: name, method (scores or pairwise), categories with weights")
    i.set_defaults(fn=cmd_init)
    k = fs.add_parser("keys", help="the festival's own certificate authority (films signed under it are verified); "
                                   "--issue gives an entrant a signing certificate")
    k.add_argument("dir")
    k.add_argument("--issue", metavar="NAME", help="issue a C2PA signing certificate to this person")
    k.add_argument("--email", help="their e-mail, written in the certificate")
    k.add_argument("--request", metavar="CSR", help="with --issue: their certificate request (`filmcrew keys request`), "
                                                    "so their private key is never made nor held here")
    k.add_argument("--out", help="where to write signer.pem and signer.key (default: here)")
    k.add_argument("--force", action="store_true", help="make a new authority (films signed under the old one are "
                                                        "then declared, no longer verified)")
    k.set_defaults(fn=cmd_keys)
    for name, fn, what in (("serve", cmd_serve, "serve the festival's pages and run its checks"),
                           ("work", cmd_work, "run checks only (another process or machine)")):
        s = fs.add_parser(name, help=what)
        s.add_argument("dir")
        s.add_argument("--database", help="override festival.toml's database")
        s.add_argument("--executor", choices=("local", "ray"), default="local",
                       help="where checks run: a local pool, or a Ray cluster (pip install 'filmcrew[ray]')")
        s.add_argument("--address", help="the Ray cluster (auto, HOST:6379, ray://HOST:10001)")
        if name == "serve":
            s.add_argument("--check-workers", type=int, default=2, help="checks at a time on this machine (default 2)")
            s.add_argument("--port", type=int, default=8780)
            s.add_argument("--host", default="127.0.0.1", help="listen on this address (beyond this machine: behind HTTPS)")
            s.add_argument("--workers", type=int, default=1,
                           help="web worker processes (uvicorn's; default 1); the checker stays in this one")
            s.add_argument("--public-url", help="the address people reach it at, behind HTTPS "
                                                "(https://festival.example): the invitation links name it")
            s.add_argument("--forwarded-allow-ips", metavar="IPS",
                           help="the HTTPS proxy's addresses whose X-Forwarded-For/-Proto are believed (uvicorn's "
                                "proxy headers), e.g. 127.0.0.1")
            s.add_argument("--no-checker", action="store_true", help="serve only; checks run in `festival work`")
        else:
            s.add_argument("--workers", type=int, default=2, help="checks at a time on this machine (default 2)")
            s.add_argument("--once", action="store_true", help="stop when nothing is queued")
        s.set_defaults(fn=fn)
