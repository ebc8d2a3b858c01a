"""What an action names: props to draw and spot effects, in three languages; the effects synthesised
offline, each sounding like its kind."""

import numpy as np
import pytest

from filmcrew.providers.base import EFFECT_KINDS, EffectRequest
from filmcrew.providers.synth_foley import SynthFoley
from filmcrew.story.action_words import effects_in, props_in


@pytest.mark.parametrize("action,expected", [
    ("She knocks on the door.", ["knock"]),
    ("The door slams behind him; thunder rolls.", ["door", "thunder"]),
    ("He walks to the edge and dives into the sea with a splash.", ["footsteps", "splash"]),
    ("Elle frappe à la porte. Le tonnerre gronde.", ["knock", "thunder"]),
    ("Marie marche vers la mer et plonge.", ["footsteps", "splash"]),
    ("Il ne bouge pas.", []),
    ("他推开门，雷声响起。", ["door", "thunder"]),
    ("他跑过来，扑通一声跳进水里。", ["footsteps", "splash"]),
    ("A doorway in the rain. Nothing moves.", []),
    ("她握紧一张旧门卡。", []),
])
def test_effects_named_in_the_action(action, expected):
    assert effects_in(action) == expected


@pytest.mark.parametrize("action,expected", [
    ("Mara lifts a lantern and reads the letter.", ["lantern", "letter"]),
    ("He swipes an old key card.", ["keycard"]),
    ("She turns the key.", ["key"]),
    ("Il sort une boussole et une épée.", ["compass", "sword"]),
    ("Elle montre sa carte d'accès.", ["keycard", "letter"]),
    ("他拿起一只玉铃和一封信。", ["bell", "letter"]),
    ("The keeper waits.", []),
])
def test_props_named_in_the_action(action, expected):
    assert props_in(action) == expected


def _onsets(x: np.ndarray, rate: int) -> int:
    """Separate hits: 10 ms frames whose level jumps 12 dB over the frame before, at least 80 ms apart."""
    hop = rate // 100
    m = len(x) // hop
    level = 20 * np.log10(np.sqrt((x[: m * hop].reshape(m, hop) ** 2).mean(axis=1)) + 1e-6)
    hits, last = 0, -99
    for k in range(1, m):
        if level[k] - level[k - 1] > 12 and level[k] > level.max() - 30 and k - last >= 8:
            hits, last = hits + 1, k
    return hits


def _low_share(x: np.ndarray, rate: int, cutoff: float) -> float:
    spec = np.abs(np.fft.rfft(x)) ** 2
    f = np.fft.rfftfreq(len(x), 1 / rate)
    return float(spec[f < cutoff].sum() / spec.sum())


def test_each_effect_sounds_like_its_kind():
    foley = SynthFoley()
    fx = {}
    for kind in EFFECT_KINDS:
        a, rate = foley.effect(EffectRequest(kind, 3.0, 5))
        assert a.ndim == 2 and a.shape[1] == 2 and 0.5 < np.abs(a).max() <= 0.81, kind
        fx[kind] = a[:, 0]
    again, _ = foley.effect(EffectRequest("thunder", 3.0, 5))
    assert np.array_equal(again[:, 0], fx["thunder"])  # seeded: the same effect every make
    assert _onsets(fx["knock"], rate) == 3  # three knocks
    assert 5 <= _onsets(fx["footsteps"], rate) <= 7  # two steps a second over 3 s
    assert _low_share(fx["thunder"], rate, 300) > 0.6  # thunder is mostly rumble
    assert _low_share(fx["splash"], rate, 300) < 0.1  # a splash is mostly hiss
    assert len(fx["thunder"]) / rate > 2.5 and len(fx["knock"]) / rate < 1.3


def test_an_unknown_effect_is_refused():
    with pytest.raises(ValueError, match="gong"):
        SynthFoley().effect(EffectRequest("gong", 1.0, 1))
