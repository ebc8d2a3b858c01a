"""Lip sync as a paid job (Kling's lip-sync API, against tests/fake_kling.py which follows its published request):
the request sent, the journal (never paid twice), refusals, a lost answer, the per-shot opt-in refused at plan where
it cannot work, and a film where only the opted-in on-screen shot is sent, within the budget."""

from __future__ import annotations

import base64
import json
import os
import re
import wave
from pathlib import Path

import numpy as np
import pytest

from filmcrew.engine import jobs as jobs_state
from fake_kling import AK, SK, FakeKling
from model_project import model_project
from vendor_requests import request

from filmcrew import pipeline
from filmcrew.engine.layout import Layout
from filmcrew.cli import main
from filmcrew.crew import lipsync
from filmcrew.errors import ProviderError
from filmcrew.media import ffmpeg
from filmcrew.providers.remote import jobs
from filmcrew.providers.remote.kling import KlingAnimator
from filmcrew.providers.remote.kling_lipsync import KlingLipSync, LipSyncRequest
from filmcrew.story import screenplay

ENV = {"KLING_ACCESS_KEY": AK, "KLING_SECRET_KEY": SK}
KLING = ('model = "kling-v2-6"\nmode = "std"\naccess_key_env = "KLING_ACCESS_KEY"\n'
         'secret_key_env = "KLING_SECRET_KEY"\nmax_concurrent = 3\npoll_every = 0.05')


@pytest.fixture
def fake():
    with FakeKling() as srv:
        srv.work = 0.1
        yield srv


def _voice(path: Path, seconds: float = 2.0) -> Path:
    rate = 48000
    t = np.arange(int(seconds * rate)) / rate
    ffmpeg.write_wav(path, 0.3 * np.sin(2 * np.pi * 180 * t), rate)
    return path


def _animated(fake, tmp_path) -> dict:
    (tmp_path / "o").mkdir(exist_ok=True)
    KlingAnimator(env=ENV, base_url=fake.url, poll_every=0.05).animate(request(tmp_path), tmp_path / "o")
    return json.loads((tmp_path / "o" / "generation.json").read_text())["job"]["handle"]


def _sync(fake, tmp_path, handle, key="12" * 32, seconds=5):
    out = tmp_path / f"ls-{key[:4]}"
    out.mkdir(exist_ok=True)
    req = LipSyncRequest(shot_id="ep01-s01-sh01", audio=_voice(tmp_path / "voices.wav"), animator_task=handle,
                         video_seconds=seconds, job=jobs.JobTicket(tmp_path / "jobs", key, "ep01-s01-sh01.lipsync"))
    return KlingLipSync(env=ENV, base_url=fake.url, poll_every=0.05).lipsync(req, out), out


def test_a_lip_sync_job_sends_kling_s_request_for_its_own_video_and_is_never_paid_twice(fake, tmp_path):
    handle = _animated(fake, tmp_path)
    video_id = fake.tasks[handle["task_id"]]["video_id"]
    out, folder = _sync(fake, tmp_path, handle)
    (sent,) = fake.lipsyncs
    assert sent["video_id"] == video_id and sent["mode"] == "audio2video" and sent["audio_type"] == "file"
    assert sent["audio"] == (tmp_path / "voices.wav").read_bytes()  # the WAV itself, base64 without a prefix
    assert out.name == "model.mp4" and out.stat().st_size > 0
    rec = json.loads((tmp_path / "jobs" / f"{'12' * 32}.json").read_text())
    assert rec["state"] == "fetched" and rec["handle"]["kind"] == "lip-sync" and rec["handle"]["video_id"] == video_id
    assert rec["estimate"]["amount"] == 0.0462 and rec["estimate"]["currency"] == "USD"  # 2 s of audio: up to 5 s
    assert "audio_file" not in json.dumps(rec) and "127.0.0.1" not in json.dumps(rec)
    gen = json.loads((folder / "generation.json").read_text())
    assert gen["audio_seconds"] == 2.0 and gen["seconds"] == 5
    polls = fake.polls
    _sync(fake, tmp_path, handle)  # the same job again: the journal's result, nothing sent, nothing asked
    assert len(fake.lipsyncs) == 1 and fake.polls == polls
    # the same request under another key (filmcrew's keys changed, the voices did not): answered from the journal
    out2, folder2 = _sync(fake, tmp_path, handle, key="34" * 32)
    assert len(fake.lipsyncs) == 1 and out2.read_bytes() == out.read_bytes()
    gen2 = json.loads((folder2 / "generation.json").read_text())
    assert gen2["actual"] == 0.0 and gen2["job"]["handle"] == rec["handle"]
    assert jobs.Journal(tmp_path / "jobs").spent()["USD"] == 0.0462  # (the animator's video is in CNY)


