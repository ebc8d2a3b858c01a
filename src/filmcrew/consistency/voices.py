"""Voice identity: does a character's voice stay the same across lines and episodes?

The model is Resemblyzer's speaker encoder (GE2E: a 3-layer LSTM over 40-band mel frames, a 256-d embedding),
whose trained weights ship inside the `resemblyzer` wheel on PyPI (`pretrained.pt`, Apache-2.0). Resemblyzer's
own code needs torch (far too heavy for filmcrew's CI), so filmcrew runs the same network here in NumPy: the
weights are read from that file without torch (the legacy torch pickle format: a pickle of the state dict whose
tensors point at raw storages appended after it), and the LSTM, the linear layer, the ReLU and the L2 norm are
computed as torch defines them. Install it without its dependencies: `pip install --no-deps resemblyzer==0.1.4`
(nothing is downloaded at run time; the package is found, never imported).

Where filmcrew's front end differs from Resemblyzer's, said plainly: the audio is resampled with SciPy's polyphase
filter (not librosa), the mel filterbank and the STFT are computed here as librosa 0.10 does (Slaney mel, Hann
window, centred frames, zero padding), and Resemblyzer's WebRTC voice-activity trimming is replaced by an energy
gate (30 ms windows above -40 dB of the line's loudest and above -80 dBFS, smoothed and widened the same way). So the embeddings are
Resemblyzer's network on nearly, not exactly, Resemblyzer's input; the thresholds below were measured with this
front end (tests/consistency/test_voice_identity.py, bench figures in the README).

What it can tell: whether two lines sound like one speaker (same timbre), by cosine similarity of their
embeddings. What it cannot: who the speaker is, whether a cloned voice is the consenting person's (it compares
voices, it does not authenticate), a voice on a line shorter than about 1 s (`not measurable`), or emotion and
prosody (an angry and a calm line of one voice should still match).
"""

from __future__ import annotations

import importlib.util
import pickle
import struct
from pathlib import Path

import numpy as np

RATE = 16000
N_FFT, HOP, N_MELS = 400, 160, 40  # 25 ms windows, 10 ms steps, 40 bands (Resemblyzer's hparams)
PARTIAL = 160  # frames in a partial utterance (1.6 s)
SHORTEST = 1.0  # seconds of voice a line needs to be measured
INSTALL = "pip install --no-deps resemblyzer==0.1.4"
MODEL = "resemblyzer-0.1.4-ge2e-numpy-1"  # enters the keys of the voice picks (crew/takes.py): another model re-scores


class Unavailable(RuntimeError):
    """The speaker encoder's weights are not installed."""


def weights_path() -> Path:
    spec = importlib.util.find_spec("resemblyzer")  # (found, not imported: importing it imports torch)
    if spec is None or not spec.submodule_search_locations:
        raise Unavailable(f"voice identity needs Resemblyzer's trained weights: {INSTALL}")
    p = Path(list(spec.submodule_search_locations)[0]) / "pretrained.pt"
    if not p.is_file():
        raise Unavailable(f"{p} is missing; reinstall: {INSTALL}")
    return p


# ---- the legacy torch file, without torch ---------------------------------------------------------------

_DTYPES = {"FloatStorage": np.float32, "DoubleStorage": np.float64, "LongStorage": np.int64, "IntStorage": np.int32}


class _Storage:
    def __init__(self, dtype, key: str):
        self.dtype, self.key, self.data = dtype, key, None


class _Tensor:
    def __init__(self, storage: _Storage, offset: int, size: tuple, stride: tuple):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)

    def array(self) -> np.ndarray:
        item = self.storage.data.itemsize
        return np.lib.stride_tricks.as_strided(self.storage.data[self.offset:], self.size,
                                               tuple(s * item for s in self.stride)).copy()


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return lambda storage, offset, size, stride, *rest: _Tensor(storage, offset, size, stride)
        if module == "torch" and name in _DTYPES:
            return name
        if module == "collections" and name == "OrderedDict":
            import collections
            return collections.OrderedDict
        raise pickle.UnpicklingError(f"unexpected {module}.{name} in the weights file")

    def persistent_load(self, pid):
        _, kind, key, _location, _size, *_ = pid  # ("storage", "FloatStorage", key, "cpu", n[, view])
        if kind not in _DTYPES:
            raise pickle.UnpicklingError(f"unexpected storage {kind}")
        if str(key) not in self.storages:  # (tensors that share a storage name it once each)
            self.storages[str(key)] = _Storage(_DTYPES[kind], str(key))
        return self.storages[str(key)]


