"""What the speech-model vendors share (MiniMax speech, Volcengine/Doubao speech, ElevenLabs): one job per line on
the job layer (journaled before it is sent, priced per character, counted against the budget, never paid twice),
the line's emotion from its parenthetical, and the answer decoded to mono float32.

**Emotions.** A screenplay says how a line is said in its parenthetical: "(angry)", "（哭腔）", "(en colère)".
`emotion_of` reads it into one of a small set of words (`EMOTIONS`), from English, Chinese and French words;
each vendor maps those to its own names where it has them (`RemoteSpeaker.emotions`), and a parenthetical it
cannot say (a word not in the table, or an emotion the vendor lacks) is ignored and named in plan's notes
(`unsaid`). A character's `voice.emotion` in the bible is the default of their lines.

**Money.** Every vendor here bills by the characters sent: `prices/NAME.json` gives a price per 1,000 characters
by model, and a line's estimate is its characters times that (the vendor's own count, where the answer gives
one, becomes the job's actual cost).

A line is one request: the vendors' prosody runs across the sentences of one line, and the crew finds where each
sentence starts in the answer (crew/voice.py) for the subtitles.
"""

from __future__ import annotations

import subprocess

import numpy as np

from ... import ledger
from ...errors import ConfigError, ProviderError
from ...media import ffmpeg
from . import jobs, pricing

EMOTIONS = ("happy", "sad", "angry", "fearful", "disgusted", "surprised", "neutral", "calm", "cold", "excited",
            "whisper", "tender")

# words of a parenthetical -> one of EMOTIONS (English, Chinese, French). Chinese is matched inside the
# parenthetical (no spaces between words), the others word by word.
WORDS = {
    "happy": "happy", "happily": "happy", "cheerful": "happy", "cheerfully": "happy", "laughing": "happy",
    "joyful": "happy", "smiling": "happy", "heureux": "happy", "heureuse": "happy", "joyeux": "happy",
    "joyeuse": "happy", "en riant": "happy", "开心": "happy", "高兴": "happy", "笑着": "happy", "笑": "happy", "欢快": "happy",
    "sad": "sad", "sadly": "sad", "crying": "sad", "tearful": "sad", "sobbing": "sad", "in tears": "sad",
    "triste": "sad", "tristement": "sad", "en pleurs": "sad", "en larmes": "sad", "哭腔": "sad", "哭着": "sad",
    "哭": "sad", "悲伤": "sad", "难过": "sad", "伤心": "sad", "哽咽": "sad",
    "angry": "angry", "angrily": "angry", "furious": "angry", "shouting": "angry", "yelling": "angry",
    "en colère": "angry", "furieux": "angry", "furieuse": "angry", "en criant": "angry", "生气": "angry",
    "愤怒": "angry", "怒": "angry", "吼": "angry", "咆哮": "angry",
    "afraid": "fearful", "scared": "fearful", "frightened": "fearful", "fearful": "fearful", "terrified": "fearful",
    "effrayé": "fearful", "effrayée": "fearful", "apeuré": "fearful", "apeurée": "fearful", "害怕": "fearful",
    "恐惧": "fearful", "惊恐": "fearful", "颤抖": "fearful",
    "disgusted": "disgusted", "dégoûté": "disgusted", "dégoûtée": "disgusted", "厌恶": "disgusted", "嫌弃": "disgusted",
    "surprised": "surprised", "shocked": "surprised", "astonished": "surprised", "surpris": "surprised",
    "surprise": "surprised", "惊讶": "surprised", "震惊": "surprised", "吃惊": "surprised",
    "neutral": "neutral", "flat": "neutral", "neutre": "neutral", "平淡": "neutral",
    "calm": "calm", "calmly": "calm", "calme": "calm", "calmement": "calm", "平静": "calm", "冷静": "calm",
    "cold": "cold", "coldly": "cold", "icy": "cold", "froid": "cold", "froide": "cold", "froidement": "cold",
    "冷漠": "cold", "冷冷": "cold",
    "excited": "excited", "excitedly": "excited", "excité": "excited", "excitée": "excited", "激动": "excited",
    "兴奋": "excited",
    "whispering": "whisper", "whispers": "whisper", "whisper": "whisper", "chuchotant": "whisper",
    "en chuchotant": "whisper", "低语": "whisper", "耳语": "whisper", "小声": "whisper", "轻声": "whisper",
    "tender": "tender", "tenderly": "tender", "gently": "tender", "softly": "tender", "tendrement": "tender",
    "doucement": "tender", "温柔": "tender",
}


def _cjk(s: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in s)


def emotion_of(parenthetical: str) -> tuple[str, str]:
    """(one of EMOTIONS or "", the parenthetical's words when none of them is an emotion filmcrew knows, else "")."""
    text = parenthetical.strip().strip("()（） ").strip().lower()
    if not text:
        return "", ""
    if text in WORDS:
        return WORDS[text], ""
    for key in sorted((k for k in WORDS if _cjk(k)), key=len, reverse=True):  # the longest Chinese word first
        if key in text:
            return WORDS[key], ""
    words = [w.strip(".,;:!?，。；：！？") for w in text.replace("，", ",").replace(",", " ").split()]
    for n in (2, 1):  # two-word phrases ("en colère", "in tears") before single words
        for i in range(len(words) - n + 1):
            phrase = " ".join(words[i:i + n])
            if phrase in WORDS:
                return WORDS[phrase], ""
    return "", text


