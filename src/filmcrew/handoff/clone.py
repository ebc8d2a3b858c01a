"""A character speaks with a voice cloned from a person who consented (issue 35): what `filmcrew voice clone`
(cli/voices.py) and the studio's character page share.

Before anything is sent, the sample is checked: a format the vendor takes, no larger than it takes, no shorter
(and no longer) than its limits (MiniMax: 10 s to 5 min; ElevenLabs: filmcrew asks for 30 s, ElevenLabs
recommending 1-2 min; Volcengine: 10 MB, filmcrew asks for 10 s to 5 min), not silent (most of it must be voiced)
and not clipped. Then it goes to the vendor that clones (the character's own voice provider, or another:
minimax-speech, elevenlabs, volcengine-speech: into a speaker id ordered in its console, S_...), the vendor's voice
id is bound to the character in story/bible.yaml, and story/cloned-voices.json records who gave the sample, the
consent in their words, the sample's SHA-256 and the vendor's voice id (provenance/cloned_voices.py). Every line
said in that voice names the person in its ledger entry, and `filmcrew disclose` lists the cloned voices."""

from __future__ import annotations

import hashlib
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from .. import __version__, project
from ..crew.voice import CLIP_FRACTION, clipped_fraction
from ..errors import ConfigError, MediaError
from ..media import ffmpeg
from ..provenance import cloned_voices
from ..providers import registry

CLONERS = ("minimax-speech", "elevenlabs", "volcengine-speech")
# how the command line names what it is given (the studio names them as its form does)
CLI_FIELDS = {"consent": "--consent", "person": "--person", "provider": "--provider", "voice_id": "--voice-id",
              "example": '--consent "I, Lin Mei, agree that my voice speaks for LIN in this series and its trailers"'}
VOICED_DB = -40.0  # a 50 ms frame louder than this (dBFS) is voiced
MIN_VOICED = 0.5  # at least half of the sample must be voiced


def check_sample(sample: Path, prov) -> dict:
    """What filmcrew knows of a sample before sending it: {"seconds", "sha256", "voiced", "clipped", "bytes"};
    ConfigError (nothing sent) when the vendor would refuse it or it would make a poor voice."""
    who = f"{sample}"
    if not sample.is_file():
        raise ConfigError(f"{who}: no such file")
    ext = sample.suffix.lower().lstrip(".")
    if ext not in prov.sample_formats:
        raise ConfigError(f"{who}: {prov.name} takes {', '.join(prov.sample_formats)} samples; convert it first "
                          f"(e.g. ffmpeg -i {sample.name} sample.wav)")
    data = sample.read_bytes()
    if len(data) > prov.max_sample_bytes:
        raise ConfigError(f"{who}: {len(data) / 1e6:.1f} MB; {prov.name} takes at most "
                          f"{prov.max_sample_bytes / 1024 / 1024:.0f} MB (shorten it, or send it as MP3)")
    with tempfile.TemporaryDirectory(prefix="filmcrew-sample-") as d:
        tmp = Path(d) / "sample.wav"
        try:
            ffmpeg.run(["-i", str(sample), "-vn", "-ac", "1", "-ar", str(ffmpeg.SAMPLE_RATE), "-c:a", "pcm_s16le",
                        str(tmp)], f"decoding the sample {sample}")
        except MediaError as err:
            raise ConfigError(f"{who}: not audio ffmpeg can read ({err})") from None
        audio, rate = ffmpeg.read_wav(tmp)
    a = audio[:, 0] if audio.ndim > 1 else audio
    seconds = len(a) / rate
    frame = int(0.05 * rate)
    n = len(a) // frame
    rms = np.sqrt(np.mean(a[: n * frame].reshape(n, frame) ** 2, axis=1)) if n else np.zeros(0)
    voiced = float(np.mean(rms > 10 ** (VOICED_DB / 20))) if n else 0.0
    if seconds < prov.min_sample_s:
        raise ConfigError(f"{who}: {seconds:.1f} s; {prov.name} needs at least {prov.min_sample_s:g} s of the person "
                          f"speaking (1 to 2 minutes of varied speech makes a better voice); nothing was sent")
    if seconds > prov.max_sample_s:
        raise ConfigError(f"{who}: {seconds:.0f} s; {prov.name} takes at most {prov.max_sample_s:g} s: cut it; "
                          f"nothing was sent")
    if voiced < MIN_VOICED:
        raise ConfigError(f"{who}: {'silent' if voiced == 0 else f'only {voiced:.0%} of it is voiced'} (at most "
                          f"{VOICED_DB:g} dBFS elsewhere); record the person speaking closer to the microphone; "
                          f"nothing was sent")
    clipped = clipped_fraction(a)
    if clipped > CLIP_FRACTION:
        raise ConfigError(f"{who}: clipped ({clipped:.1%} of samples at full scale): a clone would copy the "
                          f"distortion; record it again with the input gain lower; nothing was sent")
    return {"seconds": round(seconds, 2), "sha256": hashlib.sha256(data).hexdigest(), "voiced": round(voiced, 3),
            "clipped": round(clipped, 5), "bytes": len(data), "data": data}


