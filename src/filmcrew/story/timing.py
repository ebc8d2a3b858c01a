"""Pure timing rules shared by the animator, the editor and the finisher.

A shot's length follows its own voices only (so editing one line never moves
another shot's picture): lead-in (incoming transition + breath), the lines with
gaps, a tail (breath + outgoing transition), at least the written duration.
"""

from __future__ import annotations

from ..model import Shot

FPS = 30
LEAD = 9  # frames of breath before the first line
GAP = 10  # frames between lines
TAIL = 12  # frames after the last line
TRANSITION_FRAMES = {"cut": 0, "crossfade": 15, "dip": 20}
MIN_FRAMES = 60
FIT = 6  # frames a dubbed take may run past its line's slot (into the pause after it) and still fit
EDGE_PAD = 0.02  # seconds of silence kept before a voice's first sound: under a frame, so the sound, the
# subtitle (shown from the voice's first frame) and the mouth start within one frame of each other


def slot(voice_frames: int, scratch_frames: int | None) -> int:
    """The frames a line takes in its shot's layout. A human take dubbed over a synthetic voice (its
    scratch track) keeps the scratch's slot when it fits, so the shot's picture stays as it is (the actor
    dubbed to picture): shorter, or at most FIT frames longer, eating into the pause after it. A longer
    take stretches the shot. A line with no scratch takes its own length."""
    if scratch_frames is None or voice_frames > scratch_frames + FIT:
        return voice_frames
    return scratch_frames


def action_frames(shot: Shot) -> int:
    from .screenplay import action_seconds
    return shot.duration_frames or int(round(action_seconds(shot.action) * FPS))


def layout(shot: Shot, voice_frames: list[int], in_frames: int, out_frames: int) -> tuple[int, list[int]]:
    """(total frames of the shot, start frame of each line inside the shot)."""
    cursor = in_frames + LEAD
    starts = []
    for n in voice_frames:
        starts.append(cursor)
        cursor += n + GAP
    needed = (cursor - GAP + TAIL + out_frames) if voice_frames else 0
    return max(action_frames(shot), needed, MIN_FRAMES, in_frames + out_frames + 10), starts


def edges(shots: list[Shot]) -> list[tuple[int, int]]:
    """Per shot, the frames its incoming and its outgoing transitions overlap (layout's in and out)."""
    overlaps = transition_frames(shots)
    return [(overlaps[i - 1] if i else 0, overlaps[i]) for i in range(len(shots))]


def transition_frames(shots: list[Shot]) -> list[int]:
    """Overlap frames between shot i and i+1 (the last entry is 0)."""
    return [TRANSITION_FRAMES.get(s.transition, 0) if i < len(shots) - 1 else 0 for i, s in enumerate(shots)]
