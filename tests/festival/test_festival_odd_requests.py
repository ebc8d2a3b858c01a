"""The festival's pages asked what no page of theirs sends (issue 30): every route with wrong types, huge numbers,
missing fields, signed out, in the wrong role, without the form token, from `Origin: null`, another site or
another Host, with an oversized body, and with an internal fault planted in the festival's functions. Every one
is answered (a 4xx saying why, or the 500 page with an incident id for the planted fault), and none changes
anything: every table of the database and every file of the festival folder are compared before and after.

Also: the requests that made the old server drop its connection, a body that never arrives (over a real socket:
408, not a hang), the app factory read from FILMCREW_FESTIVAL, two app instances (two workers) taking each
other's cookies and form tokens, and the invitation link's host from the configured public address."""

from __future__ import annotations

import os
import re
import socket
import stat
import time
import urllib.parse

import pytest

pytest.importorskip("sqlalchemy", reason="the festival needs its extra: pip install 'filmcrew[festival]'")

from fastapi.testclient import TestClient  # noqa: E402
from festival_helpers import PASSWORD, entrant, make_festival, send, synth  # noqa: E402

from filmcrew.festival.app import SECRET_FILE, create_app  # noqa: E402
from filmcrew.festival.checks import Checker  # noqa: E402
from filmcrew.festival.core import Festival  # noqa: E402
from filmcrew.festival.jury import Jury  # noqa: E402
from filmcrew.festival.people import People  # noqa: E402
from filmcrew.festival.phases import Phases  # noqa: E402

