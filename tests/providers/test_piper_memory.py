"""The offline Piper voice lets its model go once no line is being said (issue 36: its session held about 170 MB
beside the frames a make draws after its voices), and says a line the same after loading it again."""
import time

import numpy as np

from filmcrew.model import Voice
from filmcrew.providers import piper_voice
from filmcrew.providers.base import SpeakRequest


def test_the_voice_is_let_go_when_idle_and_says_the_same_after(monkeypatch):
    monkeypatch.setattr(piper_voice, "IDLE_RELEASE_S", 0.05)
    p = piper_voice.PiperVoiceProvider()
    req = SpeakRequest("The tide is late today.", Voice(), "en")
    first, rate = p.speak(req)
    assert p._voice is not None  # (kept between lines said one after another)
    for _ in range(100):
        if p._voice is None:
            break
        time.sleep(0.02)
    assert p._voice is None
    again, rate2 = p.speak(req)
    assert rate == rate2 and np.array_equal(first, again)