class RemoteSpeaker(jobs.Remote):
    """A speech model reached over HTTP, one job per line. A vendor's class sets `name`, `models` (the models it
    accepts), `emotions` (filmcrew's emotion words -> the vendor's), `send(request)` and `read(answer, request)` (the
    job layer's synchronous adapter), and `body(request)`."""
    version = "1"
    source_type = ledger.TRAINED  # a trained model made the audio
    deterministic = False  # a remote model samples: see providers/base.py
    remote = True  # the voice crew gives it a job ticket per line
    models: tuple[str, ...] = ()
    emotions: dict[str, str] = {}
    pitch_by_vendor = False  # the vendor shifts pitch itself (else filmcrew shifts the answer, voice_fx.deliver)
    speed_range = (0.5, 2.0)

    def check_model(self, model: str) -> str:
        if model not in self.models:
            raise ConfigError(f"filmcrew.toml: [providers.{self.name}] model: {model!r}; use one of "
                              f"{', '.join(self.models)}")
        return model

    # ---- what is asked -------------------------------------------------------------------------------------

    def emotion(self, req) -> tuple[str, str]:
        """(the vendor's emotion for this line or "", why a parenthetical was not said, or ""): the line's
        parenthetical first, else the character's voice.emotion."""
        word, unknown = emotion_of(req.parenthetical or "")
        if unknown:
            why = f"({req.parenthetical}) is no emotion filmcrew knows"
        elif word and word not in self.emotions:
            why = f"({req.parenthetical}) is {word!r}, which {self.name} has no emotion for"
        else:
            why = ""
        if not word or word not in self.emotions:
            word = getattr(req.voice, "emotion", "") or ""
        return self.emotions.get(word, ""), why

    def speed(self, req) -> float:
        lo, hi = self.speed_range
        return round(max(lo, min(hi, float(req.voice.speed))), 2)

    seeded = False  # the vendor takes a seed (ElevenLabs): a retake asks for another sample by it

    def request(self, req, take: int = 0) -> dict:
        """The JSON-able request of one line (what the job sends; never the key). `take` n > 0 is a retake of a
        line whose voice drifted (crew/takes.py): a vendor that takes a seed (`seeded`) is sent seed n; the others
        (MiniMax T2A v2 and Volcengine's TTS have no seed parameter in their published requests) are sent the same
        request again, and whether they answer with another take is the vendor's sampling, not promised."""
        emotion, _ = self.emotion(req)
        return {"model": self.model, "text": req.text, "voice": req.voice.voice, "speed": self.speed(req),
                "pitch": float(req.voice.pitch), "emotion": emotion, "language": req.language,
                **({"take": int(take)} if take else {})}

    # ---- money ---------------------------------------------------------------------------------------------

    def price(self, request: dict) -> dict:
        per_1k = pricing.per_item(self.name, request["model"])
        return dict(per_1k, amount=round(per_1k["amount"] * len(request["text"]) / 1000.0, 6))

    def estimate(self, req=None) -> dict:
        if req is None:
            return pricing.per_item(self.name, self.model)
        return self.price(self.request(req))

    def cost(self, request: dict, characters) -> float | None:
        """The actual cost of a job from the characters the vendor says it billed (None when it does not say)."""
        try:
            n = int(characters)
        except (TypeError, ValueError):
            return None
        per_1k = pricing.per_item(self.name, request["model"])["amount"]
        return round(per_1k * n / 1000.0, 6)

    # ---- the line ------------------------------------------------------------------------------------------

    def speak(self, req, job=None, take: int = 0) -> tuple[np.ndarray, int]:
        """The line said by the model: mono float32 at 48 kHz. One job, journaled under the task's key (a retake,
        `take` > 0, is a task and a job of its own)."""
        if not isinstance(job, jobs.JobTicket):
            raise ProviderError(f"{self.name}: no job ticket (the voice crew gives one to every line); this is a bug")
        request = self.request(req, take)
        out = jobs.run(job, jobs.SyncAdapter(self), request, kind="audio", estimate=self.price(request),
                       settings=self.settings, max_concurrent=self.max_concurrent)
        audio = decode(out.path.read_bytes(), self.name)
        if not self.pitch_by_vendor and request["pitch"]:
            from ..voice_fx import deliver
            audio = deliver(audio, ffmpeg.SAMPLE_RATE, request["pitch"])
        return audio, ffmpeg.SAMPLE_RATE


def decode(data: bytes, who: str) -> np.ndarray:
    """Any audio file's bytes as mono float32 at 48 kHz."""
    proc = subprocess.run([ffmpeg.executable(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", "pipe:0",
                           "-ac", "1", "-ar", str(ffmpeg.SAMPLE_RATE), "-f", "f32le", "-"], input=data, capture_output=True)
    if proc.returncode != 0 or not proc.stdout:
        raise ProviderError(f"{who}: the answer ({len(data)} bytes) cannot be decoded as audio")
    return np.frombuffer(proc.stdout, np.float32).copy()