def test_refusals_failures_and_a_lost_answer(fake, tmp_path):
    handle = _animated(fake, tmp_path)
    fake.script = ["noface"]
    with pytest.raises(ProviderError, match="there is no human in the video"):
        _sync(fake, tmp_path, handle, key="34" * 32)
    assert json.loads((tmp_path / "jobs" / f"{'34' * 32}.json").read_text())["state"] == "failed"  # not billed
    fake.script = ["1301"]
    with pytest.raises(jobs.RefusedError):
        _sync(fake, tmp_path, handle, key="56" * 32)
    with pytest.raises(jobs.RefusedError, match="not sent again"):  # the same request is not sent again
        _sync(fake, tmp_path, handle, key="56" * 32)
    fake.script = ["drop"]
    with pytest.raises(jobs.LostSubmitError, match="may have been billed"):
        _sync(fake, tmp_path, handle, key="78" * 32)
    n = len(fake.lipsyncs)
    with pytest.raises(jobs.LostSubmitError):  # the next make stops too: never resent on its own
        _sync(fake, tmp_path, handle, key="78" * 32)
    assert len(fake.lipsyncs) == n
    with pytest.raises(ProviderError, match="5 or 10 s"):  # kling-v3's 7 s video: refused before anything is sent
        _sync(fake, tmp_path, handle, key="9a" * 32, seconds=7)
    assert len(fake.lipsyncs) == n
    refused = tmp_path / "jobs" / f"{'9a' * 32}.json"  # refused before sending: nothing counted as spent
    assert not refused.exists() or json.loads(refused.read_text()).get("state") not in jobs_state.SPENT
    with pytest.raises(ProviderError, match="no keys"):
        KlingLipSync(env={}, base_url=fake.url).token()


def test_the_server_refuses_what_kling_refuses(fake, tmp_path):
    """The fake follows the documented request: a request without the audio, a data: prefix, or a video that is
    not this account's is a 1201 (the adapter's message names Kling's words)."""
    from fake_kling import _lip_sync_refusal
    handle = _animated(fake, tmp_path)
    vid = fake.tasks[handle["task_id"]]["video_id"]
    wav = base64.b64encode(_voice(tmp_path / "v.wav").read_bytes()).decode()
    ok = {"video_id": vid, "mode": "audio2video", "audio_type": "file", "audio_file": wav}
    assert _lip_sync_refusal(fake, ok) == ""
    assert "data:" in _lip_sync_refusal(fake, {**ok, "audio_file": "data:audio/wav;base64," + wav})
    assert "one of video_id" in _lip_sync_refusal(fake, {**ok, "video_url": "https://x/y.mp4"})
    assert "last 30 days" in _lip_sync_refusal(fake, {**ok, "video_id": "nope"})
    assert "audio_type" in _lip_sync_refusal(fake, {k: v for k, v in ok.items() if k != "audio_type"})
    assert "120" in _lip_sync_refusal(fake, {"video_id": vid, "mode": "text2video", "text": "x" * 121, "voice_id": "a"})


def test_on_screen_lines_are_the_seen_speakers_without_off_screen_extensions():
    from filmcrew.model import Line, Shot
    lines = (Line("l1", "MEI", "Hello."), Line("l2", "MEI", "Hi.", extension="V.O."),
             Line("l3", "JONAH", "Who?"), Line("l4", "MEI", "Me.", extension="O.S."), Line("l5", "MEI", "Yes.",
                                                                                          extension="CONT'D"))
    sh = Shot(id="s", action="Mei waves.", characters=("MEI",), lines=lines)
    assert [ln.id for ln in lipsync.on_screen(sh)] == ["l1", "l5"]  # JONAH is not in the shot


def _project(root: Path, fake) -> Path:
    root = model_project(root, fake.url, {"animator": "kling"}, KLING, currency="CNY")
    toml = root / "filmcrew.toml"
    toml.write_text(toml.read_text() + f'\n[providers.kling-lipsync]\nbase_url = "{fake.url}"\npoll_every = 0.05\n')
    return root


def _opt_in(root: Path, name="kling-lipsync"):
    """The first shot with an on-screen line asks for lip sync; (its id, the episode's shots)."""
    _, ctxs = pipeline.contexts(root, {**os.environ, **ENV}, None, True)
    shots = ctxs[0].episode.shots()
    sh = next(s for s in shots if lipsync.on_screen(s))
    ep = root / "story" / "ep01.fountain"
    ep.write_text(screenplay.set_shot_note(ep.read_text(), sh.source_line, "lipsync", name))
    return sh, shots


