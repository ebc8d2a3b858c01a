"""The studio tried as an attacker (or a clumsy script) would (issue 30): each route with wrong types, huge
numbers, missing fields, JSON where a form belongs, no form token, `Origin: null`, a foreign Origin, a foreign
Host, an oversized body, a body that never arrives, a planted internal fault. Every one is answered with an
HTTP status (never a dropped connection, never an unhandled 500 except the planted fault's page, which names
an incident) and leaves the project's files as they were."""

from __future__ import annotations

import hashlib
import shutil
import socket
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
HUGE = "99999999999999999999999"


@pytest.fixture(scope="module")
def keys_home(tmp_path_factory):
    """Keys entered here go to a folder of the test's own (never the user's keyring)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("FILMCREW_HOME", str(tmp_path_factory.mktemp("home")))
    mp.setenv("FILMCREW_KEYRING", "file")
    yield
    mp.undo()


def files_of(root: Path) -> dict[str, str]:
    """The project's own files (what a person edits and what the make publishes), by their digests."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if p.is_file() and rel.parts[0] != ".filmcrew":
            out[str(rel)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def studio(small_film, tmp_path_factory, keys_home):
    from filmcrew.studio.app import Studio
    root = tmp_path_factory.mktemp("odd") / "film"
    shutil.copytree(small_film, root, symlinks=True)
    s = Studio(root, port=0)
    yield s
    s.close()


@pytest.fixture()
def client(studio):
    from fastapi.testclient import TestClient
    with TestClient(studio.app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        yield c


def shot_id(studio) -> str:
    from filmcrew.studio import project as proj
    cards, _ = proj.board(studio.root, 1, True)
    return cards[0].id


def catalogue(studio) -> list[tuple]:
    """(method, path, keyword arguments for the client, the statuses it may answer)."""
    sid = shot_id(studio)
    tok = {"X-CSRF": studio.csrf}
    form = {"csrf": studio.csrf}
    return [
        # pages and their parameters: wrong types, huge numbers, missing or overlong values
        ("GET", f"/board?ep={HUGE}", {}, {400}),
        ("GET", "/board?ep=abc", {}, {400}),
        ("GET", "/board?ep=-1", {}, {400}),
        ("GET", "/board?ep=7", {}, {409}),
        ("GET", "/board?ep=1&preview=" + "1" * 50, {}, {400}),
        ("GET", f"/script?ep={HUGE}", {}, {400}),
        ("GET", "/script?ep=9", {}, {404}),
        ("GET", "/shot", {}, {400}),
        # a DNS name that begins like a loopback address (rebinding): refused, pages and changes alike
        ("GET", "/", {"headers": {"Host": "127.0.0.1.rebind.example"}}, {403}),
        ("GET", "/timeline?ep=1", {"headers": {"Host": "127.0.0.1.rebind.example:8765"}}, {403}),
        ("POST", "/timeline/reset", {"data": {**form, "version": "0" * 64},
                                     "headers": {"Host": "127.1.rebind.example", "Origin": "http://127.1.rebind.example"}},
         {403}),
        ("GET", "/shot?id=../../etc", {}, {404}),
        ("GET", "/shot?id=" + "x" * 500, {}, {400}),
        ("GET", "/shot?id=ep99-s01-sh01", {}, {409, 404}),
        ("GET", f"/api/board?ep={HUGE}", {}, {400}),
        ("GET", "/api/board?ep=1e99", {}, {400}),
        ("GET", "/make?film=" + "f" * 100, {}, {400}),
        ("GET", "/thumb?key=zz", {}, {404}),
        ("GET", "/thumb?key=" + "0" * 64, {}, {404}),
        ("GET", "/clip?key=../x", {}, {404}),
        ("GET", "/file?p=/etc/passwd", {}, {403}),
        ("GET", "/file", {}, {403}),
        ("GET", "/file?p=" + "a/" * 1000, {}, {400}),
        ("GET", "/vtt?p=filmcrew.toml", {}, {403}),
        ("GET", "/vtt?p=out/ep01.preview.mp4", {}, {404}),
        ("GET", "/api/events?run=../../etc/passwd", {}, {400}),
        ("GET", "/nowhere", {}, {404}),
        ("PUT", "/script", {}, {405}),
        ("DELETE", "/bible", {}, {405}),
        # a foreign Host (a DNS name re-pointed at 127.0.0.1)
        ("GET", "/", {"headers": {"Host": "evil.example"}}, {403}),
        ("POST", "/bible", {"headers": {"Host": "evil.example"}, "data": {**form, "text": "x", "version": "v"}}, {403}),
        # changes without the form token, from a page with no origin, from another site
        ("POST", "/script", {"data": {"ep": "1", "text": "x", "version": "v"}}, {403}),
        ("POST", "/api/check", {"json": [1, 2]}, {403}),
        ("POST", "/cancel", {}, {403}),
        ("POST", "/run", {"data": {"what": "make"}}, {403}),
        ("POST", "/script", {"data": {**form, "ep": "1", "text": "x", "version": "v"}, "headers": {"Origin": "null"}},
         {403}),
        ("POST", "/api/check", {"json": {"ep": 1, "text": "x"}, "headers": {**tok, "Origin": "null"}}, {403}),
        ("POST", "/bible", {"data": {**form, "text": "x", "version": "v"}, "headers": {"Origin": "http://evil.example"}},
         {403}),
        ("POST", "/run", {"data": {**form, "what": "make"}, "headers": {"Sec-Fetch-Site": "cross-site"}}, {403}),
        ("POST", "/script", {"data": {"csrf": "not-the-token", "ep": "1", "text": "x", "version": "v"}}, {403}),
        # with the token: bodies of the wrong shape, wrong types, missing fields, huge numbers
        ("POST", "/api/check", {"json": [1, 2], "headers": tok}, {400}),
        ("POST", "/api/check", {"json": "text", "headers": tok}, {400}),
        ("POST", "/api/check", {"json": {"ep": "one"}, "headers": tok}, {400}),
        ("POST", "/api/check", {"json": {"ep": int(HUGE)}, "headers": tok}, {400}),
        ("POST", "/api/check", {"json": {"ep": 1, "text": ["a"]}, "headers": tok}, {400}),
        ("POST", "/api/check", {"content": b"{not json", "headers": {**tok, "Content-Type": "application/json"}}, {400}),
        ("POST", "/script", {"data": form}, {400}),
        ("POST", "/script", {"data": {**form, "ep": HUGE, "text": "x", "version": "v"}}, {400}),
        ("POST", "/script", {"json": {"ep": 1, "text": ["x"], "version": "v"}, "headers": tok}, {400}),
        ("POST", "/script", {"data": {**form, "ep": "1", "text": "x", "version": "v"}}, {409}),  # a stale version
        ("POST", "/bible", {"data": {**form, "text": "x"}}, {400}),
        ("POST", "/take", {"data": form}, {400}),
        ("POST", "/take", {"data": {**form, "shot": sid, "use": "abc"}}, {400}),
        ("POST", "/take", {"data": {**form, "shot": sid, "use": HUGE}}, {400}),
        ("POST", "/dub", {"data": form}, {400}),
        ("POST", "/dub", {"data": {**form, "line": "ep01-s01-l01"}}, {400}),
        ("POST", "/dub", {"data": {**form, "line": "ep01-s01-l01"}, "files": {"take": ("t.wav", b"not sound")}},
         {400, 409, 415}),
        ("POST", "/new", {"data": {**form, "premise": "a film"}}, {409}),  # this folder holds one already
        ("POST", "/new", {"data": {**form, "premise": "a film", "episodes": HUGE}}, {400}),
        ("POST", "/new", {"data": {**form, "premise": "a film", "format": "opera"}}, {400}),
        ("POST", "/new", {"data": form}, {400}),
        ("POST", "/action", {"data": {**form, "shot": sid, "text": "A gull."}}, {400}),
        ("POST", "/action", {"data": {**form, "shot": sid, "text": "A gull.", "version": "0" * 64}}, {409}),
        ("POST", "/seed", {"data": {**form, "shot": "../../x", "version": "v"}}, {404}),
        ("POST", "/provider", {"data": {**form, "shot": sid, "version": "v", "role": "voice"}}, {400}),
        ("POST", "/provider", {"data": {**form, "shot": sid, "version": "v", "role": "animator", "name": "../x"}},
         {400}),
        ("POST", "/picture", {"data": {**form, "shot": "../../x", "clear": "1"}}, {400}),
        ("POST", "/picture", {"data": {**form, "shot": sid}}, {400}),
        ("POST", "/picture", {"data": {**form, "shot": sid}, "files": {"picture": ("a.png", b"<html>")}}, {415}),
        ("POST", "/clip", {"data": {**form, "shot": sid}, "files": {"clip": ("a.mp4", b"not a video")}}, {415}),
        ("POST", "/check", {"data": form}, {400}),
        ("POST", "/check", {"data": {**form, "mp4": "../filmcrew.toml"}}, {403}),
        ("POST", "/check", {"data": {**form, "mp4": "out/ep01.preview.mp4", "profile": "../../etc/passwd"}},
         {400, 404, 409}),
        ("POST", "/run", {"data": {**form, "what": "rm -rf"}}, {400}),
        ("POST", "/run", {"data": form}, {400}),
        # issue 32's pages: settings, keys, characters, a shot's settings, the storyboard's shots, the timeline
        ("GET", "/character", {}, {400}),
        ("GET", "/character?name=NOBODY", {}, {404}),
        ("GET", "/character/sample?name=" + "x" * 500, {}, {400}),
        ("GET", f"/timeline?ep={HUGE}", {}, {400}),
        ("GET", "/timeline?ep=abc", {}, {400}),
        ("GET", "/timeline?ep=9", {}, {404}),
        ("POST", "/settings", {"data": {"minutes": "2", "version": "v"}}, {403}),
        ("POST", "/settings", {"data": {**form, "minutes": "2", "version": "v"}, "headers": {"Origin": "null"}}, {403}),
        ("POST", "/settings", {"data": {**form, "minutes": "2", "version": "0" * 64}}, {409}),
        ("POST", "/settings", {"data": {**form, "minutes": "lots", "version": "v"}}, {409}),  # stale first
        ("POST", "/settings/key", {"data": {"name": "KLING_ACCESS_KEY", "value": "k"}}, {403}),
        ("POST", "/settings/key", {"data": {**form, "name": "PATH", "value": "k"}}, {400}),
        ("POST", "/settings/key", {"data": {**form, "name": "KLING_ACCESS_KEY"}}, {400}),
        ("POST", "/settings/key", {"data": {**form, "name": "KLING_ACCESS_KEY", "value": "k" * 5000}}, {400}),
        ("POST", "/character", {"data": {"name": "IVO", "version": "v"}}, {403}),
        ("POST", "/character", {"data": {**form, "name": "NOBODY", "version": "v"}}, {404}),
        ("POST", "/character", {"data": {**form, "name": "IVO", "version": "0" * 64, "costume": "x"}}, {409, 404}),
        ("POST", "/shot/settings", {"data": {"shot": sid, "version": "v", "camera": "wide"}}, {403}),
        ("POST", "/shot/settings", {"data": {**form, "shot": sid, "version": "v", "seconds": "abc"}}, {400}),
        ("POST", "/shot/settings", {"data": {**form, "shot": sid, "version": "v", "seconds": HUGE}}, {400}),
        ("POST", "/shot/settings", {"data": {**form, "shot": sid, "version": "0" * 64, "camera": "wide"}}, {409}),
        ("POST", "/shot/settings", {"data": {**form, "shot": "../../x", "version": "v"}}, {404}),
        ("POST", "/board/shot", {"data": {"shot": sid, "version": "v", "do": "delete"}}, {403}),
        ("POST", "/board/shot", {"data": {**form, "shot": sid, "version": "v"}}, {400}),
        ("POST", "/board/shot", {"data": {**form, "shot": sid, "version": "v", "do": "explode"}}, {400}),
        ("POST", "/board/shot", {"data": {**form, "shot": sid, "version": "0" * 64, "do": "delete"}}, {409}),
        ("POST", "/timeline/keep", {"data": {"version": "v", "cut": f"{sid}:0:"}}, {403}),
        ("POST", "/timeline/keep", {"data": {**form, "version": "v"}}, {400}),
        ("POST", "/timeline/keep", {"data": {**form, "version": "v", "cut": f"{sid}:0:", "ep": HUGE}}, {400}),
        ("POST", "/timeline/keep", {"data": {**form, "version": "0" * 64, "cut": f"{sid}:0:"}}, {409}),
        ("POST", "/timeline/keep", {"data": {**form, "version": "v", "cut": "x" * 30000}}, {400}),
        ("POST", "/timeline/keep", {"data": {**form, "version": "v", "cut": "a:b:c;;"}}, {400}),
        ("POST", "/timeline/reset", {"data": {**form, "version": "0" * 64}}, {409}),
        ("POST", "/character/clone", {"data": {"name": "IVO"}}, {403}),
        ("POST", "/character/clone", {"data": {**form, "name": "NOBODY", "agree": "1"}}, {404}),
        ("POST", "/character/clone", {"data": {**form, "name": "IVO"}}, {400, 404}),  # no consent ticked
        ("POST", "/character/clone", {"data": {**form, "name": "IVO", "agree": "1", "provider": "../x"}}, {400, 404}),
        ("POST", "/character/clone", {"data": {**form, "name": "IVO", "agree": "1", "person": "A", "consent":
                                               "I agree to all of it", "provider": "minimax-speech"},
                                      "files": {"sample": ("s.wav", b"not sound")}}, {400, 404}),
        ("POST", "/run", {"data": {**form, "what": "make", "pay": "x" * 500}}, {400}),
        # bodies over the route's limit (text 2 MiB, picture 20 MiB, audio and clips 50 MiB)
        ("POST", "/script", {"data": {**form, "ep": "1", "version": "v", "text": "x" * (3 * 2 ** 20)}}, {413}),
        ("POST", "/api/check", {"json": {"ep": 1, "text": "x" * (3 * 2 ** 20)}, "headers": tok}, {413}),
        ("POST", "/picture", {"data": {**form, "shot": sid}, "files": {"picture": ("a.png", b"x" * (21 * 2 ** 20))}},
         {413}),
    ]


def test_every_odd_request_is_answered_and_changes_nothing(studio, client):
    before = files_of(studio.root)
    seen = []
    for method, path, kw, allowed in catalogue(studio):
        r = client.request(method, path, follow_redirects=False, **kw)
        seen.append((method, path, r.status_code))
        assert r.status_code in allowed, (method, path, r.status_code, r.text[:600])
        assert r.headers.get("content-security-policy", "").startswith("default-src 'none'"), (method, path)
        if r.status_code >= 400 and not path.startswith("/api/") and "json" not in kw:
            assert "<title>" in r.text, (method, path, r.text[:300])  # a page, with a way back
            assert "Go back" in r.text or "Someone saved this file" in r.text, (method, path, r.text[:300])
        if r.status_code == 403:  # (refused: a foreign Host, Origin or form token)
            assert studio.csrf not in r.text, (method, path)  # a refusal never carries the form token
    assert files_of(studio.root) == before  # nothing written, whatever was asked
    assert not any(code >= 500 for _, _, code in seen)


def test_a_wrong_field_is_named_and_a_refusal_is_json_for_a_script(studio, client):
    r = client.get(f"/board?ep={HUGE}")
    assert r.status_code == 400 and "ep" in r.text
    r = client.post("/api/check", json=[1, 2], headers={"X-CSRF": studio.csrf})  # crashed before the token check once
    assert r.status_code == 400 and "error" in r.json()
    r = client.post("/api/check", json={"ep": 1, "text": "x"})
    assert r.status_code == 403 and "form" in r.json()["error"]
    r = client.post("/script", data={"csrf": studio.csrf, "ep": "1", "version": "v"})
    assert r.status_code == 400 and "text" in r.text


def test_no_text_in_the_banner_from_the_address(studio, client):
    """Only the server's own session says what was done: a link cannot put words in the green banner."""
    for q in ("dubbed", "saved", "said"):
        r = client.get(f"/?{q}=YOU+HAVE+BEEN+HACKED")
        assert r.status_code == 200 and "HACKED" not in r.text and 'class="msg' not in r.text
        r = client.get(f"/shot?id={shot_id(studio)}&{q}=YOU+HAVE+BEEN+HACKED")
        assert r.status_code == 200 and "HACKED" not in r.text


def test_a_saved_change_says_so_once(studio, client):
    import re
    page = client.get("/bible").text
    version = re.search(r'name="version" value="([0-9a-f]{64})"', page).group(1)
    text = (studio.root / "story" / "bible.yaml").read_text()
    r = client.post("/bible", data={"csrf": studio.csrf, "text": text, "version": version}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/bible"  # nothing in the address
    assert "saved story/bible.yaml" in client.get("/bible").text
    assert "saved story/bible.yaml" not in client.get("/bible").text  # once


def test_a_planted_fault_is_a_500_page_with_an_incident_id(studio, client, monkeypatch, caplog):
    from filmcrew import project
    from filmcrew.studio import project as proj

    def broken(*a, **kw):
        raise RuntimeError("a planted fault")
    before = files_of(studio.root)
    monkeypatch.setattr(proj, "episodes", broken)
    r = client.get("/")
    assert r.status_code == 500 and "incident" in r.text and "a planted fault" not in r.text
    assert "<title>" in r.text
    monkeypatch.setattr(project, "script_report", broken)  # the live check's (project.py since 0cf6571)
    r = client.post("/api/check", json={"ep": 1, "text": "x"}, headers={"X-CSRF": studio.csrf})
    assert r.status_code == 500 and "incident" in r.json()["error"]
    assert "a planted fault" in caplog.text  # the traceback is in the server's log
    assert files_of(studio.root) == before


def test_a_body_that_never_arrives_is_answered_408_not_held(studio):
    """Over a real socket against the served studio: headers that promise 1000 bytes, and none sent."""
    studio.start()
    try:
        before = files_of(studio.root)
        with socket.create_connection(("127.0.0.1", studio.port), timeout=20) as s:
            s.sendall(b"POST /bible HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                      b"Content-Length: 1000\r\nX-CSRF: " + studio.csrf.encode() + b"\r\n\r\n")
            t0 = time.monotonic()
            answer = b""
            while b"\r\n\r\n" not in answer:
                got = s.recv(65536)
                if not got:
                    break
                answer += got
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert time.monotonic() - t0 < 15
        # and one declared far over the limit, answered from its Content-Length before a byte of it is read
        with socket.create_connection(("127.0.0.1", studio.port), timeout=20) as s:
            s.sendall(b"POST /picture HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                      b"Content-Length: 999999999\r\n\r\n")
            answer = b""
            while b"</html>" not in answer and (got := s.recv(65536)):
                answer += got
        assert answer.startswith(b"HTTP/1.1 413") and b"at most 20 MiB" in answer
        assert files_of(studio.root) == before
    finally:
        studio.close()


def page_version(client, path: str) -> str:
    import re
    return re.search(r'name="version" value="([0-9a-f]{64})"', client.get(path).text).group(1)


def test_odd_cuts_and_character_forms_with_a_fresh_page_are_refused(studio, client):
    """The attacker's pass over the new pages (a fresh version, so each reaches past the stale-page check): cut
    frames that are not the page's plain digits, past a made clip's end, a shot twice; a character form with a
    palette field named 'palette_²' (a 500 once: str.isdigit), a voice provider that is a path (saved once, and
    every page of the film failed after), the character named in other letters (a 500 once). Each 400/404 with a
    page, nothing written."""
    from filmcrew.handoff import importer
    from filmcrew.studio import project as proj
    root, form = studio.root, {"csrf": studio.csrf}
    ids = [c.id for c in proj.board(root, 1, True)[0]]
    made = importer.made_lengths(root, proj.env(), 1)
    sid = next(i for i in ids if i in made)
    before = files_of(root)
    cuts = [f"{sid}:0:{HUGE}", f"{sid}:-5:10", f"{sid}:0:-1", f"{sid}:nan:5", f"{sid}:1e3:", f"{sid}:1_0:",
            f"{sid}:\u0663:", f"{sid}: 5 :", f"{sid}:0:;{sid}:0:", ";".join(f"{i}:0:" for i in ids) + f";{ids[0]}:0:",
            f"{sid}:{made[sid]}:", f"{sid}:0:{made[sid] + 1}", "../../etc/passwd:0:", "ep02-s01-sh01:0:"]
    for cut in cuts:
        r = client.post("/timeline/keep", data={**form, "version": page_version(client, "/timeline?ep=1"), "cut": cut},
                        follow_redirects=False)
        assert r.status_code == 400 and "Go back" in r.text and "nothing was changed" in r.text.lower(), (cut, r.text[-600:])
    for extra, status, said in (({"palette_\u00b2": "#ffffff", "voice_speed": "nan"}, 400, "speed"),
                                ({"voice_provider": "../../x"}, 400, "does not speak lines"),
                                ({"name": "ivo", "voice_speed": "inf"}, 400, "speed"),
                                ({"voice_pitch": "1e308"}, 400, "pitch")):
        data = {**form, "name": "IVO", "version": page_version(client, "/character?name=IVO"), **extra}
        r = client.post("/character", data=data, follow_redirects=False)
        assert r.status_code == status and said in r.text and "Go back" in r.text, (extra, r.status_code, r.text[-600:])
    assert files_of(root) == before
    assert client.get("/timeline?ep=1").status_code == 200 and client.get("/board?ep=1").status_code == 200


def test_clip_on_first_play_waits_for_a_running_make_and_never_makes_a_paid_shot(studio, client):
    """/clip makes a clip the film's segment drew (from made inputs) on its first play: refused (409) while a make
    holds the project's lock (its executor would clear the store's temporary folder under the running make), and
    a shot a video vendor animates (Kling) is never made there: 404, no job journaled."""
    from filmcrew import pipeline
    from filmcrew.engine.jobs import Journal
    from filmcrew.engine.layout import Layout
    from filmcrew.engine.lock import make_lock
    from filmcrew.studio import project as proj
    root = studio.root
    _, (ctx,) = pipeline.contexts(root, proj.env(), 1, preview=True)
    st = Layout.of(root).store()
    clips = [t for t in pipeline.episode_graph(ctx).plays if t.role == "animator" and proj._makeable(st, t)]
    unmade = clips[0]  # (drawn by its segment; another test may have played it already: this copy's is removed)
    if (st.path(unmade.key) / "clip.mp4").is_file():
        assert root in st.path(unmade.key).parents  # this module's own copy of the film, not a shared store
        shutil.rmtree(st.path(unmade.key))
    with make_lock(root, "a make in a test"):
        r = client.get(f"/clip?key={unmade.key}")
    assert r.status_code == 409 and "a make of this project is running" in r.text
    assert not (st.path(unmade.key) / "clip.mp4").is_file()
    # a shot handed to Kling (its screenplay note), asked for through /clip by each key of its tasks
    path = Layout(root).episode(1)
    text = path.read_text(encoding="utf-8")
    sid = ctx.episode.shots()[0].id
    version = page_version(client, f"/shot?id={sid}")
    r = client.post("/provider", data={"csrf": studio.csrf, "shot": sid, "version": version, "role": "animator",
                                       "name": "kling"}, follow_redirects=False)
    try:
        assert r.status_code == 303, r.text[-400:]
        _, (kctx,) = pipeline.contexts(root, proj.env(), 1, preview=True)
        g = pipeline.episode_graph(kctx)
        keys = {proj._key(t) for t in g.all if t.role == "animator" and t.artifact.startswith(sid)} - {None}
        assert keys and any(t.estimate is not None for t in g.all)  # its duration's key; the video job's waits on it
        for key in sorted(keys) + ["0" * 64]:  # (any key: a 500 once, the Kling clip's key waiting on its duration)
            r = client.get(f"/clip?key={key}")
            assert r.status_code == 404 and "no clip made under this key" in r.text, r.text[-400:]
        assert Journal.of(root).records() == []  # no job journaled, so none sent
    finally:
        path.write_text(text, encoding="utf-8")


def test_a_cut_from_an_editing_program_offers_the_way_back(studio, client, monkeypatch):
    """The timeline of a cut holding a clip added in an editing program cannot be re-cut in the page; it says 'go
    back to the screenplay's cut', and now has that button (it had none: the form was only on an editable cut)."""
    import re

    from filmcrew.handoff import importer
    from filmcrew.story.cut import Cut, Item
    sid = shot_id(studio)
    monkeypatch.setattr(importer, "current_cut", lambda root, env, n: Cut(
        (Item("shot", 0, None, shot=sid), Item("take", 0, 30, media="takes/extra.mp4", name="extra")), by="an editor"))
    page = client.get("/timeline?ep=1")
    assert page.status_code == 200 and "editing program" in page.text and 'id="keep"' not in page.text
    form = re.search(r'<form method="post" action="/timeline/reset">.*?</form>', page.text, re.S)
    assert form is not None and 'id="reset"' in form.group(0) and "Back to the screenplay" in form.group(0)


def test_a_broken_bible_is_named_by_its_place_in_the_project_never_by_absolute_path(studio, client):
    """A bible that no longer parses: each page that reads it refuses with the file and line as the person
    knows them (story/bible.yaml:N), not with the folder the project sits in on this machine."""
    bible = studio.root / "story" / "bible.yaml"
    kept = bible.read_text(encoding="utf-8")
    try:
        bible.write_text(kept + "characters:\n  - name: [broken\n", encoding="utf-8")
        for path in ("/board", "/characters", "/timeline?ep=1"):
            r = client.get(path)
            assert r.status_code == 409 and "story/bible.yaml:" in r.text, (path, r.status_code)
            assert str(studio.root) not in r.text and str(studio.root.resolve()) not in r.text, path
    finally:
        bible.write_text(kept, encoding="utf-8")
