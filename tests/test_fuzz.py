"""Property-based tests (hypothesis): whatever a person types into a screenplay, filmcrew.toml, the bible or
a hand-edited cut, filmcrew either reads it or raises its own error naming the file; never another
exception. And what the writer writes, the parser reads back as the same story.

A few hundred examples each, so that CI stays fast; run with HYPOTHESIS_PROFILE=long for more."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import tomli_w
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from filmcrew import project
from filmcrew.errors import ConfigError, FilmcrewError, ScriptError
from filmcrew.story import cut as cut_mod
from filmcrew.story import fountain, screenplay

# "ci" draws the same examples on every run (derandomize), so a red CI names a defect the same commit shows again,
# never a draw of luck; "long" explores new ones (what it finds is replayed from .hypothesis/)
settings.register_profile("ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                          derandomize=True, database=None)
settings.register_profile("long", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# any JSON/TOML/YAML-like value: what a person can put in a field by mistake
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
                    st.text(max_size=12))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=8)

# ---- the Fountain parser and filmcrew's screenplay conventions -----------------------------------------

fountain_bits = st.sampled_from(["INT. HOUSE - DAY", "EXT. RIVER - NIGHT #3#", ".FORCED", "JONAH", "MEI (V.O.)",
                                 "@mcgregor", "(quietly)", "Hello.", "[[shot: wide; 4s]]", "[[shot: close-up; 0s]]",
                                 "[[scene: mood: tense]]", "/* boneyard", "*/", "CUT TO:", "> THE END <", "~lyrics",
                                 "===", "# Act", "= synopsis", "Title: x", "", "", "**bold** _u_", "[[", "]]",
                                 "\t", "JONAH ^", "!Action", "    ", "[[shot: id: a]]", "\u202e", "é中"])


@given(st.lists(st.one_of(fountain_bits, st.text(max_size=30)), max_size=40))
def test_any_screenplay_text_parses_or_says_where_it_is_wrong(parts):
    text = "\n".join(parts)
    try:
        elements = fountain.parse(text, "ep01.fountain")
    except ScriptError as err:
        assert "ep01.fountain" in str(err)
        return
    episode, problems = screenplay.to_episode(elements, path="ep01.fountain")
    assert all(p.startswith("ep01.fountain:") for p in problems)
    report = screenplay.check(text, "ep01.fountain")
    assert report["shots"] >= 0 and isinstance(report["errors"], list)


names = st.sampled_from(["JONAH", "MEI", "THE GOD OF FLOODS", "OLD WOMAN"])
words = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd"), max_codepoint=0x2FF), min_size=1, max_size=8)
sentences = st.lists(words, min_size=1, max_size=8).map(lambda ws: " ".join(ws).capitalize() + ".")
shots = st.tuples(sentences, st.sampled_from(["wide", "medium", "close-up"]), st.integers(1, 9),
                  st.lists(st.tuples(names, sentences), max_size=3))
scenes = st.tuples(st.sampled_from(["INT.", "EXT."]), st.sampled_from(["OLD DOCK", "RIVERBANK", "VILLAGE SQUARE"]),
                   st.sampled_from(["DAWN", "NIGHT", "DAY"]), st.lists(shots, min_size=1, max_size=3))


@given(st.lists(scenes, min_size=1, max_size=4))
def test_what_the_writer_writes_reads_back_as_the_same_story(story):
    lines = ["Title: Fuzz", ""]
    for n, (ie, place, tod, shot_list) in enumerate(story, start=1):
        lines += [f"{ie} {place} - {tod} #{n}#", ""]
        for action, camera, secs, dialogue in shot_list:
            lines += [f"{action} [[shot: {camera}; {secs}s]]", ""]
            for who, said in dialogue:
                lines += [who, said, ""]
    first, problems = screenplay.to_episode(fountain.parse("\n".join(lines)), known_characters=[
        "JONAH", "MEI", "THE GOD OF FLOODS", "OLD WOMAN"])
    assert problems == []
    again, problems = screenplay.to_episode(fountain.parse(screenplay.episode_to_fountain(first, title="Fuzz")),
                                            known_characters=["JONAH", "MEI", "THE GOD OF FLOODS", "OLD WOMAN"])
    assert problems == []
    assert [s.id for s in again.shots()] == [s.id for s in first.shots()]
    assert [(s.camera, s.duration_frames, s.action) for s in again.shots()] == \
        [(s.camera, s.duration_frames, s.action) for s in first.shots()]
    assert [(ln.id, ln.speaker, ln.text) for ln in again.lines()] == [(ln.id, ln.speaker, ln.text) for ln in first.lines()]
    assert [ln.text for ln in first.lines()] == [said for *_, shot_list in story for *__, d in shot_list for _, said in d]


# ---- filmcrew.toml --------------------------------------------------------------------------------------

FILM_FIELDS = ["premise", "format", "episodes", "minutes", "aspect", "language", "style", "genre", "seed",
               "subtitle_languages"]
toml_values = st.recursive(st.one_of(st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False),
                                     st.text(max_size=12)),
                           lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner,
                                                                                                 max_size=3)),
                           max_leaves=6)
SCRATCH = Path(tempfile.mkdtemp(prefix="filmcrew-fuzz-"))


@given(film=st.dictionaries(st.sampled_from(FILM_FIELDS + ["lenght"]), toml_values, max_size=6),
       labels=st.dictionaries(st.sampled_from(["producer", "position", "seconds", "audio", "repeat_at_end", "visible"]),
                              toml_values, max_size=3),
       providers=st.dictionaries(st.sampled_from(["voice", "writer", "nonsense"]), toml_values, max_size=2))
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
def test_any_config_loads_or_names_its_field(film, labels, providers):
    root = SCRATCH / "toml"
    root.mkdir(exist_ok=True)
    doc = {"film": {"premise": "A fisherman", **film}, "labels": labels, "providers": providers}
    (root / "filmcrew.toml").write_text(tomli_w.dumps(doc))
    try:
        cfg = project.load_config(root)
    except ConfigError as err:
        assert "filmcrew.toml" in str(err)
        return
    assert isinstance(cfg.aspect, str) and cfg.size and isinstance(cfg.minutes, (int, float))


# ---- story/bible.yaml -----------------------------------------------------------------------------------

CHARACTER_FIELDS = ["name", "role", "description", "look", "palette", "costume", "voice", "want", "flaw"]
characters = st.dictionaries(st.sampled_from(CHARACTER_FIELDS), values, max_size=6)
voices = st.dictionaries(st.sampled_from(["provider", "voice", "speed", "pitch", "timbre", "accent"]), values, max_size=4)
looks = st.dictionaries(st.sampled_from(["skin", "hair_colour", "eyes", "face", "aura"]), values, max_size=3)


@given(title=values, characters=st.one_of(values, st.lists(st.one_of(characters, values), max_size=3)),
       voice=voices, look=looks, episodes=values)
def test_any_bible_loads_or_names_its_field(title, characters, voice, look, episodes):
    if isinstance(characters, list) and characters and isinstance(characters[0], dict):
        characters[0] = {"name": "JONAH", **characters[0], "voice": voice, "look": look}
    d = {"title": title, "logline": "x", "characters": characters, "episodes": episodes}
    try:
        bible = project.bible_from_dict(d, "story/bible.yaml")
    except ConfigError as err:
        assert str(err).startswith("story/bible.yaml:")
        return
    for c in bible.characters:
        assert c.name and all(project.is_colour(p) for p in c.palette)


# ---- cut/epNN.json, edited by hand ---------------------------------------------------------------------

items = st.dictionaries(st.sampled_from(["kind", "src_in", "src_out", "shot", "media", "source_type", "name"]),
                        st.one_of(values, st.sampled_from(["shot", "take", "gap", "ep01-s01-sh01"])), max_size=5)
transitions = st.dictionaries(st.sampled_from(["after", "kind", "before", "into"]),
                              st.one_of(values, st.sampled_from(["crossfade", "dip"])), max_size=4)


@given(doc=st.fixed_dictionaries({"schema": st.just(cut_mod.SCHEMA)}, optional={
    "items": st.one_of(values, st.lists(items, max_size=3)), "transitions": st.one_of(values, st.lists(transitions, max_size=2)),
    "removed": values, "edits": values, "gains": values, "line_gains": values, "by": values, "source": values}))
def test_any_cut_file_loads_or_names_its_field(doc):
    root = SCRATCH / "cut"
    (root / "cut").mkdir(parents=True, exist_ok=True)
    cut_mod.path(root, 1).write_text(json.dumps(doc))
    try:
        c = cut_mod.load(root, 1, ["ep01-s01-sh01", "ep01-s01-sh02"])
    except ConfigError as err:
        assert "ep01.json" in str(err)
        return
    except FilmcrewError as err:  # pragma: no cover - any other filmcrew error would be a wrong kind
        raise AssertionError(f"a cut file problem must be a ConfigError, got {type(err).__name__}: {err}")
    assert c is not None and c.items and c.params()


# ---- contest profiles, through the check itself -----------------------------------------------------------

_FILM: dict = {}


def tiny_film() -> Path:
    """A 1-second H.264/AAC MP4, made once by ffmpeg (the check measures a real file)."""
    if "mp4" not in _FILM:
        import subprocess

        from filmcrew.media import ffmpeg
        out = SCRATCH / "tiny.mp4"
        subprocess.run([ffmpeg.executable(), "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=180x320:d=1:r=30", "-f",
                        "lavfi", "-i", "sine=d=1:sample_rate=48000", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a",
                        "aac", "-shortest", str(out)], check=True)
        _FILM["mp4"] = out
    return _FILM["mp4"]


def _profile_fields():
    from filmcrew.provenance import check
    base = check.load_profile("iqiyi-2025")
    keys = [(None, k) for k in base] + [("delivery", k) for k in base["delivery"]] + \
           [("labels", k) for k in base["labels"]] + [("ai_share", k) for k in ("basis", "min")]
    return base, keys


numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**30, 10**30))


@settings(max_examples=int(os.environ.get("FUZZ_PROFILES", "60")))
@given(changes=st.lists(st.tuples(st.integers(0, 40), st.one_of(values, numbers, st.sampled_from(
    ["required", "advised", "off", "generated", "trained", [1, 2], [60, 30], [0, 1e308]]))), max_size=4),
       extra=st.one_of(st.none(), st.tuples(st.sampled_from([None, "delivery", "labels"]), st.text(max_size=8), values)))
def test_any_contest_profile_checks_a_film_or_names_its_field(changes, extra):
    """`filmcrew check` and the festival hand a profile (a file, or a contest's from the database) to check.run:
    whatever its fields hold, the check runs or raises ConfigError naming the field, never another exception."""
    import copy

    from filmcrew.provenance import check
    base, keys = _profile_fields()
    prof = copy.deepcopy(base)
    for i, v in changes:
        table, k = keys[i % len(keys)]
        (prof if table is None else prof.setdefault(table, {}) if isinstance(prof.get(table, {}), dict) else {})[k] = v
    if extra is not None:
        table, k, v = extra
        target = prof if table is None else prof.get(table)
        if isinstance(target, dict):
            target[k] = v
    try:
        findings = check.run(tiny_film(), prof, decode=False)
    except ConfigError as err:
        assert "profile" in str(err)
        return
    assert findings and all(f.status in ("pass", "fail", "warn", "unknown") for f in findings)


# ---- editors' timelines with extreme numbers --------------------------------------------------------------

@given(values=st.lists(st.one_of(numbers.map(str), st.sampled_from(["1e400", "-1", "0", "1/0", "nan", "inf",
                                                                     "999999999999999999999"])), min_size=3, max_size=3))
def test_an_fcpxml_with_any_times_reads_or_names_the_element(values):
    from filmcrew.errors import TimelineImportError
    from filmcrew.handoff import fcpxml
    off, dur, start = values
    p = SCRATCH / "cut.fcpxml"
    p.write_text(f'<fcpxml version="1.10"><resources><asset id="r1" src="file:///x.mp4" duration="10s"/></resources>'
                 f'<library><event><project><sequence tcStart="{start}s"><spine><asset-clip ref="r1" offset="{off}s" '
                 f'duration="{dur}s" start="0s" name="ep01-s01-sh01"/></spine></sequence></project></event></library>'
                 f'</fcpxml>')
    try:
        fcpxml.read(p, 30)
    except TimelineImportError as err:
        assert "cut.fcpxml" in str(err)


@given(rate=numbers, start=numbers, duration=numbers)
@example(rate=6.935544501783626e+301, start=0.0, duration=5.992310449541053e+306)  # value * 30 overflowed (CI, 2026-12-07)
def test_an_otio_clip_with_any_numbers_maps_or_names_the_clip(rate, start, duration):
    import opentimelineio as otio

    from filmcrew.errors import TimelineImportError
    from filmcrew.handoff import importer
    try:
        rng = otio.opentime.TimeRange(otio.opentime.RationalTime(start, rate), otio.opentime.RationalTime(duration, rate))
        clip = otio.schema.Clip(name="ep01-s01-sh01", source_range=rng)
    except (ValueError, TypeError, OverflowError):  # OpenTimelineIO refuses it itself
        return
    tl = otio.schema.Timeline()
    tr = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    tr.append(clip)
    tl.tracks.append(tr)
    report = importer.Report("cut.otio", "OTIO")
    try:
        importer.map_timeline(tl, SCRATCH / "cut.otio", SCRATCH, ["ep01-s01-sh01"], {}, report, True)
    except TimelineImportError as err:
        assert "cut.otio" in str(err)
