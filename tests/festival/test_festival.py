"""The festival (issue 16): its schema built by migrations on SQLite and on a real PostgreSQL, accounts, films in
resumable pieces, entries, the background checks (claimed once, queued again when their checker dies), and the
server tried as an attacker would."""

from __future__ import annotations

import html
import io
import json
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy", reason="the festival needs its extra: pip install 'filmcrew[festival]'")
pytest.importorskip("alembic")
pytest.importorskip("argon2")

from postgres_server import Postgres, binaries  # noqa: E402

from filmcrew.cli import main  # noqa: E402
from filmcrew.festival import db  # noqa: E402
from filmcrew.festival.accounts import Refusal  # noqa: E402
from filmcrew.festival.checks import ATTEMPTS, Checker  # noqa: E402
from filmcrew.festival.core import Festival  # noqa: E402
from filmcrew.media import ffmpeg  # noqa: E402

from festival_helpers import PASSWORD, entrant, make_festival, send, synth  # noqa: E402


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> Path:
    return synth(tmp_path_factory.mktemp("films") / "plain.mp4")


@pytest.fixture(scope="module")
def postgres():
    if binaries() is None:
        pytest.skip("PostgreSQL is not installed (Debian package postgresql; .ci/run installs it)")
    with Postgres() as pg:
        yield pg


# ---- the schema ---------------------------------------------------------------------------------------------

def _schema_matches(url: str) -> list:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    md, _ = db.tables()
    eng = db.engine(url)
    try:
        with eng.connect() as c:
            return compare_metadata(MigrationContext.configure(c), md)
    finally:
        eng.dispose()


def test_the_migrations_build_the_schema_the_code_reads_on_sqlite_and_postgresql(tmp_path, postgres):
    lite = db.url_for(tmp_path, None)
    pg = db.url_for(tmp_path, postgres.create("schema"))
    for url in (lite, pg):
        assert db.revision(url) is None
        db.migrate(url)
        assert db.revision(url) == "0003"
        assert _schema_matches(url) == []  # the migrations and db.tables() say the same
        db.migrate(url, "base", down=True)  # and they go back down cleanly
        assert db.revision(url) is None
        db.migrate(url)
    with pytest.raises(Exception, match="PGPASSWORD"):
        db.url_for(tmp_path, "postgresql://me:secret@db.example.org/fest")


# ---- accounts -----------------------------------------------------------------------------------------------

def test_passwords_are_argon2id_sessions_are_kept_as_hashes_and_sign_ins_are_rate_limited(tmp_path):
    fest = make_festival(tmp_path / "fest")
    fest.register("Ann@Example.org", "Ann", PASSWORD)
    with pytest.raises(Refusal, match="exists"):
        fest.register("ann@example.org", "Ann again", PASSWORD)
    with pytest.raises(Refusal, match="at least 10"):
        fest.register("bob@example.org", "Bob", "short")
    token, user = fest.login("ANN@example.org", PASSWORD)
    with fest.engine.connect() as c:
        stored = c.exec_driver_sql("select password_hash from users where email='ann@example.org'").scalar()
        sessions = [r[0] for r in c.exec_driver_sql("select token_hash from sessions")]
    assert stored.startswith("$argon2id$") and "m=65536" in stored and PASSWORD not in stored
    assert token not in sessions and len(sessions) == 1  # only the token's SHA-256 is kept
    assert fest.session(token)["email"] == "ann@example.org" and fest.session("forged") is None
    for _ in range(5):
        with pytest.raises(Refusal) as r:
            fest.login("ann@example.org", "wrong password!")
        assert r.value.status == 401
    with pytest.raises(Refusal) as r:  # the right password too, now: the allowance is spent
        fest.login("ann@example.org", PASSWORD)
    assert r.value.status == 429 and r.value.retry_after > 0
    with pytest.raises(Refusal) as r:  # an unknown e-mail gets the same answer as a wrong password
        fest.login("nobody@example.org", PASSWORD)
    assert r.value.status == 401 and "e-mail or the password" in r.value.why
    with pytest.raises(Refusal) as r:  # a session cannot be used to guess the password past the allowance either
        fest.change_password(fest.session(token), "guess work!!", "a new password here", token)
    assert r.value.status == 429
    fest.logout(token)
    assert fest.session(token) is None
    fest.close()


