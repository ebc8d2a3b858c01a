"""One take scored against the references of the characters its shot names.

A take is one keyframe, or the frames sampled from one clip. The score is plain data (it goes into the
take's pick record and the report):
{"method": "faces" | "drawn" | "none", "verdict": "pass" | "fail" | "not measurable" | "nobody named",
 "characters": {name: {"status": "match" | "mismatch" | "missing" | "no reference", "distance" (faces) or
                       "palette" and "silhouette" (drawn), "frame", "box", "embedding" (faces)}},
 "strangers": [{"frame", "box", "nearest": name or None, "distance"}], "frames": [faces found per frame],
 "reasons": [what failed, in words]}
A take fails when a named character's face (or figure) is too far from its reference, or a face matches
nobody the shot names. A named character not found is reported as missing, not failed: a back turned to the
camera or a face too small in a wide shot is not a change of face.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from . import drawn
from .faces import FaceModel, assign
from .settings import Consistency


class References:
    """The references of a make, measured once each: {name: face embedding} and {name: drawn figure}."""

    def __init__(self, faces: bool = True):
        self._want_model = faces
        self._model: FaceModel | None = None
        self._faces: dict[str, object] = {}
        self._figures: dict[str, object] = {}
        self._lock = threading.Lock()

    @property
    def model(self) -> FaceModel | None:
        """dlib's models, loaded when a first picture is scored (a plan that scores nothing never loads them)."""
        if self._want_model and self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = FaceModel()
        return self._model

    def face(self, name: str, folder: Path):
        key = f"{name}|{folder}"
        if key not in self._faces:
            found = self.model.faces(Path(folder) / "reference.png") if self.model else []
            self._faces[key] = np.asarray(found[0].embedding) if found else None
        return self._faces[key]

    def figure(self, name: str, folder: Path):
        key = f"{name}|{folder}"
        if key not in self._figures:
            self._figures[key] = drawn.figures(folder).get(name)
        return self._figures[key]


def score(frames: list, folder: Path | None, names: list[str], refs: dict[str, Path], known: dict[str, Path],
          measured: References, settings: Consistency) -> dict:
    """Score one take. `frames`: the pictures (PIL images) of the take; `folder`: the keyframe's folder, for the
    drawn check (None for a clip); `names`: who the shot names; `refs`: {name: reference folder} of those;
    `known`: every character reference of the episode, to say whom a stranger's face looks like."""
    named = [n for n in names if n in refs]
    out: dict = {"method": "none", "verdict": "nobody named" if not names else "not measurable", "characters": {},
                 "strangers": [], "frames": [], "reasons": []}
    for n in names:
        if n not in refs:
            out["characters"][n] = {"status": "no reference"}
    figs = drawn.figures(folder) if folder is not None else {}
    # a take compared by drawn figure: the named references are drawn sheets (no face in any), so a face dlib
    # found here would be compared with nothing; not searched (dlib's detector was half of a pick's time: issue 36)
    by_figure = bool(figs and named) and (measured.model is None or
                                          all(measured.face(n, refs[n]) is None for n in named))
    if by_figure:
        out["faces"] = "not searched: the named characters' references show no face; compared by drawn figure"
    elif measured.model is not None:
        found = [measured.model.faces(f) for f in frames]
        out["frames"] = [len(f) for f in found]
        # compared by face when faces are found and a named character's reference shows one (a drawn sheet
        # does not; then a face dlib thinks it sees in a drawing is not compared with anything)
        if any(found) and (not named or any(measured.face(n, refs[n]) is not None for n in named)):
            _faces(out, found, named, refs, known, measured, settings)
            return out
    if figs and named:
        _drawn(out, figs, named, refs, measured, settings)
        return out
    if names:
        out["reasons"].append("no face found" + (" (dlib finds none in this drawn style)" if folder is not None else "")
                              if measured.model is not None else
                              "the face check is not installed (pip install 'filmcrew[faces]')")
    return out