HUGE = "99999999999999999999999"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Person:
    """One browser: its cookies and the form token its pages carry."""

    def __init__(self, app, email: str | None = None, password: str = PASSWORD, base: str = "http://127.0.0.1"):
        self.http = TestClient(app, base_url=base, raise_server_exceptions=False)
        self.csrf = self.token()
        if email:
            r = self.post("/login", {"email": email, "password": password})
            assert r.status_code == 303, r.text
            self.csrf = self.token()

    def token(self) -> str:
        page = self.http.get("/login").text
        return re.search(r'name="csrf" value="([^"]+)"', page).group(1)

    def post(self, path, fields=None, *, token=True, headers=None, json=None, content=None, method="POST"):
        extra = {**(headers or {})}
        if json is not None:
            if token:
                extra["X-CSRF"] = self.csrf
            return self.http.request(method, path, json=json, headers=extra, follow_redirects=False)
        if content is None:
            content = urllib.parse.urlencode({**(fields or {}), **({"csrf": self.csrf} if token else {})}, doseq=True)
            extra = {**FORM, **extra}
        elif token:
            extra["X-CSRF"] = self.csrf
        return self.http.request(method, path, content=content, headers=extra, follow_redirects=False)

    def get(self, path, headers=None):
        return self.http.get(path, headers=headers or {}, follow_redirects=False)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A festival with an organiser, an entrant with an eligible entry (and a second one's), a juror assigned to
    both, an upload under way: every route has something real to refuse."""
    folder = tmp_path_factory.mktemp("odd") / "fest"
    fest = make_festival(folder, max_mb=8)
    film = synth(tmp_path_factory.mktemp("films") / "plain.mp4", seconds=2, size=(180, 320))
    ann, bob = entrant(fest), entrant(fest, "bob@example.org")
    eid, eid2 = send(fest, ann, film, "Ann's film"), send(fest, bob, film, "Bob's film")
    Checker(fest).run_once()
    with fest.engine.begin() as c:
        c.exec_driver_sql("update checks set passed = true")
    org = fest.session(fest.login("org@example.org", PASSWORD)[0])
    jury = Jury(fest)
    jury.accept(jury.invite(org, "mei@example.org", "Mei"), PASSWORD)
    jury.invite(org, "nj@example.org", "Not Joined")
    upload = fest.start_upload(ann, fest.contest()["id"], 1000)
    Phases(fest).move(org, fest.contest()["id"], "judging")
    jury.assign(org, fest.contest()["id"], per_entry=1)
    with fest.engine.connect() as c:
        nj = c.exec_driver_sql("select id from users where email = 'nj@example.org'").scalar()
    app = create_app(festival=fest)
    people = {"anon": Person(app), "ann": Person(app, "ann@example.org"), "org": Person(app, "org@example.org"),
              "mei": Person(app, "mei@example.org")}
    awards = {a["method"]: a["id"] for a in fest.awards(fest.contest()["id"])}
    yield {"fest": fest, "app": app, "people": people, "eid": eid, "eid2": eid2, "upload": upload, "nj": nj,
           "scores": awards["scores"], "pairwise": awards["pairwise"], "folder": folder}
    fest.close()


def snapshot(fest: Festival) -> dict:
    """Every row of every table, and every file of the festival folder with its size."""
    out = {}
    with fest.engine.connect() as c:
        for table in fest.md.sorted_tables:
            out[table.name] = sorted(repr(tuple(r)) for r in c.execute(table.select()))
    out["files"] = sorted((str(p.relative_to(fest.folder)), p.stat().st_size) for p in fest.folder.rglob("*")
                          if p.is_file() and not p.name.startswith("festival.db"))
    return out


def routes(w) -> list[dict]:
    """Each state-changing route: who may use it, and a request that is right in every way but the one a case
    changes (its int fields are named for the huge-number and wrong-type cases)."""
    eid, eid2 = w["eid"], w["eid2"]
    return [
        {"path": "/login", "who": "anon", "fields": {"email": "ann@example.org", "password": PASSWORD}},
        {"path": "/register", "who": "anon",
         "fields": {"email": "new@example.org", "name": "New", "password": PASSWORD, "country": "Chile"}},
        {"path": "/invite", "who": "anon", "fields": {"token": "x" * 43, "password": PASSWORD}},
        {"path": "/logout", "who": "ann", "fields": {}, "any_role": True},
        {"path": "/password", "who": "ann", "fields": {"current": PASSWORD, "new": "another long password"},
         "any_role": True},
        {"path": "/contest/edit", "who": "org", "wrong": "ann",
         "fields": {"title": "Renamed", "deadline": "2031-01-01 10:00", "max_mb": "9"}, "ints": ["max_mb"]},
        {"path": "/jury/invite", "who": "org", "wrong": "mei", "fields": {"email": "j2@example.org", "name": "J2"}},
        {"path": "/jury/assign", "who": "org", "wrong": "ann", "fields": {"per_entry": "2"}, "ints": ["per_entry"],
         "optional": True},
        {"path": "/contest/switch", "who": "org", "wrong": "mei", "fields": {"name": "blind", "value": "1"}},
        {"path": "/awards/decide", "who": "org", "wrong": "mei",
         "fields": {"award": str(w["scores"]), "entry": str(eid)}, "ints": ["award", "entry"]},
        {"path": "/judge/score", "who": "mei", "wrong": "org",
         "fields": {"entry": str(eid), "award": str(w["scores"]), "cat:story": "7", "cat:craft": "7",
                    "cat:creativity": "7"}, "ints": ["entry", "award"]},
        {"path": "/judge/conflict", "who": "mei", "wrong": "ann", "fields": {"entry": str(eid), "reason": "knows"},
         "ints": ["entry"]},
        {"path": "/judge/compare", "who": "mei", "wrong": "org",
         "fields": {"award": str(w["pairwise"]), "a": str(eid), "b": str(eid2), "winner": str(eid)},
         "ints": ["award", "a", "b", "winner"]},
        {"path": "/jury/reinvite", "who": "org", "wrong": "mei", "fields": {"juror": str(w["nj"])}, "ints": ["juror"]},
        {"path": "/jury/reset-link", "who": "org", "wrong": "ann", "fields": {"email": "ann@example.org"}},
        {"path": "/contest/phase", "who": "org", "wrong": "mei", "fields": {"to": "open"}},
        {"path": "/entry/reopen", "who": "org", "wrong": "mei", "fields": {"entry": str(eid), "reason": "a new cut"},
         "ints": ["entry"]},
        {"path": "/entry/ruling", "who": "org", "wrong": "ann",
         "fields": {"entry": str(eid), "ruling": "kept", "note": "looked at both"}, "ints": ["entry"]},
        {"path": "/judge/comment", "who": "mei", "wrong": "org", "fields": {"entry": str(eid), "text": "fine"},
         "ints": ["entry"]},
        {"path": "/forgot", "who": "anon", "fields": {"email": "ann@example.org"}},
        {"path": "/certificate", "who": "ann", "wrong": "org", "fields": {}},
        {"path": "/reset", "who": "anon", "fields": {"password": PASSWORD}},
        {"path": "/submit", "who": "ann", "wrong": "org",
         "fields": {"upload": w["upload"], "title": "Again", "entry": str(eid)}, "ints": ["entry", "contest"]},
        {"path": "/upload", "who": "ann", "wrong": "org", "json": {"size": 100}, "ints": ["size", "contest"]},
        {"path": f"/upload?id={w['upload']}&offset=0", "method": "PUT", "who": "ann", "wrong": "org",
         "content": b"\0" * 100, "ints": ["offset"]},
    ]


def cases(w) -> list[tuple]:
    """(name, who, path, keyword arguments of Person.post, the statuses allowed)."""
    out = []
    for r in routes(w):
        path, who, method = r["path"], r["who"], r.get("method", "POST")
        body = {k: r[k] for k in ("json", "content") if k in r} or {"fields": r["fields"]}
        base = {"method": method, **body}
        name = f"{method} {path.split('?')[0]}"
        out.append((f"{name}: no form token", who, path, {**base, "token": False}, {403}))
        out.append((f"{name}: Origin null", who, path, {**base, "headers": {"Origin": "null"}}, {403}))
        out.append((f"{name}: another site", who, path, {**base, "headers": {"Origin": "https://evil.example"}},
                    {403}))
        out.append((f"{name}: cross-site fetch", who, path, {**base, "headers": {"Sec-Fetch-Site": "cross-site"}},
                    {403}))
        out.append((f"{name}: another Host", who, path, {**base, "headers": {"Host": "festival.evil.example"}}, {403}))
        big = (17 if method == "PUT" else 5) * 2**20  # (a piece takes 16 MiB, the submission form 4, others 64 KiB)
        out.append((f"{name}: oversized", who, path, {"method": method, "content": b"a=" + b"x" * big,
                                                      "headers": FORM}, {413}))
        if who != "anon" and not r.get("any_role"):
            out.append((f"{name}: signed out", "anon", path, base, {401}))
            out.append((f"{name}: wrong role", r["wrong"], path, base, {403}))
        if "fields" in r and r["fields"] and not r.get("optional"):
            out.append((f"{name}: missing fields", who, path, {"method": method, "fields": {}}, {400}))
            for k in r["fields"]:
                if k != "csrf" and not k.startswith("cat:") and k not in ("country", "reason"):
                    less = {x: v for x, v in r["fields"].items() if x != k}
                    out.append((f"{name}: without {k}", who, path, {"method": method, "fields": less},
                                {400, 401, 404, 409}))
        if r.get("fields"):
            out.append((f"{name}: JSON lists for strings", who, path,
                        {"method": method, "json": {k: [v] for k, v in r["fields"].items()}}, {415}))
        for k in r.get("ints", []):
            for bad in (HUGE, "abc", "-1", "1e400"):
                if "fields" in r:
                    out.append((f"{name}: {k}={bad}", who, path, {"method": method, "fields": {**r["fields"], k: bad}},
                                {400}))
                elif "json" in r:
                    out.append((f"{name}: {k}={bad}", who, path,
                                {"method": method, "json": {**r["json"], k: int(bad) if bad.isdigit() else bad}},
                                {400}))
                else:
                    out.append((f"{name}: {k}={bad}", who, path.replace("offset=0", f"offset={bad}"), base, {400}))
        if "json" in r:
            for bad in ([1], "100", 1.5, True, None, {"a": 1}):
                out.append((f"{name}: size={bad!r}", who, path, {"method": method, "json": {"size": bad}}, {400}))
            out.append((f"{name}: a JSON list", who, path, {"method": method, "json": [1, 2]}, {400}))
    return out


def test_every_state_changing_route_refuses_odd_requests_and_changes_nothing(world):
    before = snapshot(world["fest"])
    failures = []
    catalogue = cases(world)
    for name, who, path, kw, allowed in catalogue:
        kw = dict(kw)
        r = world["people"][who].post(path, **kw)
        if r.status_code not in allowed:
            failures.append(f"{name}: {r.status_code} (wanted {sorted(allowed)}): {r.text[:200]}")
        after = snapshot(world["fest"])
        if after != before:
            changed = [k for k in before if before[k] != after.get(k)]
            failures.append(f"{name}: CHANGED {changed}")
            before = after
    assert not failures, "\n".join(failures)
    assert len(catalogue) > 200


def test_every_page_refuses_odd_requests(world):
    eid = world["eid"]
    people = world["people"]
    pages = [("/", None, None), ("/me", "ann", "org"), (f"/entry?id={eid}", "ann", None),
             (f"/film?id={eid}", "ann", None), ("/entries", "org", "ann"), ("/jury", "org", "mei"),
             ("/awards", "org", "ann"), ("/audit", "org", "mei"), ("/judge", "mei", "org"),
             (f"/judge/compare?award={world['pairwise']}", "mei", "org"), ("/password", "ann", None),
             (f"/upload?id={world['upload']}", "ann", "org"), ("/forgot", None, None), ("/reset", None, None),
             ("/invite", None, None)]
    before = snapshot(world["fest"])
    failures = []

    def want(name, r, codes):
        if r.status_code not in codes:
            failures.append(f"{name}: {r.status_code} (wanted {sorted(codes)}): {r.text[:160]}")
    for path, who, wrong in pages:
        if who is not None:
            want(f"{path} as {who}", people[who].get(path), {200, 206})
            want(f"{path} signed out", people["anon"].get(path), {401, 404})
        if wrong is not None:
            want(f"{path} as {wrong}", people[wrong].get(path), {403, 404})
        want(f"{path} another Host", people[who or "anon"].get(path, {"Host": "evil.example"}), {403})
        # a DNS name that begins like a loopback address (rebinding: its owner points it at this machine)
        want(f"{path} a rebinding Host", people[who or "anon"].get(path, {"Host": "127.0.0.1.rebind.example"}), {403})
        if "?" in path:
            key = path.split("?")[1].split("=")[0]
            for bad in (HUGE, "abc", "-1", "1e400", ""):
                want(f"{path} {key}={bad!r}", people[who].get(f"{path.split('?')[0]}?{key}={bad}"), {400, 404})
    want("/entries?page=huge", people["org"].get(f"/entries?page={HUGE}"), {400})
    want("/awards?all=x", people["org"].get("/awards?all=maybe"), {400})
    want("/film?id=../../etc/passwd", people["ann"].get("/film?id=../../etc/passwd"), {400})
    want("a range past the end", people["ann"].get(f"/film?id={eid}", {"Range": "bytes=99999999-"}), {416})
    want("no such page", people["ann"].get("/nope"), {404})
    want("a DELETE", people["ann"].http.delete("/me"), {405})
    assert not failures, "\n".join(failures)
    assert snapshot(world["fest"]) == before


PLANTED = [  # (method, path, who, fields, the festival's function that fails)
    ("GET", "/", "anon", None, (Festival, "awards")),
    ("GET", "/me", "ann", None, (Festival, "my_entries")),
    ("GET", "/entry?id={eid}", "ann", None, (Festival, "entry")),
    ("GET", "/film?id={eid}", "ann", None, (Festival, "film_path")),
    ("GET", "/entries", "org", None, (Festival, "all_entries")),
    ("GET", "/jury", "org", None, (Jury, "jurors")),
    ("GET", "/awards", "org", None, (Jury, "ranking")),
    ("GET", "/audit", "org", None, (Festival, "audit_log")),
    ("GET", "/judge", "mei", None, (Jury, "assigned")),
    ("GET", "/judge/compare?award={pairwise}", "mei", None, (Jury, "next_pair")),
    ("GET", "/results", "anon", None, (Jury, "results")),
    ("GET", "/upload?id={upload}", "ann", None, (Festival, "upload")),
    ("POST", "/login", "anon", {"email": "x@example.org", "password": "whatever it is"}, (Festival, "login")),
    ("POST", "/register", "anon", {"email": "n@example.org", "name": "N", "password": PASSWORD},
     (Festival, "register")),
    ("POST", "/logout", "ann", {}, (Festival, "logout")),
    ("POST", "/password", "ann", {"current": PASSWORD, "new": "x" * 12}, (Festival, "change_password")),
    ("POST", "/contest/edit", "org", {"title": "T", "deadline": "2031-01-01 10:00", "max_mb": "9"},
     (Festival, "edit_contest")),
    ("POST", "/jury/invite", "org", {"email": "q@example.org", "name": "Q"}, (Jury, "invite")),
    ("POST", "/jury/assign", "org", {}, (Jury, "assign")),
    ("POST", "/contest/switch", "org", {"name": "blind", "value": "1"}, (Jury, "set_contest")),
    ("POST", "/awards/decide", "org", {"award": "{scores}", "entry": "{eid}"}, (Jury, "decide")),
    ("POST", "/invite", "anon", {"token": "t", "password": PASSWORD}, (Jury, "accept")),
    ("POST", "/judge/score", "mei", {"entry": "{eid}", "award": "{scores}", "cat:story": "5"}, (Jury, "score")),
    ("POST", "/judge/conflict", "mei", {"entry": "{eid}"}, (Jury, "declare_conflict")),
    ("POST", "/judge/compare", "mei", {"award": "{pairwise}", "a": "{eid}", "b": "{eid2}", "winner": "{eid}"},
     (Jury, "compare")),
    ("POST", "/submit", "ann", {"upload": "{upload}", "title": "T"}, (Festival, "submit")),
    ("POST", "/jury/reinvite", "org", {"juror": "{nj}"}, (Jury, "reinvite")),
    ("POST", "/jury/reset-link", "org", {"email": "ann@example.org"}, (People, "reset_link_for")),
    ("POST", "/contest/phase", "org", {"to": "decided"}, (Phases, "move")),
    ("POST", "/entry/reopen", "org", {"entry": "{eid}", "reason": "a new cut"}, (Phases, "reopen")),
    ("POST", "/entry/ruling", "org", {"entry": "{eid}", "ruling": "kept", "note": "fine by me"}, (Phases, "rule")),
    ("POST", "/judge/comment", "mei", {"entry": "{eid}", "text": "fine"}, (Jury, "comment")),
    ("POST", "/forgot", "anon", {"email": "ann@example.org"}, (People, "ask_reset")),
    ("POST", "/reset", "anon", {"password": PASSWORD}, (People, "reset")),
    ("POST", "/certificate", "ann", {"csr": "-----BEGIN CERTIFICATE REQUEST-----"}, (People, "certificate")),
    ("GET", "/entries", "org", None, (Phases, "copy_flags")),
    ("POST", "/upload", "ann", {"json": {"size": 10}}, (Festival, "start_upload")),
    ("PUT", "/upload?id={upload}&offset=0", "ann", {"content": b"x" * 10}, (Festival, "put_piece")),
]


def test_a_fault_inside_any_route_is_a_500_page_with_an_incident_id_and_changes_nothing(world, monkeypatch):
    fill = {k: world[k] for k in ("eid", "eid2", "upload", "scores", "pairwise", "nj")}
    before = snapshot(world["fest"])
    failures = []
    for method, path, who, fields, (owner, fn) in PLANTED:
        def boom(*a, **k):
            raise RuntimeError("planted fault")
        with monkeypatch.context() as m:
            m.setattr(owner, fn, boom)
            person = world["people"][who]
            if method == "GET":
                r = person.get(path.format(**fill))
            elif fields and ("json" in fields or "content" in fields):
                r = person.post(path.format(**fill), method=method, **fields)
            else:
                r = person.post(path.format(**fill), {k: v.format(**fill) for k, v in fields.items()}, method=method)
        if r.status_code != 500 or not re.search(r"incident [0-9a-f]{8}", r.text):
            failures.append(f"{method} {path}: {r.status_code} {r.text[:200]}")
        if "planted fault" in r.text or "Traceback" in r.text:
            failures.append(f"{method} {path}: the fault's details were shown")
    assert not failures, "\n".join(failures)
    assert snapshot(world["fest"]) == before


def test_the_requests_that_dropped_the_old_servers_connection_are_answered(world, monkeypatch):
    """The eleven requests of issue 30 (the festival's ten): each gets a 4xx, none a closed connection."""
    p = world["people"]
    computed = []
    real = Jury.ranking
    monkeypatch.setattr(Jury, "ranking", lambda self, *a, **k: computed.append(a) or real(self, *a, **k))
    before = snapshot(world["fest"])
    r = p["anon"].get("/awards")
    assert r.status_code == 401 and computed == []  # the organiser's rankings are not computed for anyone else
    assert p["anon"].get("/judge/compare?award=2").status_code == 401
    for path in ("/entry", "/film"):
        r = p["ann"].get(f"{path}?id={HUGE}")
        assert r.status_code == 400 and "id" in r.text
    r = p["mei"].post("/judge/score", {"entry": str(world["eid"]), "award": HUGE, "cat:story": "5"})
    assert r.status_code == 400 and "award" in r.text
    r = p["ann"].post("/upload", json={"size": [1]})
    assert r.status_code == 400 and "size" in r.json()["error"]
    r = p["anon"].post("/contest/switch", {"name": "organiser", "value": "1"})
    assert r.status_code == 401  # the role first: a field never becomes a keyword argument
    r = p["org"].post("/contest/switch", {"name": "organiser", "value": "1"})
    assert r.status_code == 400 and "name" in r.text
    for body in ({"email": ["a"]}, {"password": 12345678901}):  # (a form sent as JSON: refused as such)
        assert p["anon"].post("/login", json=body).status_code == 415
        assert p["anon"].post("/login", content=urllib.parse.urlencode(body, doseq=True),
                              headers=FORM).status_code == 400  # (and as a form: a field missing)
    assert p["anon"].post("/register", json={"name": 5}).status_code == 415
    r = p["anon"].post("/register", {"name": "5", "email": ["a@example.org", "b@example.org"]})
    assert r.status_code == 400 and "password" in r.text
    assert snapshot(world["fest"]) == before


def test_a_message_comes_from_the_session_never_from_the_address(world):
    ann = world["people"]["ann"]
    page = ann.get(f"/entry?id={world['eid']}&said=Your+film+won+Best+Film").text
    assert "Your film won" not in page and '<div class="msg' not in page  # (the banner; the verdict is a <p>)
    org = world["people"]["org"]
    assert org.post("/jury/assign", {"per_entry": "1"}).status_code == 303
    assert 'class="msg good">0 new assignment(s)</div>' in org.get("/jury").text
    assert 'class="msg good"' not in org.get("/jury").text  # once


def test_a_body_that_never_arrives_is_answered_408_over_a_real_socket(world):
    from filmcrew.web.serve import Background
    srv = Background(create_app(festival=world["fest"]), "127.0.0.1").start()
    try:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as s:
            s.sendall(f"POST /login HTTP/1.1\r\nHost: 127.0.0.1:{srv.port}\r\nContent-Type: application/x-www-form-"
                      f"urlencoded\r\nContent-Length: 1000\r\n\r\nemail=a".encode())
            t0 = time.monotonic()
            answer = s.recv(4096).decode("latin-1")
            waited = time.monotonic() - t0
        assert answer.startswith("HTTP/1.1 408"), answer[:200]
        assert waited < 15, waited
    finally:
        srv.close()


def test_the_app_factory_reads_the_festival_folder_from_filmcrew_festival(tmp_path, monkeypatch):
    fest = make_festival(tmp_path / "fest", title="Festival du court · 短片节")
    fest.close()
    monkeypatch.setenv("FILMCREW_FESTIVAL", str(tmp_path / "fest"))
    app = create_app()
    try:
        page = TestClient(app, base_url="http://127.0.0.1").get("/")
        assert page.status_code == 200 and "Festival du court · 短片节" in page.text
        key = tmp_path / "fest" / SECRET_FILE
        assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    finally:
        app.state.festival.close()
    monkeypatch.delenv("FILMCREW_FESTIVAL")
    with pytest.raises(Exception, match="FILMCREW_FESTIVAL"):
        create_app()


def test_two_workers_take_each_others_cookies_and_form_tokens(tmp_path):
    fest = make_festival(tmp_path / "fest")
    fest.register("ann@example.org", "Ann", PASSWORD)
    fest.close()
    one, two = create_app(tmp_path / "fest"), create_app(tmp_path / "fest")  # as two uvicorn workers would
    try:
        a = TestClient(one, base_url="http://127.0.0.1")
        b = TestClient(two, base_url="http://127.0.0.1")
        token = re.search(r'name="csrf" value="([^"]+)"', a.get("/login").text).group(1)
        b.cookies = a.cookies  # the signed-out form token from worker one, the sign-in on worker two
        r = b.post("/login", data={"email": "ann@example.org", "password": PASSWORD, "csrf": token},
                   follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/me"
        a.cookies = b.cookies
        page = a.get("/me")  # the session made on worker two, on worker one
        assert page.status_code == 200 and "My films" in page.text
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        b.cookies = a.cookies
        r = b.post("/logout", data={"csrf": token}, follow_redirects=False)
        assert r.status_code == 303
        assert a.get("/me").status_code == 401  # (the session ended in the database: on every worker)
    finally:
        one.state.festival.close()
        two.state.festival.close()


def test_the_invitation_link_names_the_public_address_never_the_requests_host(tmp_path):
    fest = make_festival(tmp_path / "fest")
    app = create_app(festival=fest, public="https://festival.example")
    try:
        org = Person(app, "org@example.org", base="https://127.0.0.1")  # (its cookies are Secure: HTTPS only)
        r = org.post("/jury/invite", {"email": "mei@example.org", "name": "Mei"},
                     headers={"Host": "localhost:9999"})
        assert r.status_code == 303
        page = org.get("/jury", {"Host": "localhost:9999"}).text
        link = re.search(r'id="invite-link">[^<]*<code>([^<]+)</code>', page).group(1)
        assert link.startswith("https://festival.example/invite?token=") and "localhost" not in link
        assert 'id="invite-link"' not in org.get("/jury").text  # shown once
        assert org.get("/", {"Host": "festival.example"}).status_code == 200  # the proxy's Host is taken
        assert org.get("/", {"Host": "festival.evil.example"}).status_code == 403
    finally:
        fest.close()