def load_state(path: Path) -> dict[str, np.ndarray]:
    """{name: array} of a torch state dict saved in the legacy (non-zip) format."""
    with open(path, "rb") as f:
        for _ in range(3):  # magic number, protocol version, system info
            pickle.load(f)
        up = _Unpickler(f)
        up.storages = {}
        obj = up.load()
        keys = pickle.load(f)
        for key in keys:
            n = struct.unpack("<q", f.read(8))[0]
            st = up.storages[str(key)]
            st.data = np.frombuffer(f.read(n * np.dtype(st.dtype).itemsize), st.dtype)
    state = obj.get("model_state", obj)
    return {k: v.array() for k, v in state.items() if isinstance(v, _Tensor)}


# ---- the front end ---------------------------------------------------------------------------------------

def _mel_filters() -> np.ndarray:
    """librosa.filters.mel(sr=16000, n_fft=400, n_mels=40): Slaney's mel scale, area-normalised."""
    def hz_to_mel(f):
        f = np.asarray(f, np.float64)
        lin = f / (200.0 / 3)
        log = 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
        return np.where(f >= 1000.0, log, lin)

    def mel_to_hz(m):
        m = np.asarray(m, np.float64)
        return np.where(m >= 15.0, 1000.0 * np.exp((np.log(6.4) / 27.0) * (m - 15.0)), (200.0 / 3) * m)
    freqs = np.linspace(0, RATE / 2, N_FFT // 2 + 1)
    pts = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(RATE / 2), N_MELS + 2))
    fdiff, ramps = np.diff(pts), pts[:, None] - freqs[None, :]
    w = np.maximum(0, np.minimum(-ramps[:-2] / fdiff[:-1, None], ramps[2:] / fdiff[1:, None]))
    return w * (2.0 / (pts[2:N_MELS + 2] - pts[:N_MELS]))[:, None]


def mel_frames(wav: np.ndarray) -> np.ndarray:
    """(frames, 40) power mel spectrogram (not log), as Resemblyzer's wav_to_mel_spectrogram."""
    y = np.pad(wav, N_FFT // 2)
    n = 1 + (len(y) - N_FFT) // HOP
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(n)[:, None]
    win = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)  # periodic Hann
    spec = np.abs(np.fft.rfft(y[idx] * win, axis=1)) ** 2
    return (spec @ _mel_filters().T).astype(np.float32)


