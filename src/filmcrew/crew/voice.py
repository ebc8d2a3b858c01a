"""The voice: one audio file per line, from the speak provider or a human take in takes/."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from .. import ledger
from ..engine import atomic
from ..engine.graph import ProviderId, Task
from ..errors import FilmcrewError, MediaError, ProviderError
from ..media import ffmpeg
from ..providers.base import SpeakRequest
from ..story import speech_text
from ..story.timing import EDGE_PAD
from . import common
from .common import EpisodeContext, provider_id

CODE_VERSION = "voice-4"
TAKE_EXTS = (".wav", ".mp3", ".m4a", ".flac")
CLIP_FRACTION = 0.002  # more than 0.2% of samples at full scale is a badly clipped recording


def clipped_fraction(a: np.ndarray) -> float:
    return float(np.mean(np.abs(a) >= 0.999)) if len(a) else 0.0


def find_take(root: Path, line_id: str) -> Path | None:
    return common.find_take(root, line_id, TAKE_EXTS)


def tasks(ctx: EpisodeContext) -> dict[str, Task]:
    """line id -> the task that makes its voice: the human take in takes/, or the speak provider's."""
    out: dict[str, Task] = {}
    for ln in ctx.episode.lines():
        ch = _speaker(ctx, ln)
        take = find_take(ctx.root, ln.id)
        if take is not None:
            import hashlib
            params = {"take": hashlib.sha256(take.read_bytes()).hexdigest()}
            out[ln.id] = Task("voice", f"{ln.id}.voice", CODE_VERSION, ProviderId("human-take", "1"), params,
                              _take_runner(take, ln.id), episode=ctx.episode.number)
        else:
            out[ln.id] = _synthetic(ctx, ln, ch, f"{ln.id}.voice")
    return out


def scratch_tasks(ctx: EpisodeContext) -> dict[str, Task]:
    """line id -> its synthetic voice, for the lines a human dubbed: the scratch track whose length the
    shot was timed to (usually made already: the same key as the voice the take replaced). A take that
    fits the scratch's slot keeps the shot's picture (timing.slot). Lines whose speaker's provider cannot
    be loaded here have no scratch: their shots follow the take."""
    out: dict[str, Task] = {}
    for ln in ctx.episode.lines():
        if find_take(ctx.root, ln.id) is not None:
            t = scratch_task(ctx, ln)
            if t is not None:
                out[ln.id] = t
    return out


def scratch_task(ctx: EpisodeContext, ln) -> Task | None:
    """Line `ln`'s synthetic voice as a scratch track, or None when its provider cannot be loaded here."""
    try:
        return _synthetic(ctx, ln, _speaker(ctx, ln), f"{ln.id}.scratch")
    except FilmcrewError:
        return None


def _speaker(ctx: EpisodeContext, ln):
    ch = ctx.bible.character(ln.speaker)
    if ch is None:
        raise ProviderError(f"line {ln.id}: unknown speaker {ln.speaker!r}; add them to story/bible.yaml")
    return ch


def seconds_guess(ln) -> float:
    """About how long line `ln` lasts when said (0.2 s a Chinese character, 0.065 s a letter or digit of other
    scripts): which line can be a character's voice reference (crew/takes.py). A guess, made before any voice."""
    text = "".join(speech_text.script(ln.text, ln.language))
    return sum(0.2 if "\u3400" <= c <= "\u9fff" else 0.065 if c.isalnum() else 0.0 for c in text)


def retake_task(ctx: EpisodeContext, ln, n: int) -> Task:
    """Take `n` (1, 2, ...) of line `ln`'s speech-model voice: the same request as take 0 under its own key (the
    seed is the take), a paid job of its own; the vendor is asked for another take where it can be (see
    RemoteSpeaker.request)."""
    return _synthetic(ctx, ln, _speaker(ctx, ln), f"{ln.id}.voice.take{n}", take=n)


