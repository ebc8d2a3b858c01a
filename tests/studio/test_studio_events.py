"""A make's progress as events (issue 30): a real make writes `.filmcrew/events/RUN.jsonl` (the run, each task's
start and end with its role, artifact and shot, the run's end), the command line's progress lines are read
from the same events, and the studio streams them as server-sent events."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from filmcrew.engine import events
from filmcrew.engine.layout import Layout

pytestmark = pytest.mark.slow


def sse_events(text: str) -> list[tuple[str, dict]]:
    """(name, data) of each event of a server-sent events stream."""
    out = []
    for block in re.split(r"\r?\n\r?\n", text):
        name = data = None
        for line in block.splitlines():
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data = line[5:].strip()
        if name and data:
            out.append((name, json.loads(data)))
    return out


def test_a_make_reports_each_task_as_events_that_the_cli_and_the_studio_read(small_film, tmp_path, capsys):
    from fastapi.testclient import TestClient

    from filmcrew import pipeline
    from filmcrew.cli import main
    from filmcrew.engine.executor import plan
    from filmcrew.studio.app import Studio
    root = tmp_path / "film"
    shutil.copytree(small_film, root, symlinks=True)
    ep = root / "story" / "ep01.fountain"
    text = ep.read_text()
    words = re.search(r"\n[A-Z][A-Z ]+\n([^\n\[(]+)\n", text).group(1)
    ep.write_text(text.replace(words, words.rstrip(".!?") + ", truly.", 1))  # one line changed: a few tasks to make
    _, ctxs = pipeline.contexts(root, {}, None, preview=True)
    items = [i for c in ctxs for i in plan(Layout.of(root).store(), pipeline.episode_graph(c).targets)]
    assert 0 < len(items) < 40
    capsys.readouterr()
    assert main(["make", str(root), "--preview"]) == 0
    err = capsys.readouterr().err
    # the command line's progress lines come from the events (the same counts)
    assert f"making {len(items)} artifact(s)" in err and f" {len(items)}/{len(items)} in all)" in err

    path = events.runs(root)[-1]  # (the copied film keeps the events of the make that made it)
    got, _ = events.read(path)
    kinds = [e["type"] for e in got]
    assert kinds[0] == "run_started" and kinds[-1] == "run_ended"
    assert got[0]["tasks"] == len(items) and got[0]["roles"] == dict(
        __import__("collections").Counter(i.task.role for i in items))
    ended = [e for e in got if e["type"] == "task_ended"]
    started = [e for e in got if e["type"] == "task_started"]
    assert len(ended) == len(items) and [e["done"] for e in ended] == list(range(1, len(items) + 1))
    assert {e["artifact"] for e in ended} == {i.task.artifact for i in items}
    assert len(started) == sum(e["outcome"] == "made" for e in ended)  # a kept one was never started
    assert all(e["outcome"] in ("made", "kept") and e["role"] and e["total"] == len(items) for e in ended)
    voice = next(e for e in ended if e["artifact"].endswith(".voice"))
    assert re.match(r"^ep01-s\d\d-sh\d\d$", voice["shot"])  # a line's task names its shot
    assert got[-1]["outcome"] == "finished" and got[-1]["made"] + got[-1]["kept"] == len(items)
    assert [e["seq"] for e in got] == list(range(1, len(got) + 1)) and len({e["run"] for e in got}) == 1

    # the studio streams the same events, in order, then ends after the run's end
    studio = Studio(root, port=0)
    try:
        with TestClient(studio.app, base_url="http://127.0.0.1") as client:
            with client.stream("GET", "/api/events") as r:
                assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
                streamed = sse_events(r.read().decode())
            # the same events, each with what a person reads of it added ("words")
            assert [(n, {k: v for k, v in d.items() if k != "words"}) for n, d in streamed] == [(e["type"], e) for e in got]
            assert all(isinstance(d.get("words"), str) for _, d in streamed)
            with client.stream("GET", "/api/events", headers={"Last-Event-ID": str(got[-3]["seq"])}) as r:
                assert [d["seq"] for _, d in sse_events(r.read().decode())] == [e["seq"] for e in got[-2:]]
            with client.stream("GET", "/api/events?live=1") as r:  # the board follows only a make in progress
                assert [n for n, _ in sse_events(r.read().decode())] == ["idle"]
            with client.stream("GET", f"/api/events?run={path.stem}") as r:
                assert len(sse_events(r.read().decode())) == len(got)
    finally:
        studio.close()


def test_the_studio_follows_its_own_make_by_its_events(small_film, tmp_path):
    """A make started from the studio (a child process named by FILMCREW_RUN): /api/run's counts and the
    stream come from that run's events, read while it runs."""
    import time

    from fastapi.testclient import TestClient

    from filmcrew.studio.app import Studio
    root = tmp_path / "film"
    shutil.copytree(small_film, root, symlinks=True)
    shutil.rmtree(root / "out")  # the publishing is done again; the cache keeps every task
    bible = root / "story" / "bible.yaml"
    studio = Studio(root, port=0)
    try:
        with TestClient(studio.app, base_url="http://127.0.0.1") as client:
            r = client.post("/run", data={"what": "make-preview", "csrf": studio.csrf}, follow_redirects=False)
            assert r.status_code == 303
            run = studio.runs.current.run
            with client.stream("GET", "/api/events") as r:  # follows the studio's run from its start to its end
                streamed = sse_events(r.read().decode())
            deadline = time.monotonic() + 120
            while studio.runs.current.running and time.monotonic() < deadline:
                time.sleep(0.2)
            state = client.get("/api/run").json()
            assert state["returncode"] == 0 and state["run"] == run, state
        names = [n for n, _ in streamed]
        assert names[0] == "run_started" and names[-1] == "run_ended" and all(d["run"] == run for _, d in streamed)
        assert state["total"] == streamed[0][1]["tasks"] and state["done"] == state["total"]
        assert bible.exists() and (root / ".filmcrew" / "events" / f"{run}.jsonl").is_file()
    finally:
        studio.close()