def clone_voice(root: Path, character: str, sample: Path, person: str, consent: str, env: dict,
                provider: str | None = None, voice_id: str | None = None, fields: dict | None = None,
                said=lambda text: None) -> dict:
    """Clone `person`'s voice from `sample` for `character`, with their `consent` on record; the record written
    (story/cloned-voices.json) with "where" (its path) and "notes" (what the person should know). ConfigError,
    nothing sent, when the consent, the person, the provider or the sample will not do (`fields` names them as the
    face asking does: CLI_FIELDS for the command line); `said(text)` is told before the sample is sent."""
    f = {**CLI_FIELDS, **(fields or {})}
    root = Path(root)
    cfg = project.load_config(root)
    bible = project.load_bible(root)
    name = character.strip().upper()
    ch = bible.character(name)
    if ch is None:
        raise ConfigError(f"{root / 'story' / 'bible.yaml'}: no character {character!r} (the characters: "
                          f"{', '.join(c.name for c in bible.characters)})")
    consent, person = " ".join((consent or "").split()), " ".join((person or "").split())
    if len(consent) < 10:
        raise ConfigError(f"{f['consent']}: the consent of the person whose voice is cloned, in their words (who, for "
                          f"what film, for what use), e.g. {f['example']}; nothing was sent")
    if not person:
        raise ConfigError(f"{f['person']}: the name of the person who gave the sample; nothing was sent")
    provider = provider or ch.voice.provider
    prov = registry.load(provider, cfg.provider_settings.get(provider), dict(env))
    if not getattr(prov, "clones", False):
        raise ConfigError(f"{provider} does not clone voices here; use {f['provider']} {' or '.join(CLONERS)}")
    sample = Path(sample)
    info = check_sample(sample, prov)
    data = info.pop("data")
    if provider == "volcengine-speech" and not voice_id:
        raise ConfigError(f"{f['voice_id']}: Volcengine clones into a speaker id ordered in its console (声音复刻 -> "
                          f"下单), S_xxxxxxx; give it as {f['voice_id']}; nothing was sent")
    voice_id = voice_id or (f"filmcrew{info['sha256'][:16]}" if provider == "minimax-speech"
                            else f"{name} ({person})")
    prov.check_voice_id(voice_id)
    said(f"sending {sample.name} ({info['seconds']:g} s) to {provider} to clone {person}'s voice for {name}...")
    answer = prov.clone(data, sample.name, voice_id, label=f"{name}: {person}")
    rec = {"character": name, "provider": provider, "voice_id": answer["voice_id"], "person": person,
           "consent": consent, "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
           "sample": {"file": sample.name, "sha256": info["sha256"], "seconds": info["seconds"],
                      "voiced": info["voiced"]},
           "vendor": {k: v for k, v in answer.items() if k != "voice_id"}, "filmcrew": __version__}
    where = cloned_voices.add(root, rec)
    chars = tuple(replace(c, voice=replace(c.voice, provider=provider, voice=answer["voice_id"])) if c.name == name
                  else c for c in bible.characters)
    project.save_bible(root, replace(bible, characters=chars))
    notes = (["MiniMax deletes a cloned voice not used within 7 days, and charges the clone at its first use"]
             if provider == "minimax-speech" else [])
    return {"record": rec, "where": where, "notes": notes}


__all__ = ["clone_voice", "check_sample", "CLONERS", "CLI_FIELDS"]
