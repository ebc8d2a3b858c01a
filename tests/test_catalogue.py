"""The catalogue of mistakes a person makes: for each one, the exit code, a message that names the place
(file, line or field) and the fix, no traceback, and the project's files as they were.

One case per line. `setup` changes a fresh copy of a written (not made) project; the command runs in
this process through `filmcrew.cli.main`, so an exception that escapes it fails the case as a traceback.
Cases that need a made film are at the end, on a copy of the session's small film."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest
import yaml

from filmcrew.cli import main

NUL = "\x00"


# ---- ways to spoil a project ------------------------------------------------------------------------

def toml(field_: str, value: str) -> Callable[[Path], None]:
    """Set `field_ = value` (TOML source) in filmcrew.toml, replacing the line that sets it or adding it to [film]."""
    def go(root: Path) -> None:
        p = root / "filmcrew.toml"
        s = p.read_text()
        line = f"{field_} = {value}"
        s2, n = re.subn(rf"(?m)^{re.escape(field_)} = .*$", lambda _: line, s, count=1)
        p.write_text(s2 if n else s.replace("[film]\n", f"[film]\n{line}\n", 1))
    return go


def toml_in(table: str, line: str) -> Callable[[Path], None]:
    """Add `line` at the top of `[table]` in filmcrew.toml."""
    def go(root: Path) -> None:
        p = root / "filmcrew.toml"
        p.write_text(p.read_text().replace(f"[{table}]\n", f"[{table}]\n{line}\n", 1))
    return go


def raw(rel: str, data: bytes | str) -> Callable[[Path], None]:
    def go(root: Path) -> None:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data if isinstance(data, bytes) else data.encode())
    return go


def latin1(rel: str) -> Callable[[Path], None]:
    """The file re-saved in Latin-1 with an accented word in it: not UTF-8."""
    def go(root: Path) -> None:
        p = root / rel
        p.write_bytes(p.read_text().replace("\n", "\n# café\n" if rel.endswith(".toml") else "\n", 1).encode("latin-1")
                      + ("\n# crème brûlée\n" if not rel.endswith(".fountain") else "\nCrème brûlée.\n").encode("latin-1"))
    return go


def wav(rel: str, seconds: float = 1.0) -> Callable[[Path], None]:
    """A real WAV (a quiet tone) at `rel`."""
    def go(root: Path) -> None:
        import numpy as np
        from filmcrew.media import ffmpeg
        t = np.arange(int(48000 * seconds)) / 48000
        ffmpeg.write_wav(root / rel, (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 48000)
    return go


def bible(edit: Callable[[dict], None]) -> Callable[[Path], None]:
    def go(root: Path) -> None:
        p = root / "story" / "bible.yaml"
        d = yaml.safe_load(p.read_text())
        edit(d)
        p.write_text(yaml.safe_dump(d, allow_unicode=True, sort_keys=False))
    return go


def char(key: str, value) -> Callable[[Path], None]:
    def edit(d: dict) -> None:
        d["characters"][0][key] = value
    return bible(edit)


def look(key: str, value) -> Callable[[Path], None]:
    def edit(d: dict) -> None:
        d["characters"][0]["look"][key] = value
    return bible(edit)


def voice(key: str, value) -> Callable[[Path], None]:
    def edit(d: dict) -> None:
        d["characters"][0]["voice"][key] = value
    return bible(edit)


def script(old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    """Replace `old` (a regular expression) by `new` in story/ep01.fountain."""
    def go(root: Path) -> None:
        p = root / "story" / "ep01.fountain"
        s, n = re.subn(old, new, p.read_text(), count=count)
        assert n, f"{old!r} not in the screenplay"
        p.write_text(s)
    return go


def cut(edit: Callable[[dict], None]) -> Callable[[Path], None]:
    """Write the screenplay's own cut as cut/ep01.json (as `filmcrew import` would), then spoil it."""
    def go(root: Path) -> None:
        from filmcrew import pipeline
        from filmcrew.story import cut as cut_mod
        _, ctxs = pipeline.contexts(root, {}, None, True)
        doc = json.loads(cut_mod.to_json(cut_mod.script_cut(ctxs[0].episode.shots()), 1))
        edit(doc)
        p = cut_mod.path(root, 1)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(doc))
    return go