def test_a_new_password_ends_the_other_sessions(tmp_path):
    fest = make_festival(tmp_path / "fest")
    fest.register("ann@example.org", "Ann", PASSWORD)
    here, _ = fest.login("ann@example.org", PASSWORD)
    there, _ = fest.login("ann@example.org", PASSWORD)
    fest.change_password(fest.session(here), PASSWORD, "a new password here", here)
    assert fest.session(here) is not None and fest.session(there) is None
    with pytest.raises(Refusal):
        fest.login("ann@example.org", PASSWORD)
    assert fest.login("ann@example.org", "a new password here")[0]
    fest.close()


# ---- films, entries, checks ---------------------------------------------------------------------------------

def test_a_plain_video_is_checked_in_the_background_and_fails_with_each_reason(tmp_path, plain):
    fest = make_festival(tmp_path / "fest")
    ann = entrant(fest)
    eid = send(fest, ann, plain, synopsis="A test card")
    assert fest.latest_check(eid)["state"] == "queued"  # nothing checked in the request
    assert Checker(fest).run_once() == 1
    ck = fest.entry(ann, eid)["check"]
    assert ck["state"] == "done" and ck["passed"] is False and ck["ai_share"] is None
    failed = {f["check"]: f["detail"] for f in ck["findings"] if f["required"] and f["status"] != "pass"}
    assert set(failed) == {"duration", "ai_share", "visible_label", "aigc_tag", "loudness"}
    assert "30.0 s; allowed 60 to 300 s" in failed["duration"]
    assert "no C2PA manifest and no provenance file" in failed["ai_share"]
    assert "no visible AI label" in failed["visible_label"]
    stored = fest.film_path(fest.entry(ann, eid)["film_sha"])
    assert stored.read_bytes() == plain.read_bytes() and not list((tmp_path / "fest" / "uploads").iterdir())
    # a new version is a new check; the same film sent by someone else is not decoded again
    eid2 = send(fest, ann, plain, "Plain, again", entry_id=eid)
    assert eid2 == eid and fest.entry(ann, eid)["version"] == 2 and fest.latest_check(eid)["state"] == "queued"
    bob = entrant(fest, "bob@example.org")
    other = send(fest, bob, plain, "Bob's copy")
    from filmcrew.festival.checks import store
    before = len(list(store(tmp_path / "fest").objects.glob("*/*")))
    assert Checker(fest).run_once() == 2
    assert len(list(store(tmp_path / "fest").objects.glob("*/*"))) == before  # one check of that film, kept
    assert fest.latest_check(other)["findings"] == ck["findings"]
    # roles: Bob cannot see Ann's entry (the same answer as for none), an entrant cannot list the entries
    with pytest.raises(Refusal) as r:
        fest.entry(bob, eid)
    assert r.value.status == 404
    with pytest.raises(Refusal) as r:
        fest.all_entries(bob, fest.contest()["id"])
    assert r.value.status == 403
    org = fest.session(fest.login("org@example.org", PASSWORD)[0])
    assert [e["title"] for e in fest.all_entries(org, fest.contest()["id"])] == ["Plain, again", "Bob's copy"]
    actions = [a["action"] for a in fest.audit_log(org)]
    assert actions.count("entry submitted") == 3 and actions[-1] == "festival created"
    fest.close()


