"""The storyboard's cards follow each shot's remote jobs (issue 15), read from the job journal that a real make
writes while Kling's jobs run (against tests/fake_kling.py, which follows Kling's published API): sent and the
vendor's own state while it runs, done, or failed with the vendor's reason."""

from __future__ import annotations

import threading
import time

import pytest
from fake_kling import AK, SK, FakeKling
from model_project import model_project

from filmcrew.cli import main
from filmcrew.studio import pages
from filmcrew.studio import project as proj

KLING = ('model = "kling-v2-6"\nmode = "std"\naccess_key_env = "KLING_ACCESS_KEY"\n'
         'secret_key_env = "KLING_SECRET_KEY"\nmax_concurrent = 2\npoll_every = 0.1')

pytestmark = pytest.mark.slow


def test_the_cards_show_each_remote_job_while_the_make_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("KLING_ACCESS_KEY", AK)
    monkeypatch.setenv("KLING_SECRET_KEY", SK)
    with FakeKling() as fake:
        fake.work = 3.0  # each video job takes 3 s at the vendor
        fake.script = ["fail"]  # and the first one sent fails there
        root = model_project(tmp_path / "film", fake.url, {"animator": "kling"}, KLING)
        codes = []
        make = threading.Thread(target=lambda: codes.append(main(["make", str(root), "--preview", "--quiet"])))
        make.start()
        seen: dict[str, set] = {}
        while make.is_alive():
            cards, _ = proj.board(root, 1, True)
            for c in cards:
                for line in pages.job_lines(c.jobs):
                    seen.setdefault(c.state, set()).add(line)
            time.sleep(0.2)
        make.join()
    assert codes and codes[0] != 0  # the failed job fails its shot; the others are made
    running = " | ".join(seen.get("running", ()))
    assert "animating (kling" in running and "sent" in running and "processing" in running, seen
    cards, _ = proj.board(root, 1, True)
    failed = [c for c in cards if c.state == "failed"]
    assert len(failed) == 1 and "internal error, please retry" in " ".join(pages.job_lines(failed[0].jobs))
    done = [c for c in cards if c.state == "fresh"]
    assert len(done) == len(cards) - 1 and all(pages.job_lines(c.jobs) == ["video back from kling"] for c in done)
    from fastapi.testclient import TestClient

    from filmcrew.studio.app import Studio
    html = TestClient(Studio(root).app, base_url="http://127.0.0.1").get("/board").text  # the page a person sees
    assert "failed: internal error, please retry" in html  # in words: no task id on the page
    import re
    assert not re.search(r"ep\d\d-s\d\d-(sh|l)\d\d\.[a-z]", html.split("<body>", 1)[1])


def test_ask_the_models_again_for_one_shot_from_its_page(tmp_path, monkeypatch):
    """A new seed for one shot (issue 15): the studio writes `seed: 1` in its [[shot: ...]] note, the next make
    sends that shot's video job again (the model is asked with another seed) and no other; a second press is
    `seed: 2`; a stale page is refused."""
    import hashlib
    import re

    from studio_helpers import base, post, serve

    from filmcrew import pipeline
    monkeypatch.setenv("KLING_ACCESS_KEY", AK)
    monkeypatch.setenv("KLING_SECRET_KEY", SK)
    with FakeKling() as fake:
        fake.work = 0.2
        root = model_project(tmp_path / "film", fake.url, {"animator": "kling"}, KLING)
        assert main(["make", str(root), "--preview", "--quiet"]) == 0
        sent = len(fake.submits)
        cards, _ = proj.board(root, 1, True)
        target = cards[1]
        assert target.models and target.seed == 0
        studio = serve(root)
        try:
            ep = root / "story" / "ep01.fountain"
            version = hashlib.sha256(ep.read_bytes()).hexdigest()
            page = post(f"{base(studio)}/seed", {"shot": target.id, "version": version, "csrf": studio.csrf})
            assert page[0] == 303, page[1]
            assert re.search(r"\[\[shot: [^\]]*seed: 1\]\]", ep.read_text())
            stale = post(f"{base(studio)}/seed", {"shot": target.id, "version": version, "csrf": studio.csrf})
            assert stale[0] == 409 and "saved since" in stale[1]
        finally:
            studio.close()
        _, (ctx,) = pipeline.contexts(root, {}, 1, preview=True)
        assert [sh.seed for sh in ctx.episode.shots()] == [1 if sh.id == target.id else 0 for sh in ctx.episode.shots()]
        assert main(["make", str(root), "--preview", "--quiet"]) == 0
        assert len(fake.submits) == sent + 1  # that shot's video, asked again; nothing else sent
        assert target.action.split(".")[0] in fake.submits[-1]["body"]["prompt"]
        cards, _ = proj.board(root, 1, True)
        assert all(c.state == "fresh" for c in cards) and cards[1].seed == 1
