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