def test_an_upload_goes_on_from_where_it_stopped_and_refuses_what_is_not_an_mp4_or_too_large(tmp_path, plain):
    fest = make_festival(tmp_path / "fest", max_mb=1)
    ann = entrant(fest)
    cid = fest.contest()["id"]
    with pytest.raises(Refusal) as r:
        fest.start_upload(ann, cid, 2 * 1024 * 1024)
    assert r.value.status == 413 and "up to 1 MB" in r.value.why
    small = synth(tmp_path / "small.mp4", seconds=2, size=(180, 320))
    data = small.read_bytes()
    up = fest.start_upload(ann, cid, len(data))
    fest.put_piece(ann, up, 0, io.BytesIO(data[:1000]), 1000)
    with pytest.raises(Refusal) as r:  # a piece sent again (its answer was lost): where to go on from
        fest.put_piece(ann, up, 0, io.BytesIO(data[:1000]), 1000)
    assert r.value.status == 409 and "has 1000 bytes" in r.value.why
    cut = io.BytesIO(data[1000:5000])  # the connection drops mid-piece: what arrived is kept
    with pytest.raises(Refusal, match="ended early"):
        fest.put_piece(ann, up, 1000, cut, 8000)
    at = fest.upload(ann, up)["received"]
    assert at == 5000
    row = fest.put_piece(ann, up, at, io.BytesIO(data[at:]), len(data) - at)
    assert row["sha"] and fest.film_path(row["sha"]).read_bytes() == data
    bob = entrant(fest, "bob@example.org")
    with pytest.raises(Refusal) as r:  # another's upload is not there for him
        fest.put_piece(bob, up, 0, io.BytesIO(b"x"), 1)
    assert r.value.status == 404
    png = tmp_path / "still.png"
    from PIL import Image
    Image.new("RGB", (64, 64), "red").save(png)
    for path, says in ((png, "a PNG picture"), (_webm(tmp_path), "a WebM or Matroska file")):
        blob = path.read_bytes()
        up = fest.start_upload(ann, cid, len(blob))
        with pytest.raises(Refusal) as r:
            fest.put_piece(ann, up, 0, io.BytesIO(blob), len(blob))
        assert r.value.status == 415 and says in r.value.why and "export the film as MP4" in r.value.why
    assert not any(fest.films.rglob("*.png"))
    left = fest.start_upload(ann, cid, 100)  # begun, never finished: swept after a week
    fest.put_piece(ann, left, 0, io.BytesIO(b"x" * 10), 10)
    assert fest.sweep_uploads() == 0
    with fest.engine.begin() as c:
        c.exec_driver_sql("update uploads set created_at = created_at - 8 * 86400")
    assert fest.sweep_uploads() == 2 and not (fest.uploads / f"{left}.part").exists()  # (and the whole film never
    assert fest.film_path(row["sha"]).read_bytes() == data  # submitted: its upload goes, the stored film stays)
    with pytest.raises(Refusal):
        fest.upload(ann, left)
    fest.close()


def test_uploads_are_rate_limited_per_entrant(tmp_path):
    from filmcrew.festival.accounts import LIMITS
    fest = make_festival(tmp_path / "fest")
    ann, bob = entrant(fest), entrant(fest, "bob@example.org")
    cid = fest.contest()["id"]
    most, _ = LIMITS["upload"]
    for _ in range(most):
        fest.start_upload(ann, cid, 1000)
    with pytest.raises(Refusal) as r:
        fest.start_upload(ann, cid, 1000)
    assert r.value.status == 429 and r.value.retry_after > 0
    fest.start_upload(bob, cid, 1000)  # another entrant's allowance is his own
    fest.close()


def _webm(tmp_path: Path) -> Path:
    p = tmp_path / "clip.webm"
    ffmpeg.run(["-f", "lavfi", "-i", "testsrc2=s=64x64:r=10:d=1", "-c:v", "libvpx", str(p)], "webm")
    return p


def test_a_check_whose_worker_dies_is_queued_again_and_stops_after_three_tries(tmp_path, plain):
    fest = make_festival(tmp_path / "fest")
    ann = entrant(fest)
    eid = send(fest, ann, plain)
    dead = Checker(fest, lease_s=0.2)
    (job,) = dead.claim()  # claimed, then its checker dies: no result, no renewal
    assert fest.latest_check(eid)["state"] == "running" and Checker(fest).claim() == []  # not taken twice
    time.sleep(0.3)
    assert Checker(fest).run_once() == 1  # the lease ran out: queued again and checked
    ck = fest.latest_check(eid)
    assert ck["state"] == "done" and ck["attempts"] == 2
    eid2 = send(fest, ann, plain, "Doomed")
    for _ in range(ATTEMPTS):
        Checker(fest, lease_s=0.05).requeue_lost()
        assert len(Checker(fest, lease_s=0.05).claim()) == 1
        time.sleep(0.1)
    Checker(fest).requeue_lost()
    ck = fest.latest_check(eid2)
    assert ck["state"] == "error" and "stopped 3 times" in ck["error"]
    fest.close()


