"""Faces found and compared with dlib (the `[faces]` extra).

dlib's frontal face detector (HOG) finds the faces; the 5-point shape predictor aligns each; the ResNet model
of face_recognition_models turns each into a 128-d embedding. Two embeddings less than 0.6 apart are, by dlib's
own measure, the same person. Every weight file ships inside the face_recognition_models package (CC0): nothing
is downloaded. Pictures are scaled so their long side is at most `LONG_SIDE` pixels before the search (a face
must then be about 40 pixels across to be found), which keeps a 1080x1920 frame under a second on one core.
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import MissingExtraError

LONG_SIDE = 1024
MODEL = "dlib-resnet-v1"  # enters the keys of the checks, so another model re-scores


@dataclass(frozen=True)
class Face:
    box: tuple[int, int, int, int]  # left, top, right, bottom, in the picture's own pixels
    embedding: tuple[float, ...]

    def distance(self, other: "Face | np.ndarray") -> float:
        o = other.embedding if isinstance(other, Face) else other
        return float(np.linalg.norm(np.asarray(self.embedding) - np.asarray(o)))


def available() -> bool:
    return importlib.util.find_spec("dlib") is not None and importlib.util.find_spec("face_recognition_models") is not None


def models_dir() -> Path:
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise MissingExtraError("the face check (face_recognition_models)", "faces")
    return Path(list(spec.submodule_search_locations)[0]) / "models"


class FaceModel:
    """The three dlib models, loaded once and shared by every check of a make (dlib calls are serialised)."""

    def __init__(self):
        try:
            import dlib
        except ImportError:
            raise MissingExtraError("the face check (dlib)", "faces") from None
        d = models_dir()
        names = ("shape_predictor_5_face_landmarks.dat", "dlib_face_recognition_resnet_model_v1.dat")
        for n in names:
            if not (d / n).is_file():
                raise MissingExtraError(f"the face check ({d / n} is missing; reinstall face_recognition_models)",
                                        "faces")
        self._detect = dlib.get_frontal_face_detector()
        self._shape = dlib.shape_predictor(str(d / names[0]))
        self._embed = dlib.face_recognition_model_v1(str(d / names[1]))
        self._rect = dlib.rectangle
        self._lock = threading.Lock()

    def faces(self, picture) -> list[Face]:
        """Every frontal face in `picture` (a PIL image or a path), with its embedding, largest first."""
        from PIL import Image
        im = Image.open(picture) if isinstance(picture, (str, Path)) else picture
        rgb = im.convert("RGB")
        scale = min(1.0, LONG_SIDE / max(rgb.size))
        if scale < 1.0:
            rgb = rgb.resize((round(rgb.width * scale), round(rgb.height * scale)), Image.LANCZOS)
        arr = np.ascontiguousarray(np.asarray(rgb))
        out = []
        with self._lock:
            for r in self._detect(arr, 1):
                shape = self._shape(arr, r)
                emb = np.asarray(self._embed.compute_face_descriptor(arr, shape))
                box = tuple(int(round(v / scale)) for v in (r.left(), r.top(), r.right(), r.bottom()))
                out.append(Face(box=box, embedding=tuple(float(x) for x in emb)))
        return sorted(out, key=lambda f: -(f.box[2] - f.box[0]) * (f.box[3] - f.box[1]))


def assign(faces: list[Face], refs: dict[str, np.ndarray]) -> tuple[dict[str, tuple[int, float]], list[int]]:
    """Bind faces to names, nearest pair first, one face a name: ({name: (face index, distance)}, the indices of
    faces left unbound)."""
    pairs = sorted((f.distance(e), i, n) for i, f in enumerate(faces) for n, e in refs.items())
    bound: dict[str, tuple[int, float]] = {}
    used: set[int] = set()
    for d, i, n in pairs:
        if n in bound or i in used:
            continue
        bound[n] = (i, d)
        used.add(i)
    return bound, [i for i in range(len(faces)) if i not in used]