def prepare(samples: np.ndarray, rate: int) -> np.ndarray:
    """Mono float audio at `rate` -> 16 kHz, raised to -30 dBFS (never lowered), long silences cut."""
    from math import gcd

    from scipy.signal import resample_poly
    g = gcd(int(rate), RATE)
    wav = resample_poly(samples.astype(np.float64), RATE // g, int(rate) // g) if rate != RATE else samples
    rms = np.sqrt(np.mean(wav ** 2)) if len(wav) else 0.0
    if rms > 0:
        change = -30 - 20 * np.log10(rms)
        if change > 0:
            wav = wav * 10 ** (change / 20)
    win = RATE * 30 // 1000
    wav = wav[:len(wav) - len(wav) % win]
    if not len(wav):
        return wav.astype(np.float32)
    e = np.sqrt(np.mean(wav.reshape(-1, win) ** 2, axis=1))
    flags = (e > max(e.max() * 0.01, 1e-4)).astype(float)  # -40 dB of the loudest, and never digital silence
    width = 8
    padded = np.concatenate((np.zeros((width - 1) // 2), flags, np.zeros(width // 2)))
    c = np.cumsum(padded)
    c[width:] = c[width:] - c[:-width]
    mask = np.round(c[width - 1:] / width).astype(bool)
    from scipy.ndimage import binary_dilation
    mask = binary_dilation(mask, np.ones(7))
    return wav[np.repeat(mask, win)].astype(np.float32)


# ---- the network ------------------------------------------------------------------------------------------

def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


class VoiceEncoder:
    """Resemblyzer's speaker encoder, in NumPy; `embed(samples, rate)` -> a 256-d unit vector, or None when the
    audio holds less than SHORTEST seconds of voice."""

    def __init__(self, path: Path | None = None):
        s = load_state(path or weights_path())
        self.layers = [(s[f"lstm.weight_ih_l{k}"], s[f"lstm.weight_hh_l{k}"], s[f"lstm.bias_ih_l{k}"] +
                        s[f"lstm.bias_hh_l{k}"]) for k in range(3)]
        self.linear = (s["linear.weight"], s["linear.bias"])

    def forward(self, mels: np.ndarray) -> np.ndarray:
        """(batch, frames, 40) -> (batch, 256): torch's LSTM (gates i, f, g, o), the last layer's last hidden
        state through linear, ReLU and the L2 norm."""
        x = mels.astype(np.float64)
        for w_ih, w_hh, b in self.layers:
            hsz = w_hh.shape[1]
            h = np.zeros((x.shape[0], hsz))
            c = np.zeros_like(h)
            pre = x @ w_ih.T + b
            outs = []
            for t in range(x.shape[1]):
                z = pre[:, t] + h @ w_hh.T
                i, f, g, o = _sigmoid(z[:, :hsz]), _sigmoid(z[:, hsz:2 * hsz]), np.tanh(z[:, 2 * hsz:3 * hsz]), \
                    _sigmoid(z[:, 3 * hsz:])
                c = f * c + i * g
                h = o * np.tanh(c)
                outs.append(h)
            x = np.stack(outs, axis=1)
        e = np.maximum(0, h @ self.linear[0].T + self.linear[1])
        return e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-12)

    def embed(self, samples: np.ndarray, rate: int) -> np.ndarray | None:
        wav = prepare(samples, rate)
        if len(wav) < SHORTEST * RATE:
            return None
        n_frames = int(np.ceil((len(wav) + 1) / HOP))
        step = int(np.round((RATE / 1.3) / HOP))
        starts = list(range(0, max(1, n_frames - PARTIAL + step + 1), step))
        if len(starts) > 1 and (len(wav) - starts[-1] * HOP) / (PARTIAL * HOP) < 0.75:
            starts = starts[:-1]
        need = (starts[-1] + PARTIAL) * HOP
        if need >= len(wav):
            wav = np.pad(wav, (0, need - len(wav)))
        mel = mel_frames(wav)
        parts = self.forward(np.stack([mel[s:s + PARTIAL] for s in starts]))
        e = parts.mean(axis=0)
        return (e / np.linalg.norm(e)).astype(np.float32)

    def embed_file(self, path: Path) -> np.ndarray | None:
        from ..media import ffmpeg
        a, rate = ffmpeg.read_wav(Path(path))
        return self.embed(a.mean(axis=1), rate)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b))


THRESHOLD = 0.75  # a line below this similarity to its character's reference sounds like someone else (measured:
# one espeak-ng voice's lines 0.80-0.95 among themselves, a male and a female espeak voice at most 0.71)


REFERENCE_SECONDS = 2.0  # a character's reference line is their first this long, where they have one: a 1 s line
# ("会吗？") embeds less surely, and flagged 7 of one voice's 15 lines at 0.70-0.74 in a test series


def _seconds(path: Path) -> float:
    import wave
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes() / float(w.getframerate() or 1)
    except (OSError, EOFError, wave.Error):
        return 0.0


def measure(lines: list[tuple[str, str, Path]], encoder: VoiceEncoder | None = None,
            samples: dict[str, Path] | None = None, references: dict[str, str] | None = None) -> dict:
    """`lines`: (line id, character, voice file) in the order they are heard; `samples`: {character: a person's
    sample} where a voice was cloned (the reference then); `references`: {character: line id} the reference the
    make's voice picks compared with (crew/takes.py), so the report and the retakes judge against the same line;
    else the character's first line of REFERENCE_SECONDS or more that can be measured, else their first measurable
    line. Per character: its reference, each line's similarity to it, the lines under THRESHOLD (with the character
    they sound most like), the lines too short to measure."""
    enc = encoder or VoiceEncoder()
    embeds: dict[str, np.ndarray | None] = {lid: enc.embed_file(p) for lid, _, p in lines}
    refs: dict[str, tuple[str, np.ndarray]] = {}
    for name, p in (samples or {}).items():
        e = enc.embed_file(p)
        if e is not None:
            refs[name] = ("the person's sample", e)
    for name, lid in (references or {}).items():
        if name not in refs and embeds.get(lid) is not None:
            refs[name] = (lid, embeds[lid])
    for lid, name, p in lines:
        if name not in refs and embeds[lid] is not None and _seconds(p) >= REFERENCE_SECONDS:
            refs[name] = (lid, embeds[lid])
    for lid, name, _ in lines:
        if name not in refs and embeds[lid] is not None:
            refs[name] = (lid, embeds[lid])
    out: dict[str, dict] = {}
    for lid, name, _ in lines:
        c = out.setdefault(name, {"reference": refs.get(name, ("none", None))[0], "lines": [], "unlike": [],
                                  "not_measurable": []})
        e = embeds[lid]
        if e is None or name not in refs:
            c["not_measurable"].append(lid)
            c["lines"].append({"line": lid, "similarity": None, "status": "not measurable (under 1 s of voice)"})
            continue
        sim = similarity(e, refs[name][1])
        nearest = max(refs, key=lambda n: similarity(e, refs[n][1]))
        row = {"line": lid, "similarity": round(sim, 3), "status": "same voice" if sim >= THRESHOLD else "unlike"}
        if sim < THRESHOLD:
            row["sounds_like"] = nearest if nearest != name else None
            c["unlike"].append(lid)
        c["lines"].append(row)
    for c in out.values():
        sims = [r["similarity"] for r in c["lines"] if r["similarity"] is not None and r["line"] != c["reference"]]
        c["least"] = min(sims) if sims else None
    return {"method": "Resemblyzer's speaker encoder (weights from the resemblyzer wheel) run in NumPy; cosine "
                      f"similarity to the character's reference, same voice at {THRESHOLD:g} or more",
            "threshold": THRESHOLD, "characters": out}


def section(root: Path, st, ctxs: list, graphs: list) -> dict:
    """The report's voices section for these episodes' made voices (every character's lines, in order)."""
    try:
        enc = VoiceEncoder()
    except Unavailable as err:
        return {"unavailable": str(err), "characters": {}}
    import json
    lines, about, references = [], {}, {}
    for ctx, g in zip(ctxs, graphs):
        for ln in ctx.episode.lines():
            first, pick = g.by_artifact.get(f"{ln.id}.voice"), g.by_artifact.get(f"{ln.id}.voice.pick")
            if pick is not None and st.made(pick):  # a speech model's line: the take its pick chose, and the takes
                references.setdefault(ln.speaker, pick.params.get("reference"))  # (the retakes' own reference)
                lines.append((ln.id, ln.speaker, st.path(pick.key) / "line.wav"))
                rec = json.loads((st.path(pick.key) / "pick.json").read_text(encoding="utf-8"))
                about[ln.id] = {"takes": [{"take": t["take"], "similarity": t.get("similarity"), "verdict": t["verdict"],
                                           "artifact": t["artifact"], "reasons": t.get("reasons", [])}
                                          for t in rec["takes"]], "chosen": rec["chosen"], "why": rec["why"],
                                "stopped": rec.get("stopped")}
            elif first is not None and st.made(first):
                lines.append((ln.id, ln.speaker, st.path(first.key) / "line.wav"))
                lg = st.record(first.key).get("ledger", {})
                about[ln.id] = {"retake": _no_retake(lg, first.provider.name)}
    out = measure(lines, enc, references={k: v for k, v in references.items() if v})
    for c in out["characters"].values():
        for row in c["lines"]:
            row.update(about.get(row["line"], {}))
            if row["status"] == "unlike" and row.get("takes"):
                row["retake"] = (f"{len(row['takes']) - 1} retake(s); take {row['chosen']} used: {row['why']}"
                                 if len(row["takes"]) > 1 else f"not retaken: {row['why']}")
    return out


def _no_retake(lg: dict, provider: str) -> str:
    """Why a line's voice is not taken again when it drifts."""
    if lg.get("made_by") == "human":
        return "a person's take (takes/): record it again to change it"
    if lg.get("deterministic", True):
        return (f"{provider} is an offline voice that says a line the same way every time: another take would sound "
                f"the same (no retake made); give the character a speech model's voice or record a take")
    if lg.get("cost") is None:
        return f"{provider}'s lines are not journaled jobs, so filmcrew takes none again"
    return "its voice pick is not made (the consistency check is off, or the line is its character's reference)"


def render(sec: dict) -> str:
    import html
    if not sec:
        return ""
    if sec.get("unavailable"):
        return f"<h2>Voices</h2><p class='note'>Not measured: {html.escape(sec['unavailable'])}</p>"
    rows = []
    for name, c in sec["characters"].items():
        for r in c["lines"]:
            cls = "ok" if r["status"] == "same voice" else "fail" if r["status"] == "unlike" else "note"
            like = f" (sounds like {html.escape(r['sounds_like'])})" if r.get("sounds_like") else ""
            if r["status"] == "unlike" and r.get("retake"):
                like += f"; {html.escape(r['retake'])}"
            elif r.get("takes") and len(r["takes"]) > 1:  # retaken, and the take used is alike
                like += "; " + html.escape(", ".join(
                    f"take {t['take']}: {t['similarity']}" + (" (used)" if t["take"] == r["chosen"] else "")
                    for t in r["takes"]))
            rows.append(f"<tr><td>{html.escape(name)}</td><td>{html.escape(r['line'])}</td>"
                        f"<td>{'' if r['similarity'] is None else r['similarity']}</td>"
                        f"<td class='{cls}'>{html.escape(r['status'])}{like}</td></tr>")
    return (f"<h2>Voices</h2><p class='note'>{html.escape(sec['method'])}. It tells whether lines sound like one "
            f"speaker; it does not tell who speaks, nor authenticate a cloned voice.</p><table><tr><th>character</th>"
            f"<th>line</th><th>similarity</th><th>verdict</th></tr>{''.join(rows)}</table>")
