"""Labels, content credentials, the AI share and the checker, on real files.

A small filmcrew film (signed, labelled) and files made directly with ffmpeg (not by filmcrew) are checked;
each bad case must fail for its own reason."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from filmcrew.cli import main
from filmcrew.media import ffmpeg
from filmcrew.provenance import check, credentials, labels
from filmcrew.engine.layout import Layout

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def film(small_film):
    return small_film


def _synth(path, size=(540, 960), seconds=3.0, volume_db=-20.0, extra=()):
    w, h = size
    ffmpeg.run(["-f", "lavfi", "-i", f"testsrc2=s={w}x{h}:r=30:d={seconds}",
                      "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
                      "-af", f"volume={volume_db}dB", "-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p",
                      "-c:a", "aac", "-ar", "48000", "-ac", "2", *extra, "-movflags", "+faststart", str(path)], "test file")
    return path


def _find(findings, name):
    return next(f for f in findings if f.check == name)


def test_the_film_is_signed_and_labelled_and_its_share_is_in_the_manifest(film):
    mp4 = film / "out" / "ep01.preview.mp4"
    info = credentials.verify(mp4)
    assert info["valid"] and info["first_action"] == "c2pa.created"
    store = credentials.read_manifest(mp4)
    m = store["manifests"][store["active_manifest"]]
    actions = [a for x in m["assertions"] if x["label"].startswith("c2pa.actions") for a in x["data"]["actions"]]
    assert actions[0]["digitalSourceType"].endswith("compositeWithTrainedAlgorithmicMedia")  # Piper is a trained model
    placed = [a for a in actions if a["action"] == "c2pa.placed"]
    prov = json.loads((film / "out" / "ep01.preview.provenance.json").read_text())
    shots = [a for a in prov["artifacts"] if a["role"] == "animator" or a["ledger"].get("drawn")]  # clips, or the
    # segments that drew their shots' frames
    assert len(placed) == len(shots) == len(m["ingredients"])
    assert all(i["relationship"] == "componentOf" for i in m["ingredients"])
    assert credentials.ai_share_from_manifest(mp4) == prov["ai_share"]
    assert prov["sha256"] == check.sha256(mp4)
    # the offline defaults: everything is machine-made, and only the voices by a trained model
    assert prov["ai_share"]["ai_share"] == {"generated": 1.0, "trained": 0.2}
    labels.read_aigc(mp4)  # signing kept the AIGC tag


def test_ffprobe_reads_one_aigc_tag_in_the_standards_key_order(film):
    """An independent reader: Debian's ffprobe (filmcrew itself uses the imageio-ffmpeg binary, which has none)."""
    ffprobe = shutil.which("ffprobe")
    if not ffprobe:
        pytest.skip("ffprobe not installed (Debian package ffmpeg; .ci/run installs it)")
    out = subprocess.run([ffprobe, "-v", "error", "-show_entries", "format_tags", "-of", "json",
                          str(film / "out" / "ep01.preview.mp4")], check=True, capture_output=True, text=True).stdout
    tags = json.loads(out, object_pairs_hook=list)  # keep duplicates, if any, and the order
    fmt = dict(tags)["format"]
    tag_list = dict(fmt)["tags"]
    assert [k for k, _ in tag_list if k.upper() == "AIGC"] == ["AIGC"]  # exactly one
    aigc = json.loads(dict(tag_list)["AIGC"], object_pairs_hook=list)
    assert [k for k, _ in aigc] == list(labels.AIGC_KEYS)
    assert all(isinstance(v, str) and v.isascii() for _, v in aigc)


def test_a_short_clip_fails_the_contest_duration_and_nothing_else_in_labels(film):
    f = check.run(film / "out" / "ep01.preview.mp4", check.load_profile("iqiyi-2025"))
    assert _find(f, "duration").status == "fail" and "allowed 60 to 300 s" in _find(f, "duration").detail
    for name in ("ai_share", "visible_label", "aigc_tag", "c2pa", "aspect", "loudness", "true_peak", "faststart"):
        assert _find(f, name).status == "pass", (name, _find(f, name).detail)
    assert not check.passed(f)