def _synthetic(ctx: EpisodeContext, ln, ch, artifact: str, take: int = 0) -> Task:
    prov = ctx.crew.voice.get(ch.voice.provider)
    if prov is None:
        raise ProviderError(f"story/bible.yaml: character {ch.name}: voice provider {ch.voice.provider!r} is unknown")
    req = SpeakRequest(text=ln.text, voice=ch.voice, language=ln.language, parenthetical=ln.parenthetical)
    said = speech_text.script(ln.text, ln.language)
    if not said:
        raise ProviderError(f"line {ln.id} of {ln.speaker} has no words to say; write the line in the screenplay")
    params = {"text": ln.text, "said": said, "voice": ch.voice, "language": ln.language, "paren": ln.parenthetical}
    if getattr(prov, "remote", False):  # a speech model: the line is one paid job, journaled under the task's key
        import functools
        from ..provenance import cloned_voices
        whole = replace(req, text=("" if ln.language == "zh" else " ").join(said))
        clone = cloned_voices.find(ctx.root, prov.name, ch.voice.voice)  # a person's voice, with their consent
        return Task("voice", artifact, CODE_VERSION, provider_id(prov), params,
                    _remote_runner(prov, whole, said, speech_text.sentences(ln.text, ln.language),
                                   cloned_voices.in_ledger(clone) if clone else None, take), seed=take,
                    episode=ctx.episode.number, estimate=functools.partial(prov.estimate, whole))
    return Task("voice", artifact, CODE_VERSION, provider_id(prov), params, _runner(prov, req, said), seed=0,
                episode=ctx.episode.number, first=True)  # (an offline voice's model is loaded in this process)


def emotion_notes(ctx: EpisodeContext) -> list[str]:
    """One note per line whose parenthetical a speech model will not say as an emotion (a word filmcrew does not
    know, or an emotion that vendor has none for): the line is spoken without it."""
    out = []
    for ln in ctx.episode.lines():
        ch = ctx.bible.character(ln.speaker)
        if ch is None or not ln.parenthetical or find_take(ctx.root, ln.id) is not None:
            continue
        try:
            prov = ctx.crew.voice.get(ch.voice.provider)
        except FilmcrewError:
            continue
        if prov is None or not hasattr(prov, "emotion"):
            continue
        _, why = prov.emotion(SpeakRequest(text=ln.text, voice=ch.voice, language=ln.language,
                                           parenthetical=ln.parenthetical))
        if why:
            out.append(f"{ctx.episode.id}: line {ln.id} ({ln.speaker}): {why}; it is spoken without it")
    return out


def _sound_span(a: np.ndarray, rate: int, threshold_db: float = -45.0, pad_s: float = EDGE_PAD) -> tuple[int, int]:
    """[start, end) of `a` with its leading and trailing silence cut, keeping `pad_s` of it each side."""
    mono = np.abs(a if a.ndim == 1 else a.mean(axis=1))
    idx = np.nonzero(mono > 10 ** (threshold_db / 20))[0]
    if len(idx) == 0:
        return 0, 0
    pad = int(pad_s * rate)
    return max(0, int(idx[0]) - pad), int(idx[-1]) + pad


def trim_silence(a: np.ndarray, rate: int) -> np.ndarray:
    s, e = _sound_span(a, rate)
    return a[s:e]


def _finish(audio: np.ndarray, rate: int, path: Path) -> tuple[float, int]:
    """Resample, trim and level a voice into `path`; returns its seconds and how many samples (at 48 kHz)
    were trimmed from its start."""
    a = ffmpeg.resample(audio, rate, ffmpeg.SAMPLE_RATE)
    lead, end = _sound_span(a, ffmpeg.SAMPLE_RATE)
    a = a[lead:end]
    if len(a) == 0:
        raise MediaError("the voice is silent")
    peak = float(np.abs(a).max())
    a = a * (0.5 / peak)  # lines leave here at one peak level; the mix sets loudness
    ffmpeg.write_wav(path, a)
    return len(a) / ffmpeg.SAMPLE_RATE, lead


