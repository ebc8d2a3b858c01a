"""A transition between two shots drawn here is blended by the finisher (crew/finisher._blend) and piped into the
encoder: the cross-fade and the dip through black follow ffmpeg's xfade `fade` and `fadeblack` by their progress,
and a side with no frames left holds its first or last frame (_held)."""
from types import SimpleNamespace

import numpy as np
import pytest

from filmcrew.crew.finisher import _blend, _held
from filmcrew.errors import MediaError

W, H = 8, 6  # a tiny yuv420p frame: H*3/2 rows of W


def frame(y: int, u: int = 128, v: int = 128) -> np.ndarray:
    f = np.empty((H * 3 // 2, W), np.uint8)
    f[:H], f[H:H + H // 4], f[H + H // 4:] = y, u, v
    return f


def blended(kind: str, before: int, into: int, a: np.ndarray, b: np.ndarray) -> list[np.ndarray]:
    j = SimpleNamespace(kind=kind, before=before, into=into)
    d = before + into
    return [f.copy() for f in _blend(j, (a for _ in range(d)), (b for _ in range(d)), (W, H))]


def test_a_crossfade_goes_from_the_outgoing_shot_to_the_incoming_one_by_its_progress():
    out = blended("crossfade", 10, 5, frame(200, 100, 160), frame(40, 150, 90))
    assert len(out) == 15
    assert (out[0] == frame(200, 100, 160)).all()  # progress 1: the outgoing shot alone
    for i, f in enumerate(out):  # a * P + b * (1 - P), P = 1 - i/15, rounded
        p = 1 - i / 15
        assert abs(int(f[0, 0]) - (200 * p + 40 * (1 - p))) <= 1
        assert abs(int(f[H, 0]) - (100 * p + 150 * (1 - p))) <= 1
    lum = [int(f[0, 0]) for f in out]
    assert lum == sorted(lum, reverse=True) and lum[-1] < 60  # falling steadily, nearly the incoming shot at the end


def test_a_dip_passes_through_black_not_through_a_mix_of_the_two():
    a, b = frame(200, 90, 170), frame(180, 170, 90)
    out = blended("dip", 10, 10, a, b)
    assert (out[0] == a).all()
    lum = [int(f[0, 0]) for f in out]
    darkest = min(range(20), key=lambda i: lum[i])
    # down to black quickly, back slowly (xfade's fadeblack: 200 150 85 27 5 9 16 ... 162 on the same two colours,
    # to its Y = 0; here limited-range black, 16), where a cross-fade stays near 190
    assert 3 <= darkest <= 6 and lum[darkest] < 30
    assert lum[darkest:] == sorted(lum[darkest:]) and lum[-1] > 160
    assert abs(int(out[darkest][H, 0]) - 128) < 5 and abs(int(out[-1][H, 0]) - 170) < 5  # chroma: black's, then b's


def test_a_side_without_frames_left_holds_its_first_and_last():
    frames = [np.full(2, k) for k in range(3)]
    held = [int(f[0]) for f in _held(iter(frames), 2, 3, "x")]
    assert held == [0, 0, 0, 1, 2, 2, 2, 2]
    with pytest.raises(MediaError, match="no frames"):
        list(_held(iter([]), 0, 1, "the transition after s1"))


def test_a_side_with_none_of_its_frames_in_the_transition_holds_its_nearest():
    """A cross-fade wholly before the cut into a shot used from its first frame (a person's cut on the studio's
    timeline): the incoming side has no frame before its first, so its first is shown throughout; the same for an
    outgoing shot used to its last frame with the whole transition after the cut."""
    from filmcrew.crew.finisher import _side_range
    from filmcrew.story.cut import Item

    before = SimpleNamespace(before=15, into=0)
    assert _side_range(before, Item("shot", 0, None, shot="s2"), 90, outgoing=False) == (-15, 0, 0, 1, 0, 14)
    assert _side_range(before, Item("shot", 0, None, shot="s1"), 90, outgoing=True) == (75, 90, 75, 90, 0, 0)
    after = SimpleNamespace(before=0, into=10)
    assert _side_range(after, Item("shot", 0, None, shot="s1"), 90, outgoing=True) == (90, 100, 89, 90, 0, 9)
    assert _side_range(after, Item("shot", 20, 60, shot="s1"), 90, outgoing=True) == (60, 70, 60, 70, 0, 0)
    mid = SimpleNamespace(before=8, into=7)  # a trimmed shot with handles: its own frames, none held
    assert _side_range(mid, Item("shot", 10, 50, shot="s2"), 90, outgoing=False) == (2, 17, 2, 17, 0, 0)
    assert _side_range(mid, Item("shot", 0, 40, shot="s2"), 40, outgoing=True) == (32, 47, 32, 40, 0, 7)


def test_a_line_heard_inside_a_transition_of_the_film_s_own_cut_is_said_to_be_a_bug(tmp_path):
    """Such a transition's key holds its sides' pictures and lengths, not their lines (a line never reaches one:
    story/timing.py's LEAD and TAIL); every one made checks that against the shot's layout (_quiet)."""
    import json

    from filmcrew.crew.finisher import _quiet
    (tmp_path / "layout.json").write_text(json.dumps({"frames": 120, "starts": [24, 70], "voice_frames": [40, 30]}))
    tctx = SimpleNamespace(inputs={"b.timing": str(tmp_path)})
    sh = SimpleNamespace(lines=[SimpleNamespace(id="ep01-s01-l01"), SimpleNamespace(id="ep01-s01-l02")])
    _quiet(tctx, "b.", sh, -7, 8, "t")  # the incoming side's first frames: no line yet
    _quiet(tctx, "b.", sh, 100, 115, "t")  # its last: the second line ended at 100
    with pytest.raises(MediaError, match="ep01-s01-l02 is heard inside the transition .* bug in filmcrew"):
        _quiet(tctx, "b.", sh, 99, 115, "t")
    _quiet(tctx, "b.", None, 0, 120, "t")  # an item with no shot (a gap): nothing to hear
