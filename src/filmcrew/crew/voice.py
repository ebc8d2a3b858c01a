"""The voice: one audio file per line, from the speak provider or a human take in takes/."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import ledger, media
from ..errors import MediaError, ProviderError
from ..graph import ProviderId, Task
from ..providers.base import SpeakRequest
from . import common
from .common import EpisodeContext, provider_id

CODE_VERSION = "voice-1"
TAKE_EXTS = (".wav", ".mp3", ".m4a", ".flac")
CLIP_FRACTION = 0.002  # more than 0.2% of samples at full scale is a badly clipped recording


def clipped_fraction(a: np.ndarray) -> float:
    return float(np.mean(np.abs(a) >= 0.999)) if len(a) else 0.0


def find_take(root: Path, line_id: str) -> Path | None:
    return common.find_take(root, line_id, TAKE_EXTS)


def tasks(ctx: EpisodeContext) -> dict[str, Task]:
    out: dict[str, Task] = {}
    for ln in ctx.episode.lines():
        ch = ctx.bible.character(ln.speaker)
        if ch is None:
            raise ProviderError(f"line {ln.id}: unknown speaker {ln.speaker!r}; add them to story/bible.yaml")
        take = find_take(ctx.root, ln.id)
        if take is not None:
            import hashlib
            params = {"take": hashlib.sha256(take.read_bytes()).hexdigest()}
            out[ln.id] = Task("voice", f"{ln.id}.voice", CODE_VERSION, ProviderId("human-take", "1"), params,
                              _take_runner(take, ln.id), episode=ctx.episode.number)
            continue
        prov = ctx.crew.voice.get(ch.voice.provider)
        if prov is None:
            raise ProviderError(f"story/bible.yaml: character {ch.name}: voice provider {ch.voice.provider!r} is unknown")
        req = SpeakRequest(text=ln.text, voice=ch.voice, language=ln.language, parenthetical=ln.parenthetical)
        params = {"text": ln.text, "voice": ch.voice, "language": ln.language, "paren": ln.parenthetical}
        out[ln.id] = Task("voice", f"{ln.id}.voice", CODE_VERSION, provider_id(prov), params, _runner(prov, req),
                          seed=0, episode=ctx.episode.number)
    return out


def trim_silence(a: np.ndarray, rate: int, threshold_db: float = -45.0, pad_s: float = 0.04) -> np.ndarray:
    mono = np.abs(a if a.ndim == 1 else a.mean(axis=1))
    thr = 10 ** (threshold_db / 20)
    idx = np.nonzero(mono > thr)[0]
    if len(idx) == 0:
        return a[:0]
    pad = int(pad_s * rate)
    return a[max(0, idx[0] - pad): idx[-1] + pad]


def _finish(audio: np.ndarray, rate: int, path: Path) -> float:
    a = media.resample(audio, rate, media.SAMPLE_RATE)
    a = trim_silence(a, media.SAMPLE_RATE)
    if len(a) == 0:
        raise MediaError("the voice is silent")
    peak = float(np.abs(a).max())
    a = a * (0.5 / peak)  # lines leave here at one peak level; the mix sets loudness
    media.write_wav(path, a)
    return len(a) / media.SAMPLE_RATE


def _runner(prov, req: SpeakRequest):
    def run(tctx) -> dict:
        audio, rate = prov.speak(req)
        secs = _finish(audio, rate, Path(tctx.workdir) / "line.wav")
        return ledger.entry(made_by=ledger.made_by(prov),
                            source_type=prov.source_type, model=prov.model, prompt=req.text,
                            extra={"seconds": round(secs, 3)})
    return run


def _take_runner(take: Path, line_id: str):
    def run(tctx) -> dict:
        tmp = Path(tctx.workdir) / "decoded.wav"
        try:
            media.run_ffmpeg(["-i", str(take), "-vn", "-ac", "1", "-ar", str(media.SAMPLE_RATE), "-c:a", "pcm_s16le", str(tmp)],
                             f"decoding the take {take}")
        except MediaError as err:
            raise MediaError(f"{take}: not an audio file ffmpeg can read; record the take as WAV, MP3, M4A or FLAC ({err})") from err
        audio, rate = media.read_wav(tmp)
        tmp.unlink()
        if clipped_fraction(audio) > CLIP_FRACTION:
            raise MediaError(f"{take}: the take is badly clipped ({clipped_fraction(audio):.1%} of samples at full scale); "
                             f"record it again with the input gain lower")
        try:
            secs = _finish(audio[:, 0], rate, Path(tctx.workdir) / "line.wav")
        except MediaError as err:
            raise MediaError(f"{take}: {err}; record the line again with the microphone closer") from err
        return ledger.entry(made_by="human", source_type=ledger.CAPTURE, prompt=f"takes/{take.name}",
                            extra={"seconds": round(secs, 3)})
    return run


def frames_of(folder: Path) -> int:
    import wave
    with wave.open(str(Path(folder) / "line.wav"), "rb") as w:
        return int(round(w.getnframes() / w.getframerate() * 30))