def pause_after(sentence: str) -> float:
    """The breath between two sentences of one line, in seconds: longer after a question or an
    exclamation, shorter where a long sentence was cut at a clause."""
    end = sentence.rstrip("\"'»”’)」』） ")[-1:]
    if end in "?!？！":
        return 0.38
    if end in ".。…":
        return 0.30
    return 0.16


def _runner(prov, req: SpeakRequest, said: list[str]):
    """Each sentence is its own request (a provider's own splitting varies, and remote APIs cap a
    request's length); the sentences are trimmed and joined with a pause that follows their punctuation."""
    def run(tctx) -> dict:
        parts, at, spans = [], 0, []
        written = speech_text.sentences(req.text, req.language)
        for k, sentence in enumerate(said):
            audio, rate = prov.speak(replace(req, text=sentence))
            a = np.asarray(audio, np.float32)
            a = trim_silence(ffmpeg.resample(a if a.ndim == 1 else a.mean(axis=1), rate, ffmpeg.SAMPLE_RATE),
                             ffmpeg.SAMPLE_RATE)
            if len(a) == 0:
                raise MediaError(f"{ledger.made_by(prov)} said nothing for {sentence!r}")
            parts.append(a)
            spans.append([at, at + len(a)])
            at += len(a)
            if k + 1 < len(said):
                parts.append(np.zeros(int(pause_after(sentence) * ffmpeg.SAMPLE_RATE), np.float32))
                at += len(parts[-1])
        wd = Path(tctx.workdir)
        secs, lead = _finish(np.concatenate(parts), ffmpeg.SAMPLE_RATE, wd / "line.wav")
        # when each written sentence starts and ends in line.wav: the subtitles follow them
        atomic.write_text(wd / "sentences.json", json.dumps(
            [{"text": t, "start": round((a - lead) / ffmpeg.SAMPLE_RATE, 4), "end": round((b - lead) / ffmpeg.SAMPLE_RATE, 4)}
             for t, (a, b) in zip(written, spans)], ensure_ascii=False))
        spoken = " ".join(said) if req.language != "zh" else "".join(said)
        return ledger.entry(made_by=ledger.made_by(prov),
                            source_type=prov.source_type, model=prov.model, prompt=req.text,
                            extra={"seconds": round(secs, 3), "sentences": len(said),
                                   **({"spoken": spoken} if spoken != req.text else {}),
                                   **({"deterministic": False} if not getattr(prov, "deterministic", True) else {})})
    return run


