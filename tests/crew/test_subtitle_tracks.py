"""Soft subtitle tracks (issue 37): every subtitle language as a language-tagged mov_text stream in the MP4, beside
the burned-in subtitles; read back with Debian's ffprobe and by `filmcrew check`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from filmcrew.cli import main
from filmcrew.crew import subtitle_tracks
from filmcrew.media import ffmpeg
from filmcrew.provenance import check

SRT = {"en": "1\n00:00:00,200 --> 00:00:01,000\nThe water rises.\n\n2\n00:00:01,200 --> 00:00:01,900\nRun!\n",
       "fr": "1\n00:00:00,200 --> 00:00:01,000\nL'eau monte.\n\n2\n00:00:01,200 --> 00:00:01,900\nCours !\n",
       "zh": "1\n00:00:00,200 --> 00:00:01,000\n水涨起来了。\n\n2\n00:00:01,200 --> 00:00:01,900\n快跑！\n"}


def ffprobe(path: Path) -> dict:
    exe = shutil.which("ffprobe")
    if exe is None:
        pytest.skip("Debian's ffprobe is not installed")
    return json.loads(subprocess.run([exe, "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
                                     capture_output=True, text=True, check=True).stdout)


def cues(path: Path, index: int) -> list[str]:
    """The text of each cue of subtitle stream `index`, extracted by ffmpeg as SRT."""
    text = subprocess.run([ffmpeg.executable(), "-v", "error", "-i", str(path), "-map", f"0:s:{index}", "-f", "srt", "-"],
                          capture_output=True, text=True, check=True).stdout
    return [b.strip().splitlines()[-1] for b in text.strip().split("\n\n") if b.strip()]


def test_three_languages_become_three_tagged_tracks(tmp_path):
    for lang, text in SRT.items():
        (tmp_path / ("subtitles.srt" if lang == "en" else f"subtitles.{lang}.srt")).write_text(text, encoding="utf-8")
    (tmp_path / "subtitles.de.srt").write_text("\n", encoding="utf-8")  # empty: nothing to carry, left out
    found = subtitle_tracks.tracks(tmp_path, "en")
    assert [lang for lang, _ in found] == ["en", "fr", "zh"]
    film = tmp_path / "film.mp4"
    ffmpeg.run(["-f", "lavfi", "-i", "color=c=navy:s=320x240:r=30:d=2.5", "-f", "lavfi", "-i",
                "sine=frequency=440:sample_rate=48000:duration=2.5", "-c:v", "libx264", "-t", "2.5", "-c:a", "aac",
                str(tmp_path / "plain.mp4")], "a test film")
    inputs, maps = subtitle_tracks.args(found, 1, ["-map", "0:v:0", "-map", "0:a:0", "-c", "copy"])
    ffmpeg.run(["-i", str(tmp_path / "plain.mp4"), *inputs, *maps, "-t", "2.5", str(film)], "adding tracks")
    # ffmpeg's MP4 muxer enables the first track of each kind when none is: the film's own language is on
    assert [s["disposition"]["default"] for s in ffprobe(film)["streams"] if s["codec_type"] == "subtitle"] == [1, 0, 0]
    before = film.read_bytes()
    assert subtitle_tracks.quiet(film) == 1  # none on (the burned-in ones already show): that flag cleared in place
    after = film.read_bytes()
    assert len(after) == len(before) and sum(a != b for a, b in zip(before, after)) == 1
    info = ffprobe(film)
    subs = [s for s in info["streams"] if s["codec_type"] == "subtitle"]
    assert [(s["codec_name"], s["tags"]["language"], s["tags"].get("handler_name")) for s in subs] == [
        ("mov_text", "eng", "English"), ("mov_text", "fra", "Français"), ("mov_text", "zho", "中文")]
    assert [s["disposition"]["default"] for s in subs] == [0, 0, 0]
    assert [s["disposition"]["default"] for s in info["streams"] if s["codec_type"] != "subtitle"] == [1, 1]
    assert subtitle_tracks.quiet(film) == 0 and film.read_bytes() == after
    assert cues(film, 1) == ["L'eau monte.", "Cours !"] and cues(film, 2) == ["水涨起来了。", "快跑！"]
    # the film is as long as it was (-shortest would cut it at the last cue: the finisher gives its length)
    assert abs(float(info["format"]["duration"]) - 2.5) < 0.1
    assert check.subtitle_tracks(film) == [{"language": "eng", "codec": "mov_text", "title": "English"},
                                           {"language": "fra", "codec": "mov_text", "title": "Français"},
                                           {"language": "zho", "codec": "mov_text", "title": "中文"}]
    assert check.subtitle_tracks(tmp_path / "plain.mp4") == []


def test_a_made_film_carries_its_subtitles_as_a_track_and_check_lists_it(small_film, capsys):
    mp4 = next(p for p in (small_film / "out").glob("ep01*.mp4") if ".recap" not in p.name)
    srt = mp4.with_suffix(".srt")
    info = ffprobe(mp4)
    subs = [s for s in info["streams"] if s["codec_type"] == "subtitle"]
    assert [(s["codec_name"], s["tags"]["language"], s["disposition"]["default"]) for s in subs] == [
        ("mov_text", "eng", 0)]  # listed, not shown over the burned-in subtitles
    said = [b.strip().splitlines()[2:] for b in srt.read_text(encoding="utf-8").strip().split("\n\n")]
    assert cues(mp4, 0) == [" ".join(x).strip() if len(x) == 1 else x[-1] for x in said]
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert abs(float(info["format"]["duration"]) - float(video["duration"])) < 0.1  # not cut short by the track
    assert main(["check", str(mp4), "--contest", "youtube-shorts", "--json"]) in (0, 1)
    rep = json.loads(capsys.readouterr().out)
    sub = next(c for c in rep["checks"] if c["check"] == "subtitles")
    assert sub["status"] == "pass" and sub["detail"] == "soft tracks: eng (mov_text, English)"
