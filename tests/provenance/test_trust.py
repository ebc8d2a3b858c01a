"""Trust, on a real film: a damaged cache is found and re-made, `verify` reads every byte, a make with
nothing to do leaves out/ untouched, files follow the umask, and two fresh caches give the same voices and the
same film, byte for byte."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from filmcrew import pipeline
from filmcrew.cli import main
from filmcrew.engine import store as store_mod
from filmcrew.engine.executor import plan
from filmcrew.media import ffmpeg
from filmcrew.engine.layout import Layout

pytestmark = pytest.mark.slow


@pytest.fixture
def film(small_film, tmp_path):
    """A copy of the session's small film, to damage."""
    root = tmp_path / "film"
    shutil.copytree(small_film, root)
    return root


def graphs(root):
    _, ctxs = pipeline.contexts(root, {}, None, True)
    return [pipeline.episode_graph(c) for c in ctxs]


def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_a_truncated_voice_is_remade_with_the_reason_and_the_film_keeps_its_line(film, capsys):
    (g,) = graphs(film)
    st = Layout.of(film).store()
    voice = next(t for t in g.all if t.role == "voice")
    wav = st.path(voice.key) / "line.wav"
    good = wav.read_bytes()
    wav.write_bytes(good[:len(good) // 4])
    assert main(["plan", str(film), "--preview"]) == 0
    out = capsys.readouterr().out
    assert f"damaged (line.wav is {len(good) // 4} bytes, its record says {len(good)})" in out
    assert [(i.task.artifact, i.reason.split(" (")[0]) for i in plan(st, [g.final])] == [(voice.artifact, "damaged")]
    assert main(["make", str(film), "--preview", "--quiet"]) == 0
    assert wav.read_bytes() == good  # the same voice again (a deterministic one), so nothing after it changed
    assert "made 1 artifact(s)" in capsys.readouterr().out
    assert plan(st, [g.final]) == []


def test_verify_reads_every_byte_and_the_next_make_mends_what_it_found(film, capsys, monkeypatch):
    monkeypatch.setattr(store_mod, "CHEAP_DIGEST", 0)  # as if every file were too big to hash in a make
    (g,) = graphs(film)
    st = Layout.of(film).store()
    shot = next(t for t in g.all if t.artifact.endswith(".segment"))  # a big file (a shot's segment)
    clip = st.path(shot.key) / "segment.mp4"
    good = clip.read_bytes()
    bad = bytearray(good)
    bad[len(bad) // 2] ^= 0x10
    clip.write_bytes(bytes(bad))
    assert plan(st, [g.final]) == []  # a make cannot see a flipped byte in a big file
    assert main(["verify", str(film), "--preview"]) == 1
    out = capsys.readouterr().out
    assert f"damaged  {shot.artifact}" in out and "segment.mp4 does not match its recorded SHA-256" in out
    assert "1 damaged" in out
    assert [i.reason for i in plan(st, [g.final])] == ["damaged (segment.mp4 does not match its recorded SHA-256)"]
    assert main(["make", str(film), "--preview", "--quiet"]) == 0
    assert clip.read_bytes() == good
    assert main(["verify", str(film), "--preview"]) == 0 and "all match their records" in capsys.readouterr().out


def test_verify_reports_an_artifact_whose_folder_is_gone_as_missing(film, capsys):
    (g,) = graphs(film)
    st = Layout.of(film).store()
    shot = next(t for t in g.all if t.artifact.endswith(".segment"))  # (a shot's clip is made on demand only)
    shutil.rmtree(st.path(shot.key))
    assert main(["verify", str(film), "--preview"]) == 1  # it said "all match their records"
    out = capsys.readouterr().out
    assert f"missing  {shot.artifact}" in out and "1 missing" in out and "all match" not in out


def test_a_broken_record_is_named_and_remade_not_a_dead_end(film, capsys):
    (g,) = graphs(film)
    st = Layout.of(film).store()
    task = next(t for t in g.all if t.role == "illustrator")
    rec = st.path(task.key) / "record.json"
    rec.write_text("{not json")
    assert main(["status", str(film), "--preview"]) == 0
    out = capsys.readouterr().out
    assert "damaged" in out and "illustrator" in out
    assert main(["plan", str(film), "--preview"]) == 0
    assert f"delete the folder {st.path(task.key)}" in capsys.readouterr().out
    assert main(["make", str(film), "--preview", "--quiet"]) == 0
    assert json.loads(rec.read_text())["artifact"] == task.artifact and plan(st, [g.final]) == []


def test_a_make_with_nothing_to_do_leaves_out_untouched(film, capsys):
    assert main(["make", str(film), "--preview", "--quiet"]) == 0  # the copy publishes once (its paths moved)
    out = film / "out"
    before = {p.name: (digest(p), p.stat().st_mtime_ns) for p in out.iterdir() if p.is_file()}
    assert main(["make", str(film), "--preview", "--quiet"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    after = {p.name: (digest(p), p.stat().st_mtime_ns) for p in out.iterdir() if p.is_file()}
    assert after == before and "ep01.preview.mp4" in after and "ep01.preview.otio" in after
    # an out/ film changed by hand is published again, not trusted
    mp4 = out / "ep01.preview.mp4"
    mp4.write_bytes(mp4.read_bytes()[:1000])
    assert main(["make", str(film), "--preview", "--quiet"]) == 0
    prov = json.loads((out / "ep01.preview.provenance.json").read_text())
    assert prov["sha256"] == digest(mp4) and ffmpeg.probe(mp4).duration > 10


def test_written_files_follow_the_umask(film):
    mask = os.umask(0o022)
    os.umask(mask)
    want = 0o666 & ~mask
    out = film / "out"
    for p in [out / "ep01.preview.srt", out / "ep01.preview.provenance.json", film / "filmcrew.toml",
              *sorted((film / "story").glob("*"))]:
        assert p.stat().st_mode & 0o777 == want, p


def test_two_fresh_caches_give_the_same_voices_and_the_same_film(small_film, tmp_path):
    """The second make runs in another process (onnxruntime seeds its generator per process). The film is the
    same bytes: every segment, the sound track and the assembly are reproducible (issue 36)."""
    copy = tmp_path / "again"
    shutil.copytree(small_film, copy, ignore=shutil.ignore_patterns(".filmcrew", "out"))
    r = subprocess.run([sys.executable, "-m", "filmcrew", "make", str(copy), "--preview", "--quiet"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    (g,) = graphs(small_film)
    a, b = Layout.of(small_film).store(), Layout.of(copy).store()
    voices = [t for t in g.all if t.role == "voice"]
    assert voices and all(b.has(t.key) for t in voices)  # the same keys: nothing about the project differs
    for t in voices:
        assert digest(a.path(t.key) / "line.wav") == digest(b.path(t.key) / "line.wav"), t.artifact
    assert b.has(g.final.key)
    assert ffmpeg.probe(a.path(g.final.key) / "film.mp4").duration == ffmpeg.probe(b.path(g.final.key) / "film.mp4").duration
    assert digest(a.path(g.final.key) / "film.mp4") == digest(b.path(g.final.key) / "film.mp4")


def test_x264_encodes_with_a_named_thread_count():
    """x264's bytes depend on its thread count, whose default follows the machine's cores: named, the same
    task gives the same bytes on any machine (a cluster's workers included)."""
    from filmcrew.crew.finisher import DELIVERY_THREADS, encode_args
    for preview in (False, True):
        args = encode_args(preview)
        assert args[args.index("-threads") + 1] == DELIVERY_THREADS[1] != "0"  # (the delivery's: one thread)
    assert ffmpeg.X264_THREADS[1] != "0"