def test_a_file_with_no_labels_fails_on_labels(tmp_path):
    f = check.run(_synth(tmp_path / "plain.mp4", seconds=62, volume_db=-17), check.load_profile("iqiyi-2025"))
    assert _find(f, "visible_label").status == "fail" and "no visible AI label" in _find(f, "visible_label").detail
    assert _find(f, "aigc_tag").status == "fail" and "no AIGC tag" in _find(f, "aigc_tag").detail
    assert _find(f, "c2pa").status == "warn"  # advised for this contest
    assert _find(f, "ai_share").status == "fail" and "no evidence" in _find(f, "ai_share").detail
    assert _find(f, "ai_share").evidence == "none"
    assert _find(f, "duration").status == "pass"


def test_a_malformed_aigc_tag_fails_with_its_reason(tmp_path):
    bad = '{"Label":"1","ProduceID":"x","ContentProducer":"y"}'  # keys out of order, fields missing
    mp4 = _synth(tmp_path / "bad.mp4", extra=["-metadata", f"AIGC={bad}", "-movflags", "+use_metadata_tags"])
    assert [k for k, _ in labels.mp4_tags(mp4)].count("AIGC") == 1
    f = check.run(mp4, check.load_profile("douyin"))
    assert _find(f, "aigc_tag").status == "fail" and "standard's order" in _find(f, "aigc_tag").detail
    mp4b = _synth(tmp_path / "notjson.mp4", extra=["-metadata", "AIGC={Label:1", "-movflags", "+use_metadata_tags"])
    assert "not JSON" in _find(check.run(mp4b, check.load_profile("douyin")), "aigc_tag").detail


def test_a_remux_after_signing_loses_the_manifest(film, tmp_path):
    remux = tmp_path / "remux.mp4"
    ffmpeg.run(["-i", str(film / "out" / "ep01.preview.mp4"), "-map", "0", "-c", "copy",
                      "-movflags", "+faststart+use_metadata_tags", str(remux)], "remux")
    assert credentials.read_manifest(remux) is None
    f = check.run(remux, check.load_profile("iqiyi-2025"))
    assert _find(f, "c2pa").status == "warn" and "no C2PA manifest" in _find(f, "c2pa").detail
    assert _statuses(f)["integrity"] == "pass"  # a remux is a sound file that lost its credentials, not a broken one
    assert _find(f, "ai_share").status == "fail" and "no C2PA manifest and no provenance file" in _find(f, "ai_share").detail
    strict = {**check.load_profile("iqiyi-2025"), "labels": {"visible": "required", "aigc": "required", "c2pa": "required"}}
    assert _find(check.run(remux, strict), "c2pa").status == "fail"


def test_a_4_3_file_fails_a_vertical_platform(tmp_path):
    f = check.run(_synth(tmp_path / "tv.mp4", size=(640, 480)), check.load_profile("douyin"))
    assert _find(f, "aspect").status == "fail" and "640x480 is 4:3" in _find(f, "aspect").detail


def test_a_file_6_lu_too_loud_fails_loudness(film, tmp_path):
    loud = tmp_path / "loud.mp4"
    ffmpeg.run(["-i", str(film / "out" / "ep01.preview.mp4"), "-map", "0", "-c:v", "copy", "-c:s", "copy",
                "-af", "volume=6dB", "-c:a", "aac", "-ar", "48000", "-movflags", "+faststart", str(loud)], "louder")
    f = check.run(loud, check.load_profile("youtube-shorts"))
    assert _find(f, "loudness").status == "fail" and _find(f, "true_peak").status == "fail"
    # +6 dB on a file mastered to -1 dBTP clips a little in the AAC round trip, so it gains 4 to 6 LU
    gained = float(_find(f, "loudness").detail.split()[0]) - ffmpeg.loudness(film / "out" / "ep01.preview.mp4")["integrated_lufs"]
    assert 3.5 < gained <= 6.2


