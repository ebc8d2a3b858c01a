"""cut/epNN.json: the edited cut as data, written and read back, and bad files named with their fix."""
import json

import pytest

from filmcrew.errors import ConfigError
from filmcrew.model import Shot
from filmcrew.story import cut

SHOTS = ["ep01-s01-sh01", "ep01-s01-sh02", "ep01-s02-sh01"]


def _write(tmp_path, doc):
    p = cut.path(tmp_path, 1)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return p


def test_a_cut_survives_the_round_trip_through_its_file(tmp_path):
    (tmp_path / "cut" / "media").mkdir(parents=True)
    (tmp_path / "cut" / "media" / "x.mp4").write_bytes(b"not checked here")
    c = cut.Cut((cut.Item("shot", 15, None, shot=SHOTS[1]), cut.Item("take", 60, 120, media="cut/media/x.mp4",
                                                                     sha256="ab" * 32, name="outside"),
                 cut.Item("gap", cut.HANDLE, cut.HANDLE + 20), cut.Item("shot", 0, 88, shot=SHOTS[0])),
                (cut.Join(0, "crossfade", 15, 0), cut.Join(2, "dip", 10, 10)), {"music": -6.0}, {"ep01-s01-l01": 3.0},
                removed=(SHOTS[2],), edits=("removed ep01-s02-sh01",), by="Ana", source="edit.otio")
    cut.save(tmp_path, 1, c)
    assert cut.load(tmp_path, 1, SHOTS) == c
    assert c.offsets(0) == (0, 15) and c.offsets(1) == (0, 0) and c.offsets(3) == (10, 0)


def test_the_screenplays_own_cut_follows_its_transitions():
    shots = [Shot(SHOTS[0], "a", transition="crossfade"), Shot(SHOTS[1], "b", transition="dip"), Shot(SHOTS[2], "c")]
    c = cut.script_cut(shots)
    assert [(it.shot, it.src_in, it.src_out) for it in c.items] == [(SHOTS[0], 0, None), (SHOTS[1], 15, None),
                                                                     (SHOTS[2], 20, None)]
    assert [(j.after, j.kind, j.before) for j in c.joins] == [(0, "crossfade", 15), (1, "dip", 20)]
    assert not c.human and cut.resolve(c.items[1], 100) == (15, 100)


@pytest.mark.parametrize("doc, message", [
    ("{not json", r"line 1: not valid JSON"),
    ({"schema": "other"}, r"\"schema\" must be 'filmcrew-cut/1'"),
    ({"schema": cut.SCHEMA, "items": []}, r"\"items\" is empty"),
    ({"schema": cut.SCHEMA, "items": [{"kind": "clip"}]}, r"items\[0\]: \"kind\" must be one of shot, take, gap"),
    ({"schema": cut.SCHEMA, "items": [{"kind": "shot", "shot": "ep09-s01-sh01", "src_in": 0}]},
     r"items\[0\]\.shot: 'ep09-s01-sh01' is not a shot of the screenplay any more; .*--reset"),
    ({"schema": cut.SCHEMA, "items": [{"kind": "shot", "shot": SHOTS[0], "src_in": 10, "src_out": 5}]},
     r"items\[0\]\.src_out: must be a whole number of frames \(30 fps\) of at least 11"),
    ({"schema": cut.SCHEMA, "items": [{"kind": "take", "src_in": 0, "src_out": 9, "media": "cut/media/gone.mp4"}]},
     r"items\[0\]\.media: .*gone.mp4 is missing"),
    ({"schema": cut.SCHEMA, "items": [{"kind": "shot", "shot": SHOTS[0], "src_in": 0}],
      "transitions": [{"after": 0, "kind": "crossfade", "before": 5}]}, r"transitions\[0\]\.after: 0 has no next item"),
    ({"schema": cut.SCHEMA, "items": [{"kind": "shot", "shot": SHOTS[0], "src_in": 0}], "gains": {"music": 99}},
     r"gains\.music: a gain in dB between -60 and 24"),
])
def test_a_bad_cut_file_names_the_field_and_the_fix(tmp_path, doc, message):
    p = _write(tmp_path, doc)
    with pytest.raises(ConfigError, match=message) as err:
        cut.load(tmp_path, 1, SHOTS)
    assert str(p) in str(err.value)
