"""espeak-ng: offline formant voices for any language, including Chinese and French.

Robotic but real. It needs the espeak-ng program (Debian: apt-get install espeak-ng);
without it, speaking fails with that instruction. Ledger type: ``algorithmicMedia``
(a rule-based formant synthesiser, not a trained model).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from .. import ledger
from ..errors import ProviderError
from .base import NoSettings, SpeakRequest
from .voice_fx import deliver

LANG_VOICES = {"zh": "cmn", "fr": "fr", "en": "en-us"}
# words a minute at speed 1.0: espeak-ng's Mandarin at its usual 165 reads 2.4 characters a second, a syllable
# at a time; 250 reads about 3.6, nearer to speech (measured; natural Mandarin runs 4 to 5)
WPM = {"cmn": 250}


class EspeakVoiceProvider(NoSettings):
    name = "espeak-ng"
    version = "2"  # 2: Mandarin at 250 words a minute
    model = "espeak-ng"
    source_type = ledger.ALGORITHMIC

    def speak(self, req: SpeakRequest) -> tuple[np.ndarray, int]:
        exe = shutil.which("espeak-ng")
        if exe is None:
            raise ProviderError("espeak-ng is not installed, and it speaks the Chinese and French voices: "
                                "install it with `sudo apt-get install espeak-ng` (Debian/Ubuntu) or "
                                "`brew install espeak-ng` (macOS), then run make again")
        voice = LANG_VOICES.get(req.language, req.voice.voice or "en-us")
        wpm = int(WPM.get(voice, 165) * req.voice.speed)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "line.wav"
            proc = subprocess.run([exe, "-v", voice, "-s", str(wpm), "-w", str(out), req.text], capture_output=True)
            if proc.returncode != 0 or not out.exists():
                raise ProviderError(f"espeak-ng failed for voice {voice!r}: {proc.stderr.decode()[-300:]}")
            from ..media.ffmpeg import read_wav
            audio, sr = read_wav(out)
        return deliver(audio[:, 0], sr, req.voice.pitch), sr