def test_check_cli_exit_code_and_json(film):
    r = subprocess.run([sys.executable, "-m", "filmcrew", "check", str(film / "out" / "ep01.preview.mp4"), "--contest", "youtube-shorts",
                        "--json"], capture_output=True, text=True)
    rep = json.loads(r.stdout)
    failed = [c["check"] for c in rep["checks"] if c["status"] == "fail"]
    assert failed == ["video_codec"] and r.returncode == 1  # a preview is ultrafast: Constrained Baseline, not High
    said = next(c["detail"] for c in rep["checks"] if c["check"] == "video_codec")
    assert "Baseline; wanted h264 High" in said and "make the film without --preview" in said
    assert subprocess.run([sys.executable, "-m", "filmcrew", "check", "nope.mp4", "--contest", "no-such"], capture_output=True).returncode == 2


def test_human_takes_lower_the_share_below_the_contest_threshold(film, tmp_path):
    root = tmp_path / "dubbed"
    shutil.copytree(film, root, ignore=shutil.ignore_patterns("out"))
    (root / "takes").mkdir(exist_ok=True)
    prov = json.loads((film / "out" / "ep01.preview.provenance.json").read_text())
    lines = [a["artifact"].split(".")[0] for a in prov["artifacts"] if a["role"] == "voice"]
    shots = [a["artifact"].split(".")[0] for a in prov["artifacts"] if a["role"] == "illustrator"]
    rng = np.random.default_rng(0)
    for ln in lines:  # a person dubbed every line (here: a recorded noise burst stands in for the take)
        ffmpeg.write_wav(root / "takes" / f"{ln}.wav", (rng.standard_normal(48000) * 0.1).astype(np.float32))
    for sh in shots[: (len(shots) + 1) // 2]:  # and drew half of the shots
        from PIL import Image
        Image.new("RGB", (540, 960), (90, 120, 160)).save(root / "takes" / f"{sh}.png")
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    mine = json.loads((root / "out" / "ep01.preview.provenance.json").read_text())["ai_share"]
    assert mine["tracks"]["dialogue"]["human"] == 1.0
    assert 0.4 <= mine["tracks"]["picture"]["human"] < 1.0
    assert mine["ai_share"]["generated"] < 0.7 <= prov["ai_share"]["ai_share"]["generated"]
    f = check.run(root / "out" / "ep01.preview.mp4", check.load_profile("iqiyi-2025"))
    assert _find(f, "ai_share").status == "fail" and "at least 70% required" in _find(f, "ai_share").detail
    store = credentials.read_manifest(root / "out" / "ep01.preview.mp4")
    acts = [a["action"] for x in store["manifests"][store["active_manifest"]]["assertions"]
            if x["label"].startswith("c2pa.actions") for a in x["data"]["actions"]]
    assert acts.count("c2pa.edited") == len(lines) + (len(shots) + 1) // 2


def test_a_hand_edited_line_counts_as_human_screenplay(film, tmp_path):
    root = tmp_path / "edited"
    shutil.copytree(film, root, ignore=shutil.ignore_patterns("out"))
    ep = root / "story" / "ep01.fountain"
    text = ep.read_text()
    prov = json.loads((film / "out" / "ep01.preview.provenance.json").read_text())
    first_line = next(a["ledger"]["prompt"] for a in prov["artifacts"] if a["role"] == "voice")
    assert first_line in text
    ep.write_text(text.replace(first_line, "I rewrote this line myself, every word of it.", 1))
    toml = (root / "filmcrew.toml").read_text()
    assert "repeat_at_end = false" in toml
    (root / "filmcrew.toml").write_text(toml.replace("repeat_at_end = false", "repeat_at_end = true"))
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    tr = json.loads((root / "out" / "ep01.preview.provenance.json").read_text())["ai_share"]["tracks"]["screenplay"]
    assert 0 < tr["human"] < 0.5 and tr["algorithmic"] == pytest.approx(1 - tr["human"])
    mp4 = root / "out" / "ep01.preview.mp4"  # and the visible label comes back over the last seconds
    end = ffmpeg.probe(mp4).duration
    assert labels.detect_label(ffmpeg.frame_at(mp4, end - 0.5))["corner"] == "top-left"
    assert labels.detect_label(ffmpeg.frame_at(mp4, end / 2)) is None


def test_labels_cannot_be_switched_off(tmp_path):
    (tmp_path / "filmcrew.toml").write_text("[film]\npremise = 'x'\n[labels]\nvisible = false\n")
    from filmcrew import project
    from filmcrew.errors import ConfigError
    with pytest.raises(ConfigError, match="cannot be switched off"):
        project.load_config(tmp_path)


def test_audio_export_starts_with_the_rhythm_cue_and_carries_the_aigc_tag(film, tmp_path):
    assert main(["export-audio", str(film), "--preview"]) == 0
    m4a = film / "out" / "ep01.preview.m4a"
    assert labels.read_aigc(m4a)["Label"] == "1"
    ffmpeg.run(["-i", str(m4a), "-ac", "1", "-c:a", "pcm_s16le", str(tmp_path / "a.wav")], "decode")
    a, rate = ffmpeg.read_wav(tmp_path / "a.wav")
    a = a[:, 0]
    film_s = ffmpeg.probe(film / "out" / "ep01.preview.mp4").duration
    cue_s = json.loads((film / "out" / "ep01.preview.label.json").read_text())["label_seconds"]
    assert abs(len(a) / rate - (film_s + cue_s)) < 0.2
    # short-long-short-short: energy in 880 Hz only inside the four tones, the long one three times as long
    win = int(0.01 * rate)
    env = np.array([np.abs(a[i:i + win]).mean() for i in range(0, int(1.3 * rate), win)])
    on = env > env.max() * 0.3
    runs, cur = [], 0
    for v in on:
        if v:
            cur += 1
        elif cur:
            runs.append(cur)
            cur = 0
    assert len(runs) == 4 and runs[1] > 2.5 * runs[0] and abs(runs[2] - runs[0]) <= 2 and abs(runs[3] - runs[0]) <= 2
    spec = np.abs(np.fft.rfft(a[: int(0.1 * rate)]))
    assert abs(np.argmax(spec) * rate / int(0.1 * rate) - 880) < 20
    loud = ffmpeg.loudness(m4a)
    assert abs(loud["integrated_lufs"] + 14) <= 1 and loud["true_peak_dbtp"] <= -1.0


def _statuses(findings):
    return {f.check: f.status for f in findings}


def test_a_truncated_film_fails_integrity_though_its_header_promises_the_whole(film, tmp_path):
    """The first third of a front-loaded MP4: the moov still says the full length, so only the samples tell."""
    whole = (film / "out" / "ep01.preview.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[: len(whole) // 3])
    assert ffmpeg.probe(cut).duration == pytest.approx(ffmpeg.probe(film / "out" / "ep01.preview.mp4").duration)
    for contest in ("youtube-shorts", "douyin"):
        f = check.run(cut, check.load_profile(contest))
        integ = _find(f, "integrity")
        assert integ.status == "fail" and "samples the index points to are not in the file" in integ.detail
        assert "decoding error" in integ.detail and not check.passed(f)
    # without decoding, the sample index alone still catches it
    assert _find(check.run(cut, check.load_profile("youtube-shorts"), decode=False), "integrity").status == "fail"
    r = subprocess.run([sys.executable, "-m", "filmcrew", "check", str(cut), "--contest", "douyin"],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "FAIL integrity" in r.stdout and "Traceback" not in r.stderr


def test_the_whole_film_passes_integrity_and_constant_rate(film):
    f = check.run(film / "out" / "ep01.preview.mp4", check.load_profile("youtube-shorts"))
    assert _statuses(f)["integrity"] == "pass" and _statuses(f)["constant_rate"] == "pass"
    assert _statuses(f)["colour"] == "pass" and _find(f, "colour").detail == "BT.709, tagged"
    probe = ffmpeg.probe(film / "out" / "ep01.preview.mp4", count_frames=True)
    assert f"{probe.frames} frames decoded without an error" in _find(f, "integrity").detail


def test_a_flipped_byte_breaks_the_content_credentials_and_fails_whatever_the_profile(film, tmp_path):
    data = bytearray((film / "out" / "ep01.preview.mp4").read_bytes())
    mdat = data.find(b"mdat")
    data[mdat + (len(data) - mdat) // 2] ^= 0x40
    flipped = tmp_path / "flipped.mp4"
    flipped.write_bytes(bytes(data))
    f = check.run(flipped, check.load_profile("youtube-shorts"))  # C2PA only advised there
    c2pa = _find(f, "c2pa")
    assert c2pa.status == "fail" and c2pa.required and "mismatch" in c2pa.detail.lower()
    assert not check.passed(f)


def test_variable_frame_rate_fails(tmp_path):
    vfr = tmp_path / "vfr.mp4"
    ffmpeg.run(["-f", "lavfi", "-i", "testsrc2=s=540x960:r=30:d=3", "-f", "lavfi", "-i", "sine=sample_rate=48000:duration=3",
                "-vf", "select='not(eq(mod(n\\,4)\\,0))'", "-fps_mode", "vfr", "-c:v", "libx264", "-profile:v", "high",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-ar", "48000", "-ac", "2", "-movflags", "+faststart", str(vfr)], "vfr")
    f = check.run(vfr, check.load_profile("youtube-shorts"))
    rate = _find(f, "constant_rate")
    assert rate.status == "fail" and "variable frame rate" in rate.detail and "-fps_mode cfr" in rate.detail
    assert _statuses(check.run(_synth(tmp_path / "cfr.mp4"), check.load_profile("youtube-shorts")))["constant_rate"] == "pass"


def _colr(path) -> tuple[int, int, int, int] | None:
    """The MP4's `colr` box (nclx): primaries, transfer, matrix, full-range flag (ISO/IEC 23001-8 codes)."""
    data = Path(path).read_bytes()
    at = data.find(b"colrnclx")
    if at < 0:
        return None
    p, t, m = (int.from_bytes(data[at + 8 + 2 * k:at + 10 + 2 * k], "big") for k in range(3))
    return p, t, m, data[at + 14] >> 7


def test_the_film_is_bt709_tagged_and_its_colours_are_the_animators(film):
    """The film says BT.709 in its stream and in its MP4 `colr` box (1, 1, 1, limited range), and it is: a
    frame of the film decoded as BT.709 has the colours of the animator's clip (BT.601, tagged so) decoded as
    BT.601, to within the encoder's noise; decoded with the wrong matrix it does not."""
    from PIL import Image

    from filmcrew import pipeline
    mp4 = film / "out" / "ep01.preview.mp4"
    assert ffmpeg.probe(mp4).colorspace == "bt709"
    assert _colr(mp4) == (1, 1, 1, 0)
    _, (ctx,) = pipeline.contexts(film, {}, 1, preview=True)
    g = pipeline.episode_graph(ctx)
    from filmcrew.engine.executor import execute
    st = Layout.of(film).store()
    execute(st, [g.task("ep01-s01-sh01.clip")])  # the shot's clip, on demand (the film's segment drew the frames)
    clip = st.path(g.task("ep01-s01-sh01.clip").key) / "clip.mp4"
    assert ffmpeg.probe(clip).colorspace == "smpte170m"

    def frame(path, n, vf=""):
        out = film / f"colour-{n}-{len(vf)}.png"
        subprocess.run([ffmpeg.executable(), "-v", "error", "-y", "-i", str(path), "-vf",
                        f"select=eq(n\\,{n})" + (f",{vf}" if vf else ""), "-frames:v", "1", str(out)], check=True)
        x = np.asarray(Image.open(out).convert("RGB")).astype(float)
        out.unlink()
        h, w = x.shape[0] // 2 // 8 * 8, x.shape[1] // 8 * 8  # the upper half (no subtitles, no mouths), 8x8 means
        return x[:h, :w].reshape(h // 8, 8, w // 8, 8, 3).mean(axis=(1, 3))
    n = 90  # the first shot plays its clip from frame 0; the label is gone after 2 s
    right = np.abs(frame(clip, n) - frame(mp4, n)).mean()
    wrong = np.abs(frame(clip, n) - frame(mp4, n, "scale=in_color_matrix=bt601:in_range=tv,format=rgb24")).mean()
    assert right < 1.5 and wrong > 2 * right, (right, wrong)


def test_an_untagged_file_is_warned_about_its_colour_and_still_passes(tmp_path):
    """Colour tags are advised, not required: an untagged file is told what to do, and its verdict stands."""
    f = check.run(_synth(tmp_path / "untagged.mp4"), check.load_profile("youtube-shorts"))
    assert _statuses(f)["colour"] == "warn" and "untagged" in _find(f, "colour").detail
