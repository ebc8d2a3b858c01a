"""Which lines of a shot are spoken on screen: the ones whose speaker the shot shows, without an off-screen
extension (V.O., O.S., O.C.). Only these drive lips (a lip-sync job) and are measured for lip sync; a narrator or
a voice off screen never is."""

from __future__ import annotations

OFF_SCREEN = ("V.O", "VO", "O.S", "OS", "O.C", "OC", "OFF")  # character extensions of a voice not on screen


def on_screen(sh) -> list:
    """The lines of `sh` whose speaker is seen speaking."""
    out = []
    for ln in sh.lines:
        ext = [x.strip().upper().rstrip(".") for x in (ln.extension or "").split(",")]
        if any(x in OFF_SCREEN for x in ext) or ln.speaker not in sh.characters:
            continue
        out.append(ln)
    return out
