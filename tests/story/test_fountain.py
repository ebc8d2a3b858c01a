import re

import pytest

from filmcrew.errors import ScriptError
from filmcrew.story import fountain, screenplay


def test_every_sample_parses_and_round_trips(samples):
    files = sorted((samples / "fountain").glob("*.fountain"))
    assert len(files) >= 15
    for f in files:
        els = fountain.parse(f.read_text(encoding="utf-8"), str(f))
        assert els, f
        again = fountain.parse(fountain.write(els))
        assert [(e.type, e.text, e.extension, e.dual, e.number) for e in els] == \
               [(e.type, e.text, e.extension, e.dual, e.number) for e in again], f


def test_big_fish_counts_match_an_independent_count(samples):
    path = samples / "fountain" / "Big_Fish.fountain"
    text = path.read_text(encoding="utf-8")
    report = screenplay.check(text, str(path))
    # independent count: scene headings are INT/EXT lines after a blank line
    lines = text.splitlines()
    headings = sum(1 for i, ln in enumerate(lines) if re.match(r"^(INT|EXT)[\s./]", ln) and (i == 0 or not lines[i - 1].strip()))
    assert report["scenes"] == headings == 192
    # character cues: an upper-case line after a blank line, followed by a non-blank line
    cues = {}
    for i, ln in enumerate(lines[:-1]):
        name = re.sub(r"\(.*?\)", "", ln).strip().rstrip("^").strip()
        if name and name == name.upper() and any(c.isalpha() for c in name) and not lines[i - 1].strip() \
                and lines[i + 1].strip() and not re.match(r"^(INT|EXT)[\s./]", ln) and not name.endswith(":") \
                and not ln.startswith((">", "#", "=", "!", "[[")) and not name.endswith("."):
            cues[name] = cues.get(name, 0) + 1
    for name in ("EDWARD", "WILL", "SANDRA", "JOSEPHINE"):
        assert report["characters"][name] == cues[name], name
    assert report["lines"] == sum(report["characters"].values()) == 768
    assert report["errors"] == []
    assert 3600 < report["runtime_seconds"] < 3 * 3600  # a feature film


def test_elements_of_the_syntax(samples):
    d = {f.stem: fountain.parse(f.read_text(encoding="utf-8")) for f in (samples / "fountain").glob("*.fountain")}
    dual = [e for e in d["DualDialogue"] if e.type == "character"]
    assert [e.dual for e in dual] == [False, True]
    forced = d["ForcedElements"]
    assert forced[0].type == "action" and forced[0].forced
    assert [e.text for e in forced if e.type == "character"] == ["McDUCK", "SINGER"]
    assert [e.text for e in forced if e.type == "lyrics"] == ["These are the songs", "That I sing."]
    notes = d["Notes"]
    assert [e.text for e in notes if e.type == "note"] == ["A note.", "This line spans multiple lines."]
    assert notes[-1].notes == ("internal",) and "[[" not in notes[-1].text
    assert [e.number for e in d["SceneNumbers"]][:3] == ["1", "1A", "1a"]
    assert [e.text for e in d["Boneyard"]] == ["A line of action.", "This is an  boneyard."]
    crlf = d["Brick_and_Steel_crlf"]
    assert crlf[0].type == "title_page" and dict(crlf[0].meta)["Author"] == "Stu Maschwitz"
    assert sum(e.type == "scene_heading" for e in crlf) == 8
    assert [e.type for e in d["PageBreaks"]].count("page_break") == 2
    assert [e.level for e in d["SectionHeaders"]][-2:] == [2, 3]
    ev = [e for e in d["Dialogue"] if e.type == "character" and e.extension]
    assert ev[0].text == "EVE" and ev[0].extension == "O.S."
    assert fountain.plain_text("**bold** *it* _under_ \\*star") == "bold it under *star"


def test_unclosed_boneyard_names_the_line():
    with pytest.raises(ScriptError, match=r"ep01.fountain:3: unclosed boneyard"):
        fountain.parse("INT. HOUSE - DAY\n\n/* never closed\n\nMore.", "ep01.fountain")