def sets(key: str, value) -> Callable[[dict], None]:
    def edit(doc: dict) -> None:
        doc[key] = value
    return edit


def first_line_says(text: str) -> Callable[[Path], None]:
    """The first dialogue line of the screenplay says `text`."""
    return script(r"(\n\n[A-Z][A-Z' ]+\n)[^\n]+", lambda m: m.group(1) + text)


def readonly(rel: str) -> Callable[[Path], None]:
    def go(root: Path) -> None:
        os.chmod(root / rel, 0o555)
    return go


def then(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def go(root: Path) -> None:
        for s in steps:
            s(root)
    return go


def otio_clip(frames: int, rate: float) -> Callable[[Path], None]:
    """cut.otio: one clip of the first shot, `frames` long at `rate` (an impossible one)."""
    def go(root: Path) -> None:
        import opentimelineio as otio
        clip = {"OTIO_SCHEMA": "Clip.2", "name": "ep01-s01-sh01", "metadata": {}, "media_references": {},
                "active_media_reference_key": "DEFAULT_MEDIA",
                "source_range": {"OTIO_SCHEMA": "TimeRange.1",
                                 "start_time": {"OTIO_SCHEMA": "RationalTime.1", "rate": rate, "value": 0},
                                 "duration": {"OTIO_SCHEMA": "RationalTime.1", "rate": rate, "value": frames}}}
        tl = {"OTIO_SCHEMA": "Timeline.1", "name": "x", "metadata": {},
              "tracks": {"OTIO_SCHEMA": "Stack.1", "name": "tracks", "metadata": {}, "children": [
                  {"OTIO_SCHEMA": "Track.1", "name": "V1", "kind": "Video", "metadata": {}, "children": [clip]}]}}
        otio.adapters.read_from_string(json.dumps(tl), "otio_json")  # a file OpenTimelineIO itself reads
        (root / "cut.otio").write_text(json.dumps(tl))
    return go


@dataclass
class Case:
    name: str
    argv: list[str]  # {p} is the project folder
    setup: Callable[[Path], None] | None
    says: list[str]  # each must be in the error output ({p} is the project folder)
    code: int = 2
    made: bool = False  # needs a made film (a copy of the session's small film)
    marks: list = field(default_factory=list)


P = "{p}"
TOML = "filmcrew.toml"
BIBLE = "story/bible.yaml"
EP = "story/ep01.fountain"
CUT = "cut/ep01.json"

CASES = [
    # filmcrew.toml
    Case("toml not UTF-8", ["plan", P], latin1(TOML), [TOML, "UTF-8"]),
    Case("toml bad syntax", ["plan", P], toml("minutes", "1.5.2"), [TOML, "line", "TOML"]),
    Case("aspect a list", ["plan", P], toml("aspect", '["9:16"]'), [TOML, "aspect", "9:16"]),
    Case("aspect a table", ["plan", P], toml("aspect", "{}"), [TOML, "aspect"]),
    Case("aspect unknown", ["plan", P], toml("aspect", '"7:3"'), [TOML, "aspect", "16:9"]),
    Case("episodes a string", ["plan", P], toml("episodes", '"three"'), [TOML, "episodes", "whole number"]),
    Case("minutes zero", ["plan", P], toml("minutes", "0"), [TOML, "minutes"]),
    Case("minutes a string", ["plan", P], toml("minutes", '"long"'), [TOML, "minutes"]),
    Case("seed a float", ["plan", P], toml("seed", "1.5"), [TOML, "seed", "whole number"]),
    Case("language a number", ["plan", P], toml("language", "5"), [TOML, "language"]),
    Case("language unknown", ["plan", P], toml("language", '"xx"'), [TOML, "language", "en"]),
    Case("format unknown", ["plan", P], toml("format", '"feature"'), [TOML, "format", "short"]),
    Case("premise a number", ["plan", P], toml("premise", "5"), [TOML, "premise"]),
    Case("style a list", ["plan", P], toml("style", "[1]"), [TOML, "style"]),
    Case("genre a number", ["plan", P], toml("genre", "3"), [TOML, "genre"]),
    Case("subtitle_languages a string", ["plan", P], toml("subtitle_languages", '"fr"'), [TOML, "subtitle_languages"]),
    Case("unknown film field", ["plan", P], toml("lenght", "3"), [TOML, "lenght", "unknown field"]),
    Case("film not a table", ["plan", P], raw(TOML, 'film = "x"\n'), [TOML, "[film]"]),
    Case("toml missing", ["plan", P], lambda r: (r / TOML).unlink(), [TOML, "filmcrew new"]),
    Case("provider a number", ["plan", P], toml("voice", "5"), [TOML, "[providers] voice", "provider name"]),
    Case("provider unknown", ["plan", P], toml("voice", '"nobody"'), [TOML, "nobody"]),
    Case("a provider setting misspelt", ["plan", P],
         then(toml("animator", '"kling"'), lambda r: (r / TOML).write_text((r / TOML).read_text()
                                                                           + '\n[providers.kling]\nmodle = "kling-v2"\n')),
         [TOML, "[providers.kling] modle", "unknown setting", "kling reads"]),
    Case("a video model as illustrator", ["plan", P], toml("illustrator", '"kling"'),
         [TOML, "[providers] illustrator", "kling does not play the illustrator", "seedream"]),
    Case("an image model as animator", ["plan", P], toml("animator", '"seedream"'),
         [TOML, "[providers] animator", "seedream does not play the animator", "kling"]),
    Case("label position", ["plan", P], toml("position", '"middle"'), [TOML, "[labels] position", "top-left"]),
    Case("label seconds a string", ["plan", P], toml("seconds", '"3"'), [TOML, "[labels] seconds"]),
    Case("labels switched off", ["plan", P], toml_in("labels", "visible = false"), [TOML, "cannot be switched off"]),
    Case("api key in toml", ["plan", P], raw(TOML, '[film]\npremise = "x"\n[providers.openai-chat]\napi_key = "sk-1"\n'),
         [TOML, "api_key", "environment variable"]),
    # story/bible.yaml
    Case("bible not UTF-8", ["plan", P], latin1(BIBLE), [BIBLE, "UTF-8"]),
    Case("bible bad YAML", ["plan", P], raw(BIBLE, "title: [unclosed\nlogline: x\n"), [BIBLE, "YAML"]),
    Case("bible a list", ["plan", P], raw(BIBLE, "- a\n- b\n"), [BIBLE, "mapping"]),
    Case("characters a number", ["plan", P], bible(lambda d: d.update(characters=5)), [BIBLE, "characters", "list"]),
    Case("character a string", ["plan", P], bible(lambda d: d["characters"].__setitem__(0, "JONAH")), [BIBLE, "characters[0]"]),
    Case("palette a number", ["plan", P], char("palette", 5), [BIBLE, "characters[0].palette", "list"]),
    Case("palette not colours", ["plan", P], char("palette", ["blue-ish"]), [BIBLE, "characters[0].palette", "#"]),
    Case("skin not a colour", ["plan", P], look("skin", "tanned"), [BIBLE, "characters[0].look.skin", "#"]),
    Case("look a list", ["plan", P], char("look", ["tall"]), [BIBLE, "characters[0].look", "mapping"]),
    Case("voice a string", ["plan", P], char("voice", "deep"), [BIBLE, "characters[0].voice", "mapping"]),
    Case("voice speed a string", ["plan", P], voice("speed", "fast"), [BIBLE, "characters[0].voice"]),
    Case("voice speed too fast", ["plan", P], voice("speed", 9), [BIBLE, "characters[0].voice.speed", "2.0"]),
    Case("voice unknown key", ["plan", P], voice("accent", "scottish"), [BIBLE, "characters[0].voice", "accent"]),
    Case("voice provider unknown", ["plan", P], voice("provider", "nobody"),
         [BIBLE, "characters[0].voice.provider", "nobody"]),
    Case("character name a number", ["plan", P], char("name", 7), [BIBLE, "characters[0].name"]),
    Case("title missing", ["plan", P], bible(lambda d: d.pop("title")), [BIBLE, "title"]),
    Case("episodes arcs a number", ["plan", P], bible(lambda d: d.update(episodes=3)), [BIBLE, "episodes", "list"]),
    Case("bible unknown key", ["plan", P], bible(lambda d: d.update(visual_stlye="ink")), [BIBLE, "visual_stlye",
                                                                                          "did you mean 'visual_style'"]),
    Case("character unknown key", ["plan", P], char("palete", ["#b03a2e"]), [BIBLE, "characters[0]", "'palete'",
                                                                             "did you mean 'palette'"]),
    Case("bible from a newer filmcrew", ["plan", P], bible(lambda d: d.update(schema_version=99)),
         [BIBLE, "schema_version 99", "newer filmcrew"]),
    Case("two characters of one name", ["plan", P], bible(lambda d: d["characters"].append(dict(d["characters"][0]))),
         [BIBLE, ".name", "also characters[0]", "rename one"]),
    Case("character name of two lines", ["plan", P], char("name", "JUNE\nMAY"), [BIBLE, "characters[0].name", "one line"]),
    Case("bible missing", ["plan", P], lambda r: (r / BIBLE).unlink(), ["filmcrew write"], code=0),
    # the screenplay
    Case("screenplay not UTF-8", ["plan", P], latin1(EP), [EP, "UTF-8"]),
    Case("no scene heading", ["plan", P], raw(EP, "Title: x\n\nJonah walks. [[shot: wide; 4s]]\n\nJONAH\nHello.\n"),
         [EP, "scene heading"]),
    Case("empty screenplay", ["plan", P], raw(EP, ""), [EP, "scene"]),
    Case("shot far too long", ["plan", P], script(r"\[\[shot: wide; [\d.]+s\]\]", "[[shot: wide; 9999s]]"),
         [EP + ":", "9999", "at most 24 s"]),
    Case("shot of no length", ["plan", P], script(r"\[\[shot: wide; [\d.]+s\]\]", "[[shot: wide; 0s]]"), [EP, "0s"]),
    Case("unknown transition", ["plan", P], script(r"transition: crossfade", "transition: wipe"), [EP, "wipe"]),
    Case("a seed that is not a number", ["plan", P], script(r"\[\[shot: wide; ([\d.]+)s\]\]", r"[[shot: wide; \1s; seed: two]]"),
         [EP + ":", "seed", "'two'", "whole number"]),
    Case("shot note key misspelt", ["plan", P], script(r"\[\[shot: wide; ([\d.]+)s\]\]", r"[[shot: wide; \1s; animater: camera-moves]]"),
         [EP + ":", "animater", "did you mean 'animator'"]),
    Case("shot note two lengths", ["plan", P], script(r"\[\[shot: wide; ([\d.]+)s\]\]", r"[[shot: wide; 3s; 5s]]"),
         [EP + ":", "two lengths"]),
    Case("shot note unclosed", ["plan", P], script(r"\[\[shot: wide; ([\d.]+)s\]\]", r"[[shot: wide; \1s"),
         [EP + ":", "unclosed note", "blank line"]),
    Case("speaker not in the bible", ["plan", P], script(r"\n\n[A-Z][A-Z' ]+\n(?=[^\n])", "\n\nNOBODY\n"), [EP, "NOBODY", BIBLE]),
    Case("arabic line", ["plan", P], first_line_says("مرحبا يا صديقي"), [EP, "Arabic"]),
    Case("hebrew line", ["plan", P], first_line_says("שלום חבר"), [EP, "Hebrew"]),
    Case("emoji line", ["plan", P], first_line_says("I love you 😀"), [EP, "emoji"]),
    Case("bidi override in a line", ["plan", P], first_line_says("Hello \u202eworld"), [EP, "U+202E"]),
    Case("control character in a line", ["plan", P], first_line_says("Hello\x07 world"), [EP, "U+0007"]),
    Case("script check binary", ["script", "check", "{p}/junk.fountain"], raw("junk.fountain", bytes(range(256)) * 4),
         ["junk.fountain", "UTF-8"]),
    Case("script check missing", ["script", "check", "{p}/nope.fountain"], None, ["nope.fountain", "no such file"]),
    # cut/epNN.json, edited by hand
    Case("cut not UTF-8", ["plan", P], raw(CUT, b'{"schema": "\xe9"}'), [CUT, "UTF-8"]),
    Case("cut not JSON", ["plan", P], raw(CUT, "{items: 1"), [CUT, "JSON"]),
    Case("cut items a number", ["plan", P], cut(sets("items", 5)), [CUT, "items", "list"]),
    Case("cut items a string", ["plan", P], cut(sets("items", "abc")), [CUT, "items", "list"]),
    Case("cut transitions a number", ["plan", P], cut(sets("transitions", 5)), [CUT, "transitions", "list"]),
    Case("cut removed a number", ["plan", P], cut(sets("removed", 5)), [CUT, "removed", "list"]),
    Case("cut edits a table", ["plan", P], cut(sets("edits", {"a": 1})), [CUT, "edits", "list"]),
    Case("cut gains a list", ["plan", P], cut(sets("gains", [1])), [CUT, "gains"]),
    Case("cut gain a string", ["plan", P], cut(sets("gains", {"music": "loud"})), [CUT, "gains.music"]),
    Case("cut src_in negative", ["plan", P], cut(lambda d: d["items"][0].update(src_in=-5)), [CUT, "items[0].src_in"]),
    Case("cut unknown shot", ["plan", P], cut(lambda d: d["items"][0].update(shot="ep09-s01-sh01")), [CUT, "ep09-s01-sh01"]),
    # the command line
    Case("jobs zero", ["make", P, "--jobs", "0"], None, ["--jobs", "at least 1"]),
    Case("jobs negative", ["make", P, "--jobs", "-3"], None, ["--jobs", "at least 1"]),
    Case("jobs not a number", ["make", P, "--jobs", "many"], None, ["--jobs"]),
    Case("episode out of range", ["plan", P, "--episode", "7"], None, ["--episode", "7", "1"]),
    Case("aspect flag unknown", ["plan", P, "--aspect", "7:3"], None, ["--aspect", "7:3"]),
    Case("project missing", ["plan", "{p}/nowhere"], None, ["nowhere", "filmcrew new"]),
    Case("new into a project", ["new", P, "--premise", "x"], None, [TOML, "already exists"]),
    Case("new with no premise", ["new", "{p}/other"], None, ["premise"]),
    Case("new minutes zero", ["new", "{p}/other", "--premise", "x", "--minutes", "0"], None, ["minutes"]),
    Case("check missing file", ["check", "{p}/nope.mp4"], None, ["nope.mp4", "no such file"]),
    Case("check not a film", ["check", "{p}/filmcrew.toml"], None, ["filmcrew.toml", "not a media file", "FAIL"], code=1),
    Case("check unknown contest", ["check", "{p}/filmcrew.toml", "--contest", "cannes"], None, ["cannes", "douyin"]),
    Case("check profile not JSON", ["check", "{p}/filmcrew.toml", "--profile", "{p}/story/bible.yaml"], None,
         ["bible.yaml:1", "not a JSON profile"]),
    Case("check profile missing", ["check", "{p}/filmcrew.toml", "--profile", "{p}/mine.json"], None,
         ["--profile", "mine.json", "no such file"]),
    Case("check profile wrong shape", ["check", "{p}/filmcrew.toml", "--profile", "{p}/mine.json"],
         raw("mine.json", '{"name": "m", "duration_s": 60, "aspects": [], "labels": {}, "delivery": {}}'),
         ["mine.json", "duration_s", "[shortest, longest]"]),
    Case("check profile delivery wrong type", ["check", "{p}/filmcrew.toml", "--profile", "{p}/mine.json"],
         raw("mine.json", json.dumps({**json.loads((Path(__file__).parents[1] / "src/filmcrew/provenance/profiles/"
                                                    "delivery.json").read_text()), "min_size": "1080p"})),
         ["mine.json", "min_size", "[width, height]"]),
    Case("check profile ai_share min over 1", ["check", "{p}/filmcrew.toml", "--profile", "{p}/mine.json"],
         raw("mine.json", json.dumps({**json.loads((Path(__file__).parents[1] / "src/filmcrew/provenance/profiles/"
                                                    "delivery.json").read_text()), "ai_share": {"min": 70}})),
         ["mine.json", "ai_share.min", "from 0 to 1"]),
    Case("check profile misspelt field", ["check", "{p}/filmcrew.toml", "--profile", "{p}/mine.json"],
         raw("mine.json", json.dumps({**json.loads((Path(__file__).parents[1] / "src/filmcrew/provenance/profiles/"
                                                    "delivery.json").read_text()), "min_sise": [1, 1]})),
         ["mine.json", "min_sise", "did you mean min_size"]),
    # with a made film
    Case("dub unknown line", ["dub", P, "ep01-s09-l99", "{p}/take.wav"], wav("take.wav"), ["ep01-s09-l99", "--list"],
         made=True),
    Case("dub take not audio", ["dub", P, "ep01-s01-l01", "{p}/take.wav"], raw("take.wav", "not a sound"),
         ["take.wav", "audio"], made=True),
    Case("dub take of another kind", ["dub", P, "ep01-s01-l01", "{p}/story/bible.yaml"], None,
         ["bible.yaml", ".wav"], made=True),
    Case("import not a timeline", ["import", P, "{p}/story/bible.yaml"], None, ["bible.yaml"], made=True),
    Case("import EDL out before in", ["import", P, "{p}/cut.edl"],
         raw("cut.edl", "TITLE: x\n001  AX       V     C        00:00:00:00 00:00:04:00 01:00:04:00 01:00:00:00\n"),
         ["cut.edl:2", "event 001", "ends before it starts"], made=True),
    Case("import EDL impossible timecode", ["import", P, "{p}/cut.edl"],
         raw("cut.edl", "TITLE: x\n001  AX       V     C        00:00:00:00 00:00:04:00 99:99:99:99 99:99:99:99\n"),
         ["cut.edl:2", "99:99:99:99", "impossible"], made=True),
    Case("import OTIO negative duration", ["import", P, "{p}/cut.otio"], otio_clip(-30, 30), ["cut.otio", "at least one frame"],
         made=True),
    Case("import OTIO rate 0", ["import", P, "{p}/cut.otio"], otio_clip(30, 0), ["cut.otio", "rate"], made=True),
    Case("import FCPXML huge time", ["import", P, "{p}/cut.fcpxml"],
         raw("cut.fcpxml", '<fcpxml version="1.10"><library><event><project><sequence><spine>'
                           '<gap offset="0s" duration="1e400s"/></spine></sequence></project></event></library></fcpxml>'),
         ["cut.fcpxml", "1e400s", "longer than a day"], made=True),
    Case("import episode 0", ["import", P, "{p}/story/bible.yaml", "--episode", "0"], None, ["--episode", "at least 1"],
         made=True),
    Case("make episode 0", ["make", P, "--episode", "0"], None, ["--episode", "at least 1"], made=True),
    Case("a picture and a clip take of one shot", ["plan", P, "--preview"],
         then(raw("takes/ep01-s01-sh01.png", b"\x89PNG"), raw("takes/ep01-s01-sh01.mp4", b"....ftypisom")),
         ["takes/ep01-s01-sh01.mp4", "takes/ep01-s01-sh01.png", "remove one"], made=True),
    Case("a take named for no shot", ["plan", P, "--preview"], raw("takes/ep01-s01-sh1.png", b"\x89PNG"),
         ["takes/ep01-s01-sh1.png", "named for no shot"], code=0, made=True),
    Case("consistency of a film only previewed", ["consistency", P], None, ["only the preview", "--preview"], made=True,
         marks=[pytest.mark.skipif(not __import__("filmcrew.consistency.faces", fromlist=["available"]).available(),
                                   reason="the consistency check needs the faces extra")]),
    Case("make into a read-only out", ["make", P, "--preview", "--quiet"],
         then(first_line_says("It depends on what they say."), readonly("out")),
         ["out", "permission", "write"], made=True),
]


def snapshot(root: Path) -> dict[str, str]:
    """Every file of the project but the cache, by content."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and ".filmcrew" not in p.relative_to(root).parts}


@pytest.fixture(scope="session")
def written(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("catalogue") / "film"
    assert main(["new", str(root), "--premise", "A mortal fisherman challenges the god of floods to save his village",
                 "--minutes", "0.4", "--seed", "7"]) == 0
    assert main(["write", str(root), "--quiet"]) == 0
    return root


def run_case(case: Case, src: Path, tmp_path: Path, capsys) -> None:
    root = tmp_path / "film"
    shutil.copytree(src, root)
    if case.setup:
        case.setup(root)
    before = snapshot(root)
    capsys.readouterr()
    argv = [a.replace("{p}", str(root)) for a in case.argv]
    try:
        rc = main(argv)
    except SystemExit as ex:  # argparse's usage errors
        rc = ex.code
    finally:
        for p in (root / "out",):
            if p.exists():
                os.chmod(p, 0o755)
    out, err = capsys.readouterr()
    said = err + out
    assert rc == case.code, f"exit {rc}, wanted {case.code}; said:\n{said}"
    assert "Traceback" not in said
    for s in case.says:
        s = s.replace("{p}", str(root))
        assert s.lower() in said.lower(), f"{s!r} not in:\n{said}"
    assert snapshot(root) == before, "the command changed the project's files"


@pytest.mark.parametrize("case", [c for c in CASES if not c.made], ids=lambda c: c.name)
def test_catalogue(case, written, tmp_path, capsys):
    run_case(case, written, tmp_path, capsys)


@pytest.mark.slow
@pytest.mark.parametrize("case", [pytest.param(c, marks=c.marks, id=c.name) for c in CASES if c.made])
def test_catalogue_on_a_made_film(case, small_film, tmp_path, capsys):
    if "read-only" in case.name and os.geteuid() == 0:
        pytest.skip("root writes through permission bits; the full-disk test below covers a refused write")
    run_case(case, small_film, tmp_path, capsys)


@pytest.mark.slow
def test_a_full_disk_fails_clearly_keeps_the_rest_and_resumes(written, tmp_path):
    """A file-size limit (RLIMIT_FSIZE, which refuses writes as a full disk does, for root too) stops the
    make's bigger files: the failure names the cause and the fix, and the next make finishes the film."""
    import resource
    import signal
    root = tmp_path / "film"
    shutil.copytree(written, root)
    before = snapshot(root)

    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a refused write returns EFBIG instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (96 * 1024, resource.RLIM_INFINITY))

    cmd = [sys.executable, "-m", "filmcrew", "make", str(root), "--preview", "--quiet"]
    r = subprocess.run(cmd, capture_output=True, text=True, preexec_fn=small_files,
                       env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert "task(s) failed" in r.stderr and ("file-size limit" in r.stderr or "File too large" in r.stderr), r.stderr
    assert "finished and were kept" in r.stderr
    assert snapshot(root) == before  # out/ and the story untouched
    kept = len(list((root / ".filmcrew" / "objects").glob("*/*/record.json")))
    assert kept > 0  # the small artifacts were made and kept
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (root / "out" / "ep01.preview.mp4").stat().st_size > 100_000


def test_the_catalogue_is_at_least_60_cases():
    assert len(CASES) >= 60 and len({c.name for c in CASES}) == len(CASES)


@pytest.mark.slow
def test_a_listing_piped_into_head_ends_quietly(small_film):
    """`filmcrew dub P --list | head -1`: the reader stops; filmcrew must not print a traceback."""
    proc = subprocess.Popen(f"{sys.executable} -m filmcrew dub {small_film} --list | head -1", shell=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(timeout=120)
    assert out.count("\n") == 1 and "Traceback" not in err and "BrokenPipe" not in err


@pytest.mark.slow
@pytest.mark.parametrize("argv", [["export", "{p}", "--preview"], ["export-audio", "{p}", "--preview"],
                                  ["consistency", "{p}", "--preview"], ["lines", "{p}", "--drop", "ep01-s01-l01"],
                                  ["take", "{p}", "ep01-s01-sh01", "--retake", "--preview"],
                                  ["dub", "{p}", "ep01-s01-l01", "{p}/take.wav"]])
def test_commands_that_write_wait_for_no_make_they_are_refused_while_one_runs(argv, small_film, tmp_path, capsys):
    """`export` while a make ran cleared the make's temporary folder under it: every command that writes the store
    or the project now shares the make's lock, and is refused naming the make that holds it."""
    from filmcrew.engine.lock import make_lock
    root = tmp_path / "film"
    shutil.copytree(small_film, root)
    wav("take.wav")(root)
    (root / ".filmcrew" / "tmp" / "in-the-make").mkdir(parents=True)
    before = snapshot(root)
    capsys.readouterr()
    with make_lock(root, "make"):
        rc = main([x.replace("{p}", str(root)) for x in argv])
    said = capsys.readouterr()
    assert rc == 2 and "another make of" in said.err and "Traceback" not in said.err, said
    assert (root / ".filmcrew" / "tmp" / "in-the-make").is_dir() and snapshot(root) == before
