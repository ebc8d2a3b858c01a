"""Kling as the animator, against a local server that follows Kling's published API (tests/fake_kling.py):
the JWT, the requests per shot mode, the poll path kept with the task, refusals and rate limits by code,
the capability refusals at plan, fitting the model's clips to the shots, and a whole film."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
from fake_kling import AK, SK, FakeKling
from model_project import model_project
from vendor_requests import request, still  # noqa: F401 (still: the other vendor tests' too)

from filmcrew import pipeline
from filmcrew.cli import main
from filmcrew.errors import ConfigError, ProviderError
from filmcrew.media import ffmpeg
from filmcrew.providers.remote import jobs, kling
from filmcrew.providers.remote.animate import fit
from filmcrew.providers.remote.kling import KlingAnimator
from filmcrew.engine.layout import Layout

ENV = {"KLING_ACCESS_KEY": AK, "KLING_SECRET_KEY": SK}


@pytest.fixture
def fake():
    with FakeKling() as srv:
        yield srv


def provider(fake, **kw):
    return KlingAnimator(env=ENV, base_url=fake.url, poll_every=0.05, **kw)


def test_the_token_is_kling_s_jwt_and_is_signed_again_before_it_expires(fake):
    now = [1_000_000.0]
    p = KlingAnimator(env=ENV, base_url=fake.url, clock=lambda: now[0])
    t1 = p.token()
    head, body, _ = t1.split(".")
    claims = json.loads(kling.base64.urlsafe_b64decode(body + "=="))
    assert claims == {"iss": AK, "exp": 1_001_800, "nbf": 999_995}
    now[0] += 1000
    assert p.token() == t1  # still 800 s left
    now[0] += 760
    assert p.token() != t1  # under a minute left: signed again
    with pytest.raises(ProviderError, match="KLING_ACCESS_KEY and KLING_SECRET_KEY"):
        KlingAnimator(env={}, base_url=fake.url).token()


def test_first_frame_is_an_image2video_job_followed_on_its_own_path(fake, tmp_path):
    (tmp_path / "o").mkdir()
    out = provider(fake).animate(request(tmp_path), tmp_path / "o")
    (sent,) = fake.submits
    assert sent["kind"] == "image2video"
    b = sent["body"]
    assert b["model_name"] == "kling-v2-6" and b["mode"] == "std" and b["duration"] == "5"
    assert len(b["external_task_id"]) == 32 and "image_tail" not in sent["images"]
    assert sent["images"]["image"] == hashlib.sha256((tmp_path / "first.png").read_bytes()).hexdigest()
    rec = json.loads((tmp_path / "jobs" / f"{'ef' * 32}.json").read_text())
    assert rec["handle"]["kind"] == "image2video" and rec["handle"]["task_id"]  # the poll path, kept with the id
    assert "url" not in json.dumps(rec) and "127.0.0.1" not in json.dumps(rec)  # no result link written down
    p = ffmpeg.probe(out, count_frames=True)
    assert p.duration == pytest.approx(5.0, abs=0.1) and p.fps == 24
    gen = json.loads((tmp_path / "o" / "generation.json").read_text())
    assert gen["estimate"] == {"amount": 3.0, "currency": "CNY", "checked": "2026-12-02"}  # 5 s at 0.6 a second


def test_first_last_sends_the_tail_in_pro_and_reference_sends_the_images_in_order(fake, tmp_path):
    (tmp_path / "o").mkdir()
    provider(fake, mode="pro").animate(request(tmp_path, mode="first-last"), tmp_path / "o")
    assert fake.submits[0]["images"]["image_tail"] == hashlib.sha256((tmp_path / "last.png").read_bytes()).hexdigest()
    refs = (("JONAH", still(tmp_path / "j.png", (1, 2, 3))), ("MEI", still(tmp_path / "m.png", (4, 5, 6))))
    t2 = jobs.JobTicket(tmp_path / "jobs", "ab" * 32, "ep01-s01-sh02.video")
    provider(fake).animate(request(tmp_path, mode="reference", references=refs, job=t2), tmp_path / "o")
    sent = fake.submits[1]
    assert sent["kind"] == "multi-image2video" and sent["body"]["aspect_ratio"] == "9:16"
    assert sent["image_list"] == [hashlib.sha256(p.read_bytes()).hexdigest() for _, p in refs]


def test_refusals_rate_limits_and_failed_tasks(fake, tmp_path, monkeypatch):
    monkeypatch.setattr("filmcrew.providers.http.Retry.base", 0.01)
    (tmp_path / "o").mkdir()
    # (1301, content safety sent as HTTP 500, refused and not sent again: tests/vendors/test_conformance.py)
    fake.script = ["1302", "1302"]  # too fast, without a Retry-After
    provider(fake).animate(request(tmp_path), tmp_path / "o")
    assert len(fake.submits) == 3 and len(fake.tasks) == 1
    t2 = jobs.JobTicket(tmp_path / "jobs", "12" * 32, "ep01-s02-sh01.video")
    fake.script = ["risk"]
    with pytest.raises(jobs.RefusedError, match="risk control"):
        provider(fake).animate(request(tmp_path, job=t2), tmp_path / "o")


def test_an_expired_result_link_is_asked_for_again_not_resubmitted(fake, tmp_path):
    fake.expire_next = 1
    (tmp_path / "o").mkdir()
    with pytest.raises(ProviderError, match="may have expired"):
        provider(fake).animate(request(tmp_path), tmp_path / "o")
    provider(fake).animate(request(tmp_path), tmp_path / "o")
    assert len(fake.submits) == 1 and fake.fetches == 2


def test_capabilities_and_durations(fake):
    std, pro = provider(fake), provider(fake, mode="pro")
    assert "cannot animate a shot as first-last" in std.refuse("first-last", "9:16", 0)
    assert pro.refuse("first-last", "9:16", 0) is None
    assert "takes 4 reference images" in std.refuse("reference", "9:16", 5)
    assert "4:3" in std.refuse("first-frame", "4:3", 0)
    assert [std.duration_for(s) for s in (2.0, 5.0, 5.1, 10.0, 12.5)] == [5, 5, 10, 10, 10]
    with pytest.raises(ConfigError, match="lasts 14.0 s.*at most 10 s.*split the shot"):
        std.duration_for(14.0)


def test_fitting_trims_slows_holds_and_recomposes(tmp_path):
    import imageio_ffmpeg
    from fake_kling import clip
    src = tmp_path / "m.mp4"
    src.write_bytes(clip(5, "16:9"))  # 640x360, 24 fps, 5 s
    exe = imageio_ffmpeg.get_ffmpeg_exe()
    for frames, how in ((108, "trimmed"), (170, "slowed"), (200, "slowed and held")):
        info = fit(src, tmp_path / f"c{frames}.mp4", frames, (540, 960), exe)
        p = ffmpeg.probe(tmp_path / f"c{frames}.mp4", count_frames=True)
        assert info["fit"] == how and p.frames == frames and (p.width, p.height) == (540, 960) and p.fps == 30
    assert info["speed"] == 0.8 and info["held_seconds"] == pytest.approx(200 / 30 - 5 / 0.8, abs=0.01)


KLING = ('model = "kling-v2-6"\nmode = "std"\naccess_key_env = "KLING_ACCESS_KEY"\n'
         'secret_key_env = "KLING_SECRET_KEY"\nmax_concurrent = 3\npoll_every = 0.05')


def _project(root: Path, fake, budget: float | None = None) -> Path:
    return model_project(root, fake.url, {"animator": "kling"}, KLING, budget, currency="CNY")


def test_a_shot_asking_what_the_model_cannot_do_is_refused_at_plan(fake, tmp_path, monkeypatch, capsys):
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    root = _project(tmp_path / "film", fake)
    ep = root / "story" / "ep01.fountain"
    ep.write_text(re.sub(r"\[\[shot: wide; ([\d.]+)s\]\]", r"[[shot: wide; \1s; video: first-last]]", ep.read_text(), count=1))
    capsys.readouterr()
    assert main(["plan", str(root), "--preview"]) == 2
    err = capsys.readouterr().err
    assert "ep01.fountain:" in err and "cannot animate a shot as first-last" in err and fake.submits == []


@pytest.mark.slow
def test_a_film_animated_by_kling_and_a_changed_line_sends_no_new_job(fake, tmp_path, monkeypatch, capsys):
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    root = _project(tmp_path / "film", fake, budget=50)
    capsys.readouterr()
    assert main(["plan", str(root), "--preview", "--cost"]) == 0
    out = capsys.readouterr().out
    assert ".video" in out and "CNY" in out and fake.submits == []
    assert main(["plan", str(root), "--preview"]) == 0
    err = capsys.readouterr().err
    assert "kling is asked for 5 s for a" in err and "(estimated): trimmed by" in err  # said before anything is sent
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    _, ctxs = pipeline.contexts(root, dict(os.environ), None, True)
    (g,) = [pipeline.episode_graph(c) for c in ctxs]
    st = Layout.of(root).store()
    shots = ctxs[0].episode.shots()
    capsys.readouterr()
    assert main(["plan", str(root), "--preview"]) == 0
    notes = [ln for ln in capsys.readouterr().err.splitlines() if "kling is asked for" in ln]
    assert len(notes) == len(shots) and not any("(estimated)" in n for n in notes)  # now from the laid-out shots
    assert len(fake.submits) == len(shots)
    for sh in shots:
        clip_rec = st.record(g.task(f"{sh.id}.clip").key)["ledger"]
        assert clip_rec["digital_source_type"] == "trainedAlgorithmicMedia" and clip_rec["fit"] in (
            "trimmed", "slowed", "slowed and held")
        p = ffmpeg.probe(st.path(g.task(f"{sh.id}.clip").key) / "clip.mp4", count_frames=True)
        assert p.frames == clip_rec["frames"] and (p.width, p.height) == (540, 960)
    prov = json.loads((root / "out" / "ep01.preview.provenance.json").read_text())
    assert prov["spend"]["CNY"] == pytest.approx(sum(
        3.0 if s["body"]["duration"] == "5" else 6.0 for s in fake.submits))
    # one word more in a line: its voice and what depends on it are re-made; no video job unless the shot's
    # length crossed into another of the model's durations
    ep = root / "story" / "ep01.fountain"
    ep.write_text(ep.read_text().replace("Depends what they say.", "It depends what they say.", 1))
    n = len(fake.submits)
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    _, ctxs2 = pipeline.contexts(root, dict(os.environ), None, True)
    (g2,) = [pipeline.episode_graph(c) for c in ctxs2]
    moved = [sh.id for sh in shots if st.record(g2.task(f"{sh.id}.duration").key)["ledger"]["asked_seconds"]
             != st.record(g.task(f"{sh.id}.duration").key)["ledger"]["asked_seconds"]]
    assert len(fake.submits) == n + len(moved)


@pytest.mark.slow
def test_kills_at_random_points_never_send_a_video_job_twice(fake, tmp_path, monkeypatch):
    """make is SIGKILLed up to ten times, each at a random moment after a job reached Kling (tasks take 0.6 s),
    so kills land while submitting, following and downloading. Each job reaches Kling once, except where a
    person allowed a lost submit to be sent again (Kling cannot be asked for a task by filmcrew's id)."""
    import subprocess
    import sys

    from killer import kill_at_random
    fake.work = 0.6
    root = _project(tmp_path / "film", fake)
    env = {**os.environ, **ENV}
    cmd = [sys.executable, "-m", "filmcrew", "make", str(root), "--preview", "--quiet"]
    journal = jobs.Journal(root / ".filmcrew" / "jobs")
    allowed = []

    def allow_lost() -> None:  # what a person does when make says a submit was lost
        for rec in journal.records():
            if rec.get("state") == "submitting":
                journal.forget(rec["key"])
                allowed.append(rec["label"])
    kills = kill_at_random(cmd, lambda: len(fake.submits), seed=3, env=env, after=allow_lost)
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        assert "may have been billed" in r.stderr, r.stderr
        allow_lost()
        r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert kills >= 3
    records = journal.records()
    assert records and all(rec["state"] == "fetched" for rec in records)
    assert len(fake.tasks) == len(records) + len(allowed)  # one task per job, and one more per allowed resend
    assert len(fake.submits) == len(fake.tasks)  # (no rate-limit answers here)


def test_sound_effects_asks_for_the_models_sound_prices_it_and_a_silent_model_is_refused(fake, tmp_path):
    p = provider(fake, sound="effects")
    p.check_sound()
    assert p.request(request(tmp_path, sound=True))["body"]["sound"] == "on"
    assert provider(fake).request(request(tmp_path))["body"]["sound"] == "off"  # asked for a silent clip by default
    assert p.estimate(5, False)["amount"] == pytest.approx(4.0) and provider(fake).estimate(5, False)["amount"] == 3.0
    assert "sound" not in provider(fake, model="kling-v2-5-turbo").request(request(tmp_path))["body"]
    with pytest.raises(ConfigError, match="kling-v2-5-turbo makes silent clips"):
        provider(fake, model="kling-v2-5-turbo", sound="effects").check_sound()
    with pytest.raises(ConfigError, match="sound: 'music'"):
        provider(fake, sound="music")


def test_fitting_a_clip_with_sound_fits_its_sound_with_the_picture(tmp_path):
    from fake_kling import clip
    src = tmp_path / "model.mp4"
    src.write_bytes(clip(5, "9:16", sound=True))
    # 6 s asked of a 5 s clip: slowed to 5/6 (within 80%); the sound stretched the same (its pitch kept), as long
    info = fit(src, tmp_path / "clip.mp4", 180, (540, 960), ffmpeg.executable(), tmp_path / "sound.wav")
    assert info["fit"] == "slowed" and "the shot's effects" in info["sound"]
    a, rate = ffmpeg.read_wav(tmp_path / "sound.wav")
    assert rate == 48000 and a.shape == (6 * 48000, 2)
    spec = np.abs(np.fft.rfft(a[48000:96000, 0]))
    assert abs(np.argmax(spec) - 440) < 3 and np.abs(a[-4800:-480]).max() > 0.05  # the tone to the end, not padded
    # a model that sent no sound though asked: silence, and the ledger says so
    silent = tmp_path / "silent.mp4"
    silent.write_bytes(clip(5, "9:16"))
    info = fit(silent, tmp_path / "clip2.mp4", 120, (540, 960), ffmpeg.executable(), tmp_path / "sound2.wav")
    b, _ = ffmpeg.read_wav(tmp_path / "sound2.wav")
    assert "silent clip" in info["sound"] and b.shape == (4 * 48000, 2) and not b.any()


@pytest.mark.slow
def test_a_film_with_the_models_sound_as_effects(fake, tmp_path, monkeypatch, capsys):
    """sound = "effects": every job asks for sound, each shot's fitted sound plays in the effects stem while the
    shot is on screen (the fake's 440 Hz tone), in place of filmcrew's ambience; plan says what happens to the
    sound and the mouths; with "drop" the tone is nowhere."""
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    root = model_project(tmp_path / "film", fake.url, {"animator": "kling"}, KLING + '\nsound = "effects"\n',
                         currency="CNY")
    capsys.readouterr()
    assert main(["plan", str(root), "--preview"]) == 0
    err = capsys.readouterr().err
    assert "its sound kept as the shot's effects" in err and "mouths as the model made them" in err, err

    def tone(root) -> float:
        """The 440 Hz tone's share of the effects stem's energy."""
        _, ctxs = pipeline.contexts(root, dict(os.environ), None, True)
        g = pipeline.episode_graph(ctxs[0])
        a, rate = ffmpeg.read_wav(Layout.of(root).store().path(g.task("ep01.mix").key) / "effects.wav")
        spec = np.abs(np.fft.rfft(a[:, 0])) ** 2
        f = np.fft.rfftfreq(len(a), 1 / rate)
        return float(spec[(f > 430) & (f < 450)].sum() / spec.sum())
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    assert fake.submits and all(s["body"]["sound"] == "on" for s in fake.submits)
    kept = tone(root)
    toml = root / "filmcrew.toml"
    toml.write_text(toml.read_text().replace('sound = "effects"', 'sound = "drop"'))
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    assert all(s["body"]["sound"] == "off" for s in fake.submits[-len(fake.submits) // 2:])
    assert kept > 0.5 and tone(root) < 0.05, (kept, tone(root))  # (the synthetic ambience has 1% near 440 Hz)