def test_a_shot_that_cannot_be_lip_synced_is_refused_at_plan(fake, tmp_path, monkeypatch, capsys):
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    root = model_project(tmp_path / "film", fake.url, {}, "")  # the offline animator
    _opt_in(root)
    capsys.readouterr()
    assert main(["plan", str(root), "--preview"]) == 2
    err = capsys.readouterr().err
    assert "ep01.fountain:" in err and "animate it with kling" in err
    root2 = _project(tmp_path / "film2", fake)
    _opt_in(root2, "kling")  # the animator does not lip-sync
    assert main(["plan", str(root2), "--preview"]) == 2
    assert "does not lip-sync" in capsys.readouterr().err
    text = (root2 / "story" / "ep01.fountain").read_text()
    (root2 / "story" / "ep01.fountain").write_text(text.replace("lipsync: kling]]", "lipsink: kling-lipsync]]"))
    assert main(["plan", str(root2), "--preview"]) == 2
    assert "did you mean 'lipsync'" in capsys.readouterr().err
    assert fake.submits == [] and fake.lipsyncs == []


@pytest.mark.slow
def test_a_film_lip_syncs_only_the_shot_that_asks_within_the_budget(fake, tmp_path, monkeypatch, capsys):
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    home = Path(os.environ["FILMCREW_HOME"]) / "prices"  # a contract's price, in the budget's currency
    home.mkdir(parents=True, exist_ok=True)
    (home / "kling-lipsync.json").write_text(json.dumps({"currency": "CNY", "checked": "test", "source": "a test",
                                                         "models": {"any": {"5s": 0.4, "10s": 0.8}}}))
    try:
        root = _project(tmp_path / "film", fake)
        sh, shots = _opt_in(root)
        capsys.readouterr()
        assert main(["plan", str(root), "--preview", "--cost"]) == 0
        out = capsys.readouterr().out
        assert f"{sh.id}.lipsync" in out
        # a budget that covers the videos but not the lip sync: refused before anything is sent
        videos = sum(3.0 if screenplay.estimated_shot_seconds(s, "en") <= 5 else 6.0 for s in shots)
        toml = root / "filmcrew.toml"
        toml.write_text(toml.read_text() + f'\n[budget]\nmax = {videos + 0.1}\ncurrency = "CNY"\n')
        assert main(["make", str(root), "--preview", "--quiet"]) != 0
        assert "budget" in capsys.readouterr().err and fake.submits == [] and fake.lipsyncs == []
        toml.write_text(re.sub(r"max = [\d.]+", f"max = {videos + 1}", toml.read_text()))
        assert main(["make", str(root), "--preview", "--quiet"]) == 0, capsys.readouterr().err
        (sent,) = fake.lipsyncs  # one job, for the shot that asked
        _, ctxs = pipeline.contexts(root, dict(os.environ), None, True)
        g = pipeline.episode_graph(ctxs[0])
        st = Layout.of(root).store()
        rec = st.record(g.task(f"{sh.id}.lipsync").key)["ledger"]
        assert rec["digital_source_type"] == "trainedAlgorithmicMedia" and rec["cost"]["currency"] == "CNY"
        assert g.task(f"{sh.id}.clip").inputs["video"].artifact == f"{sh.id}.lipsync"  # the fit trims the synced clip
        # the audio sent: the shot's on-screen lines where they play in the shot, as long as the shot
        with wave.open(str(st.path(g.task(f"{sh.id}.lipsync").key) / "voices.wav")) as w:
            frames = json.loads((st.path(g.task(f"{sh.id}.timing").key) / "length.json").read_text())["frames"]
            assert w.getnframes() == round(frames * 48000 / 30)
        assert sent["audio"] == (st.path(g.task(f"{sh.id}.lipsync").key) / "voices.wav").read_bytes()
        prov = json.loads((root / "out" / "ep01.preview.provenance.json").read_text())
        paid_videos = sum(3.0 if s["body"]["duration"] == "5" else 6.0 for s in fake.submits)
        assert prov["spend"]["CNY"] == pytest.approx(paid_videos + (0.4 if rec["audio_seconds"] <= 5 else 0.8))
        n = len(fake.submits)
        assert main(["make", str(root), "--preview", "--quiet"]) == 0  # nothing to do: nothing sent or paid again
        assert len(fake.lipsyncs) == 1 and len(fake.submits) == n
    finally:
        (home / "kling-lipsync.json").unlink()
