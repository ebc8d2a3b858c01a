"""The offline composer: an original cue per scene, rendered with a General MIDI soundfont.

Mood sets key, mode, tempo, progression and instruments; a motif drawn from the
series' theme seed recurs in every cue; an episode's last scene ends on a stinger.
Rendered with tinysoundfont and the TimGM6mb soundfont that ships in pretty-midi.
Ledger type: ``algorithmicMedia`` (rules, no trained model).
"""

from __future__ import annotations

import random
import threading
from pathlib import Path

import numpy as np

from .. import ledger
from ..errors import MissingExtraError, ProviderError
from .base import CueRequest, NoSettings

RATE = 48000
MAJOR = [0, 2, 4, 5, 7, 9, 11]
MINOR = [0, 2, 3, 5, 7, 8, 10]
STYLE = {  # mood: (mode, bpm, progression (scale degrees), pad program, melody program, drums)
    "hopeful": ("major", 84, [0, 4, 5, 3], 48, 73, False),
    "warm": ("major", 76, [0, 3, 4, 0], 89, 0, False),
    "ominous": ("minor", 64, [0, 5, 2, 6], 52, 71, True),
    "tense": ("minor", 96, [0, 3, 0, 4], 48, 40, True),
    "sad": ("minor", 66, [0, 5, 3, 4], 48, 0, False),
    "mysterious": ("minor", 72, [0, 1, 5, 4], 92, 107, False),
    "epic": ("minor", 104, [0, 5, 6, 4], 48, 56, True),
}
_lock = threading.Lock()


def soundfont_path() -> Path:
    try:
        import pretty_midi
    except ImportError as err:
        raise ProviderError("the General MIDI soundfont is missing: pip install pretty-midi") from err
    return Path(pretty_midi.__file__).parent / "TimGM6mb.sf2"


class MidiComposer(NoSettings):
    name = "midi"
    version = "1"
    model = "TimGM6mb.sf2"
    source_type = ledger.ALGORITHMIC

    def notes(self, req: CueRequest) -> tuple[list[tuple[float, float, int, int, int]], dict]:
        """(start s, end s, channel, pitch, velocity) events and the programs, for a cue."""
        mode, bpm, prog, pad, lead, drums = STYLE.get(req.mood, STYLE["hopeful"])
        rng = random.Random(req.seed)
        theme = random.Random(req.theme_seed)
        scale = MAJOR if mode == "major" else MINOR
        root = 48 + theme.choice([0, 2, 5, 7, 9])  # the series keeps one key family
        motif = [theme.choice([0, 2, 4, 4, 7, 5]) for _ in range(6)]
        beat = 60.0 / bpm
        bar = 4 * beat
        bars = max(2, int(np.ceil(req.seconds / bar)))
        ev: list[tuple[float, float, int, int, int]] = []

        def deg(d: int, octave: int = 0) -> int:
            return root + 12 * (octave + d // 7) + scale[d % 7]

        for b in range(bars):
            t0 = b * bar
            chord = prog[b % len(prog)]
            for k in (0, 2, 4):  # pad
                ev.append((t0, t0 + bar * 0.98, 0, deg(chord + k, 1), 52))
            ev.append((t0, t0 + bar * 0.5, 1, deg(chord, -1), 80))  # bass
            ev.append((t0 + bar * 0.5, t0 + bar * 0.95, 1, deg(chord + (4 if rng.random() < 0.5 else 0), -1), 70))
            if b % 4 in (1, 2) or (b % 2 == 1 and rng.random() < 0.6):  # the motif, varied
                for i, m in enumerate(motif[: 4 + (b % 3)]):
                    s = t0 + i * beat * (0.5 if bpm < 80 else 0.75)
                    ev.append((s, s + beat * 0.7, 2, deg(chord + m + (7 if rng.random() < 0.15 else 0), 2), 78))
            if drums:
                for q in range(4):
                    if q in (0, 2):
                        ev.append((t0 + q * beat, t0 + q * beat + 0.2, 9, 36, 90))
                    if q in (1, 3):
                        ev.append((t0 + q * beat, t0 + q * beat + 0.2, 9, 38 if req.mood == "epic" else 42, 60))
        if req.ending == "hook":  # a stinger on the episode's hook
            end = bars * bar
            for k in (0, 1, 6):
                ev.append((end, end + 2.5, 3, deg(k, 1), 110))
            ev.append((end, end + 2.5, 9, 49, 110))
        return ev, {0: pad, 1: 33, 2: lead, 3: 61}

    def compose(self, req: CueRequest) -> tuple[np.ndarray, int]:
        try:
            import tinysoundfont
        except ImportError as err:
            raise MissingExtraError("the offline composer (tinysoundfont, installed with --no-deps)", "music") from err
        events, programs = self.notes(req)
        total = max(e[1] for e in events) + 2.5
        n = int(total * RATE)
        with _lock:
            synth = tinysoundfont.Synth(samplerate=RATE, gain=-3)
            sfid = synth.sfload(str(soundfont_path()))
            for ch, pg in programs.items():
                synth.program_select(ch, sfid, 0, pg)
            synth.program_select(9, sfid, 128, 0, True)
            timeline = sorted([(s, 1, ch, p, v) for s, e, ch, p, v in events] + [(e, 0, ch, p, 0) for s, e, ch, p, v in events],
                              key=lambda x: (x[0], x[1]))
            out = np.zeros((n, 2), np.float32)
            pos = 0
            for t, on, ch, p, v in timeline:
                at = min(n, int(t * RATE))
                if at > pos:
                    buf = np.frombuffer(synth.generate(at - pos), dtype=np.float32).reshape(-1, 2)
                    out[pos:pos + len(buf)] = buf
                    pos = at
                if on:
                    synth.noteon(ch, p, v)
                else:
                    synth.noteoff(ch, p)
            if pos < n:
                buf = np.frombuffer(synth.generate(n - pos), dtype=np.float32).reshape(-1, 2)
                out[pos:pos + len(buf)] = buf
        peak = float(np.abs(out).max()) or 1.0
        return out * (0.7 / peak), RATE