def test_the_festival_on_postgresql_with_checkers_racing_for_the_queue(tmp_path, plain, postgres):
    fest = make_festival(tmp_path / "fest", database=postgres.create("race"))
    assert fest.url.startswith("postgresql+psycopg://")
    assert "postgresql" in (tmp_path / "fest" / "festival.toml").read_text()
    users = [entrant(fest, f"e{i}@example.org") for i in range(4)]
    entries = [send(fest, u, plain, f"Film {i}") for i, u in enumerate(users)]
    claimed: list = []
    checkers = [Checker(fest, batch=2) for _ in range(4)]
    threads = [threading.Thread(target=lambda c=c: claimed.extend(j["id"] for j in c.claim())) for c in checkers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == sorted(set(claimed)) and len(claimed) == 4  # each row claimed by exactly one
    with fest.engine.begin() as c:  # as if those checkers died
        c.exec_driver_sql("update checks set lease_until = 0")
    while Checker(fest).run_once():
        pass
    for eid in entries:
        ck = fest.latest_check(eid)
        assert ck["state"] == "done" and ck["passed"] is False and ck["attempts"] == 2
    fest.close()
    again = Festival(tmp_path / "fest")  # read from festival.toml
    assert len(again.all_entries(again.session(again.login("org@example.org", PASSWORD)[0]), 1)) == 4
    again.close()


def test_init_and_serve_on_the_command_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FILMCREW_ORGANISER_PASSWORD", PASSWORD)
    assert main(["festival", "init", str(tmp_path / "f"), "--profile", "iqiyi-2025", "--organiser", "o@example.org",
                 "--deadline", "2031-05-01", "--max-mb", "200"]) == 0
    out = capsys.readouterr().out
    assert "password from FILMCREW_ORGANISER_PASSWORD" in out and PASSWORD not in out
    fest = Festival(tmp_path / "f")
    con = fest.contest()
    assert con["title"] == "iQIYI AI short-film contest (2025)" and con["max_bytes"] == 200 * 2**20
    assert time.strftime("%Y-%m-%d %H:%M", time.gmtime(con["deadline"])) == "2031-05-01 23:59"
    assert [a["name"] for a in fest.awards(con["id"])] == ["Best Film", "Best Creativity", "Best Narration"]
    fest.close()
    assert main(["festival", "init", str(tmp_path / "f"), "--profile", "iqiyi-2025"]) == 2
    assert "is a festival already" in capsys.readouterr().err
    assert main(["festival", "init", str(tmp_path / "g"), "--profile", "nope"]) == 2
    assert "unknown; known:" in capsys.readouterr().err
    assert main(["festival", "serve", str(tmp_path / "none")]) == 2
    assert "festival init" in capsys.readouterr().err


# ---- the server, tried as an attacker would -----------------------------------------------------------------

class Client:
    """A browser of one person, through the framework's test client: its cookies, and the form token of its
    session (read from the pages: signed out, the sign-in form carries one too)."""

    def __init__(self, app):
        from fastapi.testclient import TestClient
        self.http = TestClient(app, base_url="http://127.0.0.1")
        self.csrf = ""

    def call(self, method: str, path: str, data: bytes | None = None, headers: dict | None = None):
        r = self.http.request(method, path, content=data, headers=headers or {}, follow_redirects=False)
        return r.status_code, html.unescape(r.text), r.headers

    def token(self) -> str:
        """The form token the pages carry now."""
        import re
        page = self.call("GET", "/login")[1]
        return re.search(r'name="csrf" value="([^"]+)"', page).group(1)

    def form(self, path: str, fields: dict, headers: dict | None = None, token: bool = True):
        import urllib.parse
        if token and not self.csrf:
            self.csrf = self.token()
        body = urllib.parse.urlencode({**fields, **({"csrf": self.csrf} if self.csrf and token else {})}).encode()
        return self.call("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})

    def sign_in(self, email: str, password: str = PASSWORD):
        code, body, headers = self.form("/login", {"email": email, "password": password})
        if code == 303:
            self.csrf = self.token()  # (signed in: the session's own token from the database)
        return code, body, headers


@pytest.fixture(scope="module")
def served(tmp_path_factory, plain):
    from filmcrew.festival.app import create_app
    folder = tmp_path_factory.mktemp("served") / "fest"
    fest = make_festival(folder, max_mb=8)
    for who in ("ann@example.org", "bob@example.org"):
        fest.register(who, who[:3].title(), PASSWORD)
    ann = fest.session(fest.login("ann@example.org", PASSWORD)[0])
    eid = send(fest, ann, plain, "Ann's film")
    Checker(fest).run_once()
    yield create_app(festival=fest), fest, eid
    fest.close()


def test_roles_tokens_origins_and_hosts_are_enforced_on_every_request(served):
    app, fest, eid = served
    anon = Client(app)
    assert anon.call("GET", f"/entry?id={eid}")[0] == 404  # not signed in: nothing said about it
    assert anon.call("GET", f"/film?id={eid}")[0] == 404
    assert anon.call("GET", "/entries")[0] == 401
    assert anon.call("GET", "/", headers={"Host": "festival.evil.example"})[0] == 403  # DNS rebinding
    code, body, _ = anon.form("/login", {"email": "ann@example.org", "password": PASSWORD},
                              {"Origin": "https://evil.example"})
    assert code == 403 and "only this server's own pages" in body  # a login from another site
    code, body, _ = anon.form("/login", {"email": "ann@example.org", "password": PASSWORD}, token=False)
    assert code == 403 and "not from your session" in body  # a sign-in carries the form token too
    ann, bob = Client(app), Client(app)
    assert ann.sign_in("ann@example.org")[0] == 303 and bob.sign_in("bob@example.org")[0] == 303
    code, body, headers = ann.call("GET", f"/film?id={eid}", headers={"Range": "bytes=0-99"})
    assert code == 206 and headers["Content-Range"].startswith("bytes 0-99/")
    assert ann.call("GET", f"/entry?id={eid}")[0] == 200
    for path in (f"/entry?id={eid}", f"/film?id={eid}"):  # Bob: the same answer as for an entry that does not exist
        assert bob.call("GET", path)[0] == 404
    assert bob.call("GET", "/entries")[0] == 403 and bob.call("GET", "/audit")[0] == 403
    assert bob.call("GET", "/film?id=../../etc/passwd")[0] == 400  # ids are numbers; no path is ever taken
    # a change without the session's form token, or with another's
    token = bob.csrf
    assert bob.form("/logout", {}, token=False)[0] == 403
    bob.csrf = ann.csrf
    assert bob.form("/logout", {})[0] == 403
    bob.csrf = token
    code, body, _ = bob.call("POST", "/upload", json.dumps({"size": 100}).encode(),
                             {"Content-Type": "application/json"})
    assert code == 403 and "not from your session" in body
    code, body, _ = bob.call("POST", "/upload", json.dumps({"size": 9 * 2**20}).encode(),
                             {"Content-Type": "application/json", "X-CSRF": bob.csrf})
    assert code == 413 and "up to 8 MB" in json.loads(body)["error"]
    code, body, _ = bob.call("POST", "/upload", json.dumps({"size": 100}).encode(),
                             {"Content-Type": "application/json", "X-CSRF": bob.csrf})
    up = json.loads(body)["id"]
    code, body, _ = bob.call("PUT", f"/upload?id={up}&offset=0", b"not a film at all" * 5 + b"abcdefghijklmno",
                             {"X-CSRF": bob.csrf, "Content-Type": "application/octet-stream"})
    assert code == 415 and "not an MP4" in json.loads(body)["error"]
    assert ann.call("GET", f"/upload?id={up}")[0] == 404  # Bob's upload is not Ann's to see
    code, body, headers = anon.call("GET", "/")
    assert "script-src 'self'" in headers["Content-Security-Policy"] and headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_the_organiser_moves_the_deadline_and_an_entrant_cannot(served):
    app, fest, _ = served
    org, ann = Client(app), Client(app)
    assert org.sign_in("org@example.org")[0] == 303 and ann.sign_in("ann@example.org")[0] == 303
    fields = {"title": "Festival des films IA 2027 · AI电影节", "deadline": "2031-01-31 18:00", "max_mb": "8"}
    assert ann.form("/contest/edit", fields)[0] == 403
    code, body, _ = org.form("/contest/edit", {**fields, "deadline": "next friday"})
    assert code == 400 and "YYYY-MM-DD HH:MM" in body
    assert org.form("/contest/edit", fields)[0] == 303
    con = fest.contest()
    assert con["title"] == fields["title"] and time.strftime("%Y-%m-%d %H:%M", time.gmtime(con["deadline"])) == "2031-01-31 18:00"
    assert "Festival des films IA 2027 · AI电影节" in Client(app).call("GET", "/")[1]
    assert any(a["action"] == "contest edited" for a in fest.audit_log(fest.session(fest.login("org@example.org", PASSWORD)[0])))


def test_sign_in_is_rate_limited_per_address(served):
    app, fest, _ = served
    c = Client(app)
    codes = [c.form("/login", {"email": f"x{i}@example.org", "password": "wrong password"})[0] for i in range(31)]
    assert codes[:30] == [401] * 30 and codes[30] == 429
    code, _, headers = c.form("/login", {"email": "ann@example.org", "password": PASSWORD})
    assert code == 429 and int(headers["Retry-After"]) > 0
