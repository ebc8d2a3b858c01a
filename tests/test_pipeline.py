"""End to end on the offline defaults: real ffmpeg, real Piper voice, real soundfont."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from filmcrew import pipeline
from filmcrew.cli import main
from filmcrew.engine.executor import execute, plan
from filmcrew.engine.graph import Pending
from filmcrew.media import ffmpeg
from filmcrew.engine.layout import Layout

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def film(tmp_path_factory):
    root = tmp_path_factory.mktemp("films") / "tiny"
    assert main(["demo", str(root), "--minutes", "0.5", "--preview"]) == 0  # the same path as `make demo`
    return root


def graphs(root, preview=True):
    cfg, ctxs = pipeline.contexts(root, {}, None, preview)
    return ctxs, [pipeline.episode_graph(c) for c in ctxs]


def test_the_film_is_a_real_mp4(film):
    mp4 = film / "out" / "ep01.preview.mp4"
    p = ffmpeg.probe(mp4, count_frames=True)
    assert p.video_codec == "h264" and p.pix_fmt == "yuv420p" and p.audio_codec == "aac" and p.audio_rate == 48000
    assert p.faststart and (p.width, p.height) == (540, 960)
    assert 20 <= p.duration <= 45
    tl = json.loads(next((film / ".filmcrew" / "objects").rglob("timeline.json")).read_text())
    assert p.frames == tl["frames"]  # picture and timeline agree to the frame
    loud = ffmpeg.loudness(mp4)
    assert abs(loud["integrated_lufs"] + 14) <= 1.0 and loud["true_peak_dbtp"] <= -1.0
    srt = (film / "out" / "ep01.preview.srt").read_text()
    assert "-->" in srt
    # the .ass carries the same pieces at the same times, and ffmpeg's own ASS reader agrees
    import subprocess as sp
    back = sp.run([ffmpeg.executable(), "-hide_banner", "-loglevel", "error", "-i", str(film / "out" / "ep01.preview.ass"),
                   "-f", "srt", "-"], capture_output=True, text=True, check=True).stdout
    times = lambda t: [ln.split(" --> ")[0][:10] for ln in t.splitlines() if " --> " in ln]  # noqa: E731 (to 0.1 s)
    assert times(back) == times(srt) and len(times(srt)) >= len(tl["lines"])
    prov = json.loads((film / "out" / "ep01.preview.provenance.json").read_text())
    types = {a["role"]: a["ledger"]["digital_source_type"] for a in prov["artifacts"]}
    assert types["voice"] == "trainedAlgorithmicMedia" and types["illustrator"] == "algorithmicMedia"


def test_the_last_scene_ends_on_its_cue_s_stinger_and_the_animator_moves_faces(film):
    import numpy as np
    st = Layout.of(film).store()
    ctxs, (g,) = graphs(film)
    tl = json.loads((st.path(g.task("ep01.timeline").key) / "timeline.json").read_text())
    last = tl["scenes"][-1]["scene"]
    cue, rate = ffmpeg.read_wav(st.path(g.task(f"{last}.cue").key) / "cue.wav")
    music, _ = ffmpeg.read_wav(st.path(g.task("ep01.mix").key) / "music.wav")
    a, b = 5 * rate, 2 * rate  # the cadence before the cue's last 2 s of decay, end-aligned with the film
    x, y = music[-a:-b, 0], cue[-a:-b, 0]
    corr = lambda u, v: np.dot(u, v) / np.sqrt(np.dot(u, u) * np.dot(v, v))  # noqa: E731
    assert abs(y).max() > 0.05 and corr(x, y) > 0.8  # the same notes (ducking under speech changes the level)
    assert abs(corr(x, cue[-a - rate // 2:-b - rate // 2, 0])) < 0.3  # and not half a second off
    segs = [st.record(t.key)["ledger"] for t in g.all if t.artifact.endswith(".segment")]
    # each segment drew its shot's frames (camera moves, blinks, breath) and opened the speakers' mouths in them
    assert all(i["drawn"]["by"] == "camera-moves" for i in segs) and sum(i["drawn"]["blinks"] for i in segs) > 0
    assert any(i.get("lips") for i in segs)


def test_another_aspect_renders_beside_the_film_and_recomposes(film):
    before = (film / "out" / "ep01.preview.mp4").read_bytes()
    assert main(["make", str(film), "--preview", "--aspect", "1:1", "--quiet"]) == 0
    square = film / "out" / "ep01.1x1.preview.mp4"
    p = ffmpeg.probe(square, count_frames=True)
    assert (p.width, p.height) == (540, 540) and (film / "out" / "ep01.1x1.preview.otio").exists()
    assert (film / "out" / "ep01.preview.mp4").read_bytes() == before  # the 9:16 film is untouched
    from filmcrew.provenance import labels
    assert labels.detect_label(ffmpeg.frame_at(square, 1.0))["corner"] == "top-left"  # the label, recomposed
    ctxs, gs = graphs(film)
    assert plan(Layout.of(film).store(), [g.final for g in gs]) == []  # and the 9:16 make is still whole


def test_each_line_sounds_shows_its_subtitle_and_opens_its_mouth_within_one_frame(film):
    import numpy as np

    from filmcrew.crew.editor import read_layout
    from filmcrew.crew.illustrator import faces
    from filmcrew.media.lips import mouth_envelopes
    st = Layout.of(film).store()
    ctxs, (g,) = graphs(film)
    ctx = ctxs[0]
    tl = json.loads((st.path(g.task("ep01.timeline").key) / "timeline.json").read_text())
    dialogue, rate = ffmpeg.read_wav(st.path(g.task("ep01.mix").key) / "dialogue.wav")
    spf = rate // 30
    srt = (film / "out" / "ep01.preview.srt").read_text()
    cue_starts = set()
    for t in (ln.split(" --> ")[0] for ln in srt.splitlines() if " --> " in ln):
        h, m, rest = t.split(":")
        cue_starts.add(round((int(h) * 3600 + int(m) * 60 + float(rest.replace(",", "."))) * 30))
    voice_dirs = {ln.id: st.path(g.task(f"{ln.id}.voice").key) for ln in ctx.episode.lines()}
    layout = {sh.id: read_layout(st.path(g.task(f"{sh.id}.timing").key)) for sh in ctx.episode.shots()}
    shots = {sh.id: sh for sh in ctx.episode.shots()}
    checked = lipped = 0
    for ln in tl["lines"]:
        if ln["from"]:
            continue  # a line trimmed in the edit starts mid-voice
        s = ln["start"] * spf
        # frames after the line's start to its first sound (the voice's trim threshold, -45 dBFS before it was
        # levelled to a 0.5 peak, is above 0.0028 here)
        sound = (np.abs(dialogue[s:s + 10 * spf, 0]) > 0.002).argmax() / spf
        assert 0 <= sound <= 1, ln["line"]  # the voice sounds within a frame of its start
        assert ln["start"] in cue_starts, ln["line"]  # its subtitle appears on that frame
        sh = shots[ln["shot"]]
        total, starts = layout[sh.id]
        k = [x.id for x in sh.lines].index(ln["line"])
        env = mouth_envelopes(sh, [voice_dirs[x.id] for x in sh.lines], starts, total)[ln["speaker"]]
        opens = int(np.argmax(env[starts[k]:] > 0))  # the first frame the finisher opens the mouth
        assert abs(opens - sound) <= 1, ln["line"]  # and the mouth moves with the sound
        if ln["speaker"] in {f["name"] for f in faces(st.path(g.task(f"{sh.id}.keyframe").key))}:  # in frame
            lipped += 1
            assert st.record(g.task(f"{sh.id}.segment").key)["ledger"].get("lips"), ln["line"]
        checked += 1
    assert checked >= 3 and lipped >= 2


def test_second_make_does_nothing(film):
    ctxs, gs = graphs(film)
    assert plan(Layout.of(film).store(), [g.final for g in gs]) == []


def test_editing_one_line_remakes_only_what_depends_on_it(film, capsys):
    path = film / "story" / "ep01.fountain"
    text = path.read_text()
    ctxs, gs = graphs(film)
    line = ctxs[0].episode.lines()[0]
    path.write_text(text.replace(line.text, "Wait. Listen to me, just once.", 1))
    try:
        assert main(["plan", str(film), "--preview", "--json"]) == 0
        items = json.loads(capsys.readouterr().out)
        shot = next(s for s in ctxs[0].episode.shots() if line in s.lines)
        arts = {i["artifact"] for i in items}
        assert f"{line.id}.voice" in arts
        # only the edited shot's own picture may follow the line (its expression, its length)
        assert {i["artifact"] for i in items if i["role"] == "illustrator"} <= {f"{shot.id}.keyframe"}
        assert not any(i["role"] in ("composer", "foley") for i in items)
        other_clips = {i["artifact"] for i in items if i["role"] == "animator"} - {f"{shot.id}.clip"}
        assert other_clips == set()
        assert sum(i["role"] == "voice" for i in items) == 1
        assert {i["reason"] for i in items if i["artifact"] == f"{line.id}.voice"} == {"params"}
        # ("pending": after the shot's timing, which the line's new length changes)
        assert all(i["reason"] in ("inputs", "params", "pending") for i in items if i["role"] in ("editor", "finisher"))
        st = Layout.of(film).store()
        ctxs2, gs2 = graphs(film)
        length = (st.path(gs[0].task(f"{shot.id}.timing").key) / "length.json").read_text()
        report = execute(st, [t for g in gs2 for t in g.targets])
        assert sorted(report.ran + report.kept) == sorted(arts)
        # no line is heard in a transition of the film's own cut, so a transition holds its sides' pictures and
        # lengths, not their lines: one beside the edited shot is made again only where the shot's length changed
        # (its camera move eases over its length), and none elsewhere (issue 36)
        beside = {t.artifact for t in gs2[0].all if t.artifact.endswith(".transition")
                  and any(i.artifact == f"{shot.id}.timing" for i in t.inputs.values())}
        same = (st.path(gs2[0].task(f"{shot.id}.timing").key) / "length.json").read_text() == length
        made = {a for a in report.ran if a.endswith(".transition")}
        assert made == (set() if same else beside), (same, made, beside)
    finally:
        path.write_text(text)


def test_an_action_that_names_an_effect_gets_it_in_the_effects_stem(film, tmp_path, capsys):
    import shutil

    import numpy as np
    root = tmp_path / "fx"
    shutil.copytree(film, root)
    path = root / "story" / "ep01.fountain"
    ctxs, _ = graphs(root)
    shot = next(s for s in ctxs[0].episode.shots()[1:] if not s.lines)
    path.write_text(path.read_text().replace(shot.action, shot.action + " Thunder cracks overhead.", 1))
    assert main(["plan", str(root), "--preview", "--json"]) == 0
    arts = {i["artifact"] for i in json.loads(capsys.readouterr().out)}
    assert f"{shot.id}.effects" in arts and not any(a.endswith((".voice", ".cue", ".ambience")) for a in arts)
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    ctxs, (g,) = graphs(root)
    st = Layout.of(root).store()
    tl = json.loads((st.path(g.task("ep01.timeline").key) / "timeline.json").read_text())
    fx = next(e for e in tl["effects"] if e["shot"] == shot.id)
    assert "thunder" in [e["kind"] for e in st.record(g.task(f"{shot.id}.effects").key)["ledger"]["effects"]]
    track, rate = ffmpeg.read_wav(st.path(g.task(f"{shot.id}.effects").key) / "effects.wav")
    stem, _ = ffmpeg.read_wav(st.path(g.task("ep01.mix").key) / "effects.wav")
    _, (g0,) = graphs(film)
    before, _ = ffmpeg.read_wav(Layout.of(film).store().path(g0.task("ep01.mix").key) / "effects.wav")
    assert len(before) == len(stem)  # the shot kept its length: the edit added a sound, nothing else
    added = stem[:, 0] - before[:, 0]  # the ambience is the same: what changed is the thunder
    spf = rate // 30
    s, part = fx["start"] * spf, track[fx["from"] * spf:(fx["from"] + fx["frames"]) * spf, 0]
    corr = lambda u, v: np.dot(u, v) / np.sqrt(np.dot(u, u) * np.dot(v, v))  # noqa: E731
    assert corr(added[s:s + len(part)], part) > 0.95  # the thunder, where its shot plays
    assert abs(corr(added[s + rate // 2:s + rate // 2 + len(part)], part[:len(added) - s - rate // 2])) < 0.3
    assert np.abs(added[:s]).max() < 1e-3 and np.abs(added[s + len(part) + spf:]).max() < 1e-3  # and nowhere else


def test_killed_make_resumes_without_redoing_work(tmp_path):
    root = tmp_path / "k"
    assert main(["new", str(root), "--premise", "A young baker challenges the king to save her street",
                 "--minutes", "0.4", "--seed", "5"]) == 0
    assert main(["write", str(root)]) == 0
    env = dict(os.environ)
    proc = subprocess.Popen([sys.executable, "-m", "filmcrew.cli", "make", str(root), "--preview", "--quiet"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    objects = root / ".filmcrew" / "objects"
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None and len(list(objects.glob("*/*/record.json"))) < 12:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = {p.parent.name for p in objects.glob("*/*/record.json")}
    assert done_before, "nothing finished before the kill"
    ctxs, gs = graphs(root)
    remaining = plan(Layout.of(root).store(), [g.final for g in gs])

    def key(t):  # a task whose key waits on the content of an input not made yet (graph.Pending: a mix part on its
        try:     # score) cannot have been made before the kill
            return t.key
        except Pending:
            return None
    assert remaining and not any(key(i.task) in done_before for i in remaining)
    report = execute(Layout.of(root).store(), [g.final for g in gs])
    assert len(report.ran) == len(remaining)
    assert ffmpeg.probe(Layout.of(root).store().path(gs[0].final.key) / "film.mp4").duration > 10


def test_a_take_that_is_not_audio_fails_clearly_and_keeps_the_rest(film, capsys):
    ctxs, gs = graphs(film)
    line = ctxs[0].episode.lines()[-1]
    take = film / "takes" / f"{line.id}.wav"
    take.write_text("this is not audio")
    try:
        rc = main(["make", str(film), "--preview", "--quiet"])
        err = capsys.readouterr().err
        assert rc == 2 and f"takes/{line.id}.wav: not an audio file" in err and "finished and were kept" in err
    finally:
        take.unlink()
    ctxs, gs = graphs(film)
    assert plan(Layout.of(film).store(), [g.final for g in gs]) == []


def test_script_check_cli_on_big_fish(samples, capsys):
    rc = main(["script", "check", str(samples / "fountain" / "Big_Fish.fountain"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["scenes"] == 192 and out["characters"]["EDWARD"] > 250 and out["lines"] == 768


def test_the_film_carries_both_ai_labels(film):
    from filmcrew.provenance import labels
    mp4 = film / "out" / "ep01.preview.mp4"
    tag = labels.read_aigc(mp4)  # exactly one, parseable, keys in the standard's order
    assert list(tag) == list(labels.AIGC_KEYS) and tag["Label"] == "1" and tag["ContentProducer"] == "filmcrew"
    assert tag["ContentPropagator"] == tag["ContentProducer"] and tag["PropagateID"] == tag["ProduceID"]
    for t in (0.1, 1.9, 2.8):  # on screen for the first 3 s, detected in the decoded frames
        found = labels.detect_label(ffmpeg.frame_at(mp4, t))
        assert found and found["language"] == "en" and found["corner"] == "top-left", t
        assert found["text_height"] >= 0.05
    assert labels.detect_label(ffmpeg.frame_at(mp4, 8.0)) is None  # and gone after


@pytest.mark.parametrize("lang,premise", [("zh", "一个渔夫挑战洪水之神，拯救他的村庄"),
                                          ("fr", "Une pêcheuse défie le dieu des crues pour sauver son village")])
def test_chinese_and_french_films_have_voices_and_subtitles(tmp_path, lang, premise):
    import shutil
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng; .ci/run does it): no zh/fr voices")
    root = tmp_path / lang
    assert main(["new", str(root), "--premise", premise, "--lang", lang, "--minutes", "0.25", "--seed", "2"]) == 0
    assert main(["write", str(root), "--quiet"]) == 0
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    prov = json.loads((root / "out" / "ep01.preview.provenance.json").read_text())
    voices = [a for a in prov["artifacts"] if a["role"] == "voice"]
    assert voices and all(a["provider"]["name"] == "espeak-ng" and a["ledger"]["seconds"] > 0.3 for a in voices)
    srt = (root / "out" / "ep01.preview.srt").read_text(encoding="utf-8")
    # every line's own text, in its language (wrapped and cut into pieces as it is burned in)
    text = "".join(t for t in srt.splitlines() if t and " --> " not in t and not t.isdigit())
    assert all("".join(a["ledger"]["prompt"].split()) in "".join(text.split()) for a in voices)
    if lang == "zh":
        assert any("\u4e00" <= ch <= "\u9fff" for ch in srt)
    loud = ffmpeg.loudness(root / "out" / "ep01.preview.mp4")
    assert abs(loud["integrated_lufs"] + 14) <= 1 and loud["true_peak_dbtp"] <= -1.0
