"""Subtitle pieces stay on screen long enough to read (issue: a piece shown for 0.53 s)."""
from hypothesis import given
from hypothesis import strategies as st

from filmcrew.media.subtitles import MIN_PIECE, hold


def test_a_short_piece_is_held_a_second_and_the_next_starts_later():
    assert hold([("No.", 0, 16), ("I'm done fighting you.", 16, 120)]) == [("No.", 0, 30), ("I'm done fighting you.", 30, 120)]


def test_a_line_too_short_for_a_second_each_is_split_evenly_and_one_piece_keeps_its_length():
    assert [b - a for _, a, b in hold([("a", 0, 16), ("b", 16, 40), ("c", 40, 50)])] == [17, 16, 17]
    assert hold([("Go.", 0, 12)]) == [("Go.", 0, 12)]


@given(st.lists(st.integers(1, 200), min_size=2, max_size=6), st.integers(0, 500))
def test_held_pieces_cover_the_same_span_in_order_and_each_lasts_a_second_when_it_can(lengths, start):
    bounds = [start]
    for n in lengths:
        bounds.append(bounds[-1] + n)
    pieces = [(str(k), bounds[k], bounds[k + 1]) for k in range(len(lengths))]
    out = hold(pieces)
    assert [p for p, _, _ in out] == [p for p, _, _ in pieces]
    assert out[0][1] == start and out[-1][2] == bounds[-1]
    assert all(out[k][2] == out[k + 1][1] for k in range(len(out) - 1))
    if bounds[-1] - start >= MIN_PIECE * len(lengths):
        assert all(b - a >= MIN_PIECE - 1 for _, a, b in out)  # (rounding to whole frames)


def test_ass_and_srt_times_are_the_frames_time_rounded_not_truncated():
    """Frame 2 at 30 fps is 66.7 ms: 0:00:00.07 in ASS (centiseconds) and 00:00:00,067 in SRT; each event's
    ASS start and end are within 5 ms of its SRT ones."""
    import re

    from filmcrew.media import subtitles
    tl = {"fps": 30, "frames": 200, "size": [540, 960],
          "lines": [{"line": "ep01-s01-l01", "speaker": "MEI", "text": "Hello.", "start": 2, "frames": 59, "from": 0,
                     "voice_frames": 59, "spans": None}]}
    srt, ass = subtitles.srt(tl), subtitles.ass(tl)
    assert "00:00:00,067 --> 00:00:02,033" in srt
    assert "0:00:00.07,0:00:02.03" in ass

    def secs(h, m, s, frac):
        return int(h) * 3600 + int(m) * 60 + int(s) + int(frac) / 10 ** len(frac)
    s_times = [secs(*m) for m in re.findall(r"(\d+):(\d\d):(\d\d),(\d{3})", srt)]
    a_times = [secs(*m) for m in re.findall(r"(\d+):(\d\d):(\d\d)\.(\d\d)", ass)]
    assert len(s_times) == len(a_times) == 2 and all(abs(a - b) <= 0.005 for a, b in zip(s_times, a_times))