def _faces(out, found, named, refs, known, measured, settings) -> None:
    out["method"] = "faces"
    embs = {n: e for n in named if (e := measured.face(n, refs[n])) is not None}
    everyone = {n: e for n, p in known.items() if (e := measured.face(n, p)) is not None}
    for n in named:
        if n not in embs:
            out["characters"][n] = {"status": "no reference", "why": "no face found in the reference picture"}
    thr = settings.threshold
    per: dict[str, dict] = {}
    for k, faces in enumerate(found):
        bound, free = assign(faces, embs)
        for n, (i, d) in bound.items():
            prev = per.get(n)
            if prev is None or d > prev["distance"]:  # the worst frame speaks for the clip
                per[n] = {"distance": round(d, 3), "frame": k, "box": list(faces[i].box),
                          "embedding": [round(x, 5) for x in faces[i].embedding]}
        for i in free:
            dists = {m: faces[i].distance(e) for m, e in everyone.items()}
            if embs and any(dists.get(m, 9) <= thr for m in embs):
                continue  # a second detection of someone named
            near = min(dists, key=dists.get) if dists else None
            out["strangers"].append({"frame": k, "box": list(faces[i].box), "nearest": near,
                                     "distance": round(dists[near], 3) if near else None})
    for n in embs:
        if n not in per:
            out["characters"][n] = {"status": "missing"}
            continue
        c = per[n]
        c["status"] = "match" if c["distance"] <= thr else "mismatch"
        if c["status"] == "mismatch":
            f = found[c["frame"]]
            face = next(x for x in f if list(x.box) == c["box"])
            look = {m: face.distance(e) for m, e in everyone.items() if m != n}
            like = min(look, key=look.get) if look else None
            c["looks_like"] = like if like and look[like] <= thr else None
            out["reasons"].append(f"{n}: the face is {c['distance']:.2f} from {n}'s reference (threshold {thr:g})"
                                  + (f"; it looks like {like} ({look[like]:.2f})" if c["looks_like"] else ""))
        out["characters"][n] = c
    for s in out["strangers"]:
        out["reasons"].append("a face matches nobody the shot names" +
                              (f" (nearest: {s['nearest']}, {s['distance']:.2f})" if s["nearest"] else ""))
    _verdict(out, embs)


def _drawn(out, figs, named, refs, measured, settings) -> None:
    out["method"] = "drawn"
    have = {}
    for n in named:
        ref = measured.figure(n, refs[n])
        if ref is None:
            out["characters"][n] = {"status": "no reference", "why": "the reference sheet reports no figure"}
            continue
        have[n] = ref
        if n not in figs:
            out["characters"][n] = {"status": "missing"}
            continue
        c = drawn.compare(figs[n], ref)
        ok = c["palette"] >= settings.palette and c["silhouette"] >= settings.silhouette
        out["characters"][n] = {**c, "status": "match" if ok else "mismatch", "box": list(figs[n].box), "frame": 0,
                                "hist": [round(float(x), 4) for x in figs[n].palette]}
        if not ok:
            out["reasons"].append(f"{n}: palette {c['palette']:.2f} (least {settings.palette:g}), silhouette "
                                  f"{c['silhouette']:.2f} (least {settings.silhouette:g}) against {n}'s sheet")
    for name, fig in figs.items():
        if name not in named:
            out["strangers"].append({"frame": 0, "box": list(fig.box), "nearest": name, "distance": None})
            out["reasons"].append(f"{name} is drawn but the shot does not name them")
    _verdict(out, have)


def _verdict(out, measurable) -> None:
    chars = out["characters"]
    if any(c["status"] == "mismatch" for c in chars.values()) or (out["strangers"] and measurable):
        out["verdict"] = "fail"
    elif any(chars.get(n, {}).get("status") == "match" for n in measurable):
        out["verdict"] = "pass"
    else:
        out["verdict"] = "not measurable"
        out["reasons"].append("no named character was found in the picture")


def rank(s: dict) -> tuple:
    """Order takes best first: a pass, then fewer failures, then the smaller worst face distance."""
    chars = s.get("characters", {}).values()
    bad = sum(c.get("status") == "mismatch" for c in chars) + len(s.get("strangers", []))
    worst = max([c.get("distance") or 0.0 for c in chars] + [0.0])
    drawn_worst = -min([min(c.get("palette", 1.0), c.get("silhouette", 1.0)) for c in chars] + [1.0])
    return (s.get("verdict") != "pass", bad, worst, drawn_worst)