def sentence_spans(a: np.ndarray, rate: int, sizes: list[int], window_s: float = 0.04) -> list[list[int]]:
    """[start, end) of each sentence in `a` (one line said whole by a speech model), from the sentences' lengths
    in characters: each boundary is put where the character counts put it, then moved to the quietest moment
    within a third of the shorter neighbour around it (the pause between the sentences)."""
    n, total = len(a), max(1, sum(sizes))
    if len(sizes) <= 1 or n == 0:
        return [[0, n]]
    w = max(1, min(n, int(window_s * rate)))
    c = np.concatenate([[0.0], np.cumsum(np.abs(a), dtype=np.float64)])
    energy = c[w:] - c[:-w]  # energy[i]: the loudness of a[i:i + w]
    bounds, acc = [0], 0
    for k, size in enumerate(sizes[:-1]):
        acc += size
        guess = int(n * acc / total)
        reach = int(n * min(size, sizes[k + 1]) / total / 3)
        lo, hi = max(bounds[-1] + 1, guess - reach - w // 2), min(len(energy) - 1, guess + reach - w // 2)
        bounds.append(lo + int(np.argmin(energy[lo:hi + 1])) + w // 2 if hi > lo else guess)
    bounds.append(n)
    return [[bounds[i], bounds[i + 1]] for i in range(len(sizes))]


def _remote_runner(prov, req: SpeakRequest, said: list[str], written: list[str], clone: dict | None = None,
                   take: int = 0):
    """A speech model says the whole line in one job (journaled: a killed make resumes it, never pays twice); the
    sentences' times for the subtitles are found in its answer (`sentence_spans`)."""
    def run(tctx) -> dict:
        from ..engine.jobs import Journal
        # the engine's ticket: journaled under this task's key (take n > 0: a retake, crew/takes.py)
        audio, rate = prov.speak(req, job=tctx.ticket, **({"take": take} if take else {}))
        a = np.asarray(audio, np.float32)
        a = trim_silence(ffmpeg.resample(a if a.ndim == 1 else a.mean(axis=1), rate, ffmpeg.SAMPLE_RATE),
                         ffmpeg.SAMPLE_RATE)
        if len(a) == 0:
            raise MediaError(f"{ledger.made_by(prov)} said nothing for {req.text!r}")
        spans = sentence_spans(a, ffmpeg.SAMPLE_RATE, [len(s) for s in said])
        wd = Path(tctx.workdir)
        secs, lead = _finish(a, ffmpeg.SAMPLE_RATE, wd / "line.wav")
        texts = written
        if len(texts) != len(spans):  # (the spoken form split otherwise than the written line)
            texts, spans = [" ".join(written) if req.language != "zh" else "".join(written)], [[0, len(a)]]
        atomic.write_text(wd / "sentences.json", json.dumps(
            [{"text": t, "start": round(max(0, s - lead) / ffmpeg.SAMPLE_RATE, 4),
              "end": round(max(0, e - lead) / ffmpeg.SAMPLE_RATE, 4)} for t, (s, e) in zip(texts, spans)],
            ensure_ascii=False))
        rec = Journal(tctx.ticket.journal).read(tctx.task.key) or {}
        est = rec.get("estimate") or {}
        emotion, _ = prov.emotion(req) if hasattr(prov, "emotion") else ("", "")
        return ledger.entry(made_by=ledger.made_by(prov), source_type=prov.source_type, model=prov.model,
                            prompt=req.text, extra={"seconds": round(secs, 3), "sentences": len(said),
                                                    "voice": req.voice.voice, **({"emotion": emotion} if emotion else {}),
                                                    **({"cloned_voice": clone} if clone else {}),
                                                    "deterministic": False, **({"take": take} if take else {}),
                                                    "cost": {"estimate": est.get("amount"), "actual": rec.get("actual"),
                                                             "currency": est.get("currency")}})
    return run


def _take_runner(take: Path, line_id: str):
    def run(tctx) -> dict:
        tmp = Path(tctx.workdir) / "decoded.wav"
        try:
            ffmpeg.run(["-i", str(take), "-vn", "-ac", "1", "-ar", str(ffmpeg.SAMPLE_RATE), "-c:a", "pcm_s16le", str(tmp)],
                             f"decoding the take {take}")
        except MediaError as err:
            raise MediaError(f"{take}: not an audio file ffmpeg can read; record the take as WAV, MP3, M4A or FLAC ({err})") from err
        audio, rate = ffmpeg.read_wav(tmp)
        tmp.unlink()
        if clipped_fraction(audio) > CLIP_FRACTION:
            raise MediaError(f"{take}: the take is badly clipped ({clipped_fraction(audio):.1%} of samples at full scale); "
                             f"record it again with the input gain lower")
        try:
            secs, _ = _finish(audio[:, 0], rate, Path(tctx.workdir) / "line.wav")
        except MediaError as err:
            raise MediaError(f"{take}: {err}; record the line again with the microphone closer") from err
        return ledger.entry(made_by="human", source_type=ledger.CAPTURE, prompt=f"takes/{take.name}",
                            extra={"seconds": round(secs, 3)})
    return run


def spans_of(folder: Path) -> list | None:
    """The voice's sentences as (text, first frame, end frame) from its start, or None when it has no
    record of them (a human take, or a voice made before filmcrew measured them)."""
    p = Path(folder) / "sentences.json"
    if not p.exists():
        return None
    return [(s["text"], int(round(s["start"] * 30)), int(round(s["end"] * 30))) for s in json.loads(p.read_text(encoding="utf-8"))]


def frames_of(folder: Path) -> int:
    import wave
    with wave.open(str(Path(folder) / "line.wav"), "rb") as w:
        return int(round(w.getnframes() / w.getframerate() * 30))
