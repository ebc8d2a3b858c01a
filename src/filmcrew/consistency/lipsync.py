"""Lip sync, measured on the finished film: does a shot's mouth motion follow its voices, and by how many frames?

For each shot of the cut with lines spoken on screen (story/onscreen.py: no V.O., O.S. or O.C., a speaker the
shot shows), two signals per film frame over the shot:

- **voice**: the loudness (RMS over each 1/30 s) of the shot's on-screen lines, each placed where the timeline
  plays it (timeline.json), from the line's own voice file, so the music and ambience of the mix do not enter;
- **mouth**: how open the mouths are, measured on the film's pixels, by one of two methods, named in the report:
  - `drawn mouths` (filmcrew's offline finisher draws lips): the number of pixels of the open mouth's drawn colour
    (media/lips.MOUTH) in the frame. It reads what filmcrew drew, so it checks the drawing's timing against the
    sound, not what a viewer would judge of a real face;
  - `landmarks` (a model's clip, a real face; needs filmcrew[faces]): dlib's 68-point model (shipped in
    face_recognition_models): the gap between the inner lips (points 61-63 to 67-65) over the mouth's width
    (48 to 54), on the largest face found; a frame without a face is left out.

Both signals are high-passed (less their running median over half a second: a camera move that brings a costume of
the mouth's colour into view is slow, lips and words are not), then compared by Pearson correlation at each offset from -MAX_LAG to +MAX_LAG frames; the best offset is
the lag (positive: the mouth moves after the voice, the picture is late), its correlation the sync score. A
shot is `in sync` when its best lag is within one frame and its score at least SCORE_MIN, `off by N frames` when
the score is at least SCORE_MIN elsewhere, `not measurable` when no mouth or no voice varies (a face not found, a
silent line) or no offset reaches SCORE_MIN. A shot where two or more characters speak on screen is measured
speaker by speaker, each one's mouth against only their own lines: drawn mouths told apart by where the keyframe's
faces.json puts each face (`by_speaker`), real faces by position, where the consistency check found each character
in the model's clip (`by_position`: tested on made-up landmarks only, never on a real two-person clip); else not
measurable, with the reason. What it cannot tell: whether a mouth's shapes fit the words (only their timing).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np

MAX_LAG = 12  # frames either way (0.4 s)
SCORE_MIN = 0.5  # the correlation a shot's best offset needs to count as measured
FPS = 30


def voice_envelope(lines: list[dict], wavs: dict[str, Path], start: int, frames: int) -> np.ndarray:
    """The loudness of `lines` (timeline.json's, each with "line", "start", "from", "frames") per film frame over
    [start, start + frames)."""
    from ..media import ffmpeg
    env = np.zeros(frames, np.float64)
    for ln in lines:
        p = wavs.get(ln["line"])
        if p is None or not Path(p).exists():
            continue
        a, rate = ffmpeg.read_wav(Path(p))
        spf = rate // FPS
        mono = a.mean(axis=1)
        n = len(mono) // spf
        rms = np.sqrt(np.mean(mono[: n * spf].reshape(n, spf) ** 2, axis=1)) if n else np.zeros(0)
        rms = rms[int(ln.get("from", 0)):]  # (a line trimmed at its head in an edit plays from there)
        at = int(ln["start"]) - start
        for k in range(min(len(rms), int(ln.get("frames", len(rms))))):
            if 0 <= at + k < frames:
                env[at + k] += rms[k]
    return env


def drawn_opening(frame: np.ndarray) -> float:
    """Pixels of drawn open mouths in an RGB frame (the area of `drawn_blobs`)."""
    return float(sum(a for _, _, a in drawn_blobs(frame)))


def drawn_blobs(frame: np.ndarray) -> list[tuple[float, float, int]]:
    """The drawn open mouths in an RGB frame as (centre x, centre y, pixels): blobs of the open mouth's colour
    (within 22 of it in every channel, for the encoder's blur, and as red as it is) that are small (at most 0.3% of
    the frame) and sit in a face (the ring around them is skin: light, and not as red as a costume). A costume of
    the mouth's colour is a big blob, or a small one in a red ring, and is not counted."""
    import cv2

    from ..media.lips import MOUTH
    a = frame.astype(np.int16)
    d = np.abs(a - np.array(MOUTH, np.int16)).max(axis=2)
    mask = ((d < 22) & (a[..., 0] - a[..., 1] > 45)).astype(np.uint8)
    n, labels, stats, centres = cv2.connectedComponentsWithStats(mask, connectivity=8)
    most = max(400, int(frame.shape[0] * frame.shape[1] * 0.003))
    out = []
    for k in range(1, n):
        x, y, w, h, area = stats[k]
        if area < 3 or area > most:
            continue
        x0, y0 = max(0, x - 4), max(0, y - 4)
        x1, y1 = min(frame.shape[1], x + w + 4), min(frame.shape[0], y + h + 4)
        ring = a[y0:y1, x0:x1][mask[y0:y1, x0:x1] == 0]
        if not len(ring):
            continue
        r, g, b = ring[:, 0].mean(), ring[:, 1].mean(), ring[:, 2].mean()
        if 0.299 * r + 0.587 * g + 0.114 * b > 80 and r - g < 100:
            out.append((float(centres[k][0]), float(centres[k][1]), int(area)))
    return out


class Landmarks:
    """dlib's face detector and 68-point model (from face_recognition_models); None when filmcrew[faces] is not
    installed."""

    def __init__(self):
        import dlib
        from .faces import models_dir
        self.detect = dlib.get_frontal_face_detector()
        self.shape = dlib.shape_predictor(str(models_dir() / "shape_predictor_68_face_landmarks.dat"))

    @classmethod
    def load(cls):
        try:
            return cls()
        except Exception:  # noqa: BLE001 - no dlib or no models: the landmark method is not available
            return None

    def opening(self, frame: np.ndarray) -> float | None:
        """The inner-lip gap over the mouth's width of the largest face, or None when no face is found."""
        faces = self.detect(frame, 0)
        if not faces:
            return None
        return self._gap(frame, max(faces, key=lambda r: r.width() * r.height()))

    def mouths(self, frame: np.ndarray) -> list[tuple[float, float]]:
        """Every face found: (its centre's x over the frame's width, its inner-lip gap over the mouth's width)."""
        return [((r.left() + r.right()) / 2.0 / frame.shape[1], self._gap(frame, r)) for r in self.detect(frame, 0)]

    def _gap(self, frame: np.ndarray, f) -> float:
        s = self.shape(frame, f)
        p = np.array([[s.part(i).x, s.part(i).y] for i in range(68)], np.float64)
        width = np.linalg.norm(p[54] - p[48]) or 1.0
        gap = np.mean([np.linalg.norm(p[a] - p[b]) for a, b in ((61, 67), (62, 66), (63, 65))])
        return float(gap / width)


def high_pass(x: np.ndarray, window: int = 15) -> np.ndarray:
    """`x` less its running median over `window` frames (NaN kept): what changes within half a second (lips, words)
    stays, a slow change (a camera move bringing a costume of the mouth's colour into view) goes."""
    out = np.full(len(x), np.nan)
    h = window // 2
    for k in range(len(x)):
        w = x[max(0, k - h):k + h + 1]
        w = w[~np.isnan(w)]
        if len(w) and not np.isnan(x[k]):
            out[k] = x[k] - np.median(w)
    return out


def best_lag(voice: np.ndarray, mouth: np.ndarray, max_lag: int = MAX_LAG) -> dict:
    """Pearson correlation of voice[t] with mouth[t + lag] for each lag (NaN in `mouth`: a frame not measured);
    {"lag", "score", "at_zero", "curve"}; lag None when nothing varies."""
    curve = {}
    n = len(voice)
    for lag in range(-max_lag, max_lag + 1):
        lo, hi = max(0, -lag), min(n, n - lag)
        if hi - lo < 8:
            continue
        v, m = voice[lo:hi], mouth[lo + lag:hi + lag]
        ok = ~np.isnan(m)
        v, m = v[ok], m[ok]
        if len(v) < 8 or v.std() == 0 or m.std() == 0:
            continue
        curve[lag] = float(np.corrcoef(v, m)[0, 1])
    if not curve:
        return {"lag": None, "score": None, "at_zero": None, "curve": {}}
    lag = max(curve, key=lambda k: (curve[k], -abs(k)))
    return {"lag": lag, "score": round(curve[lag], 3), "at_zero": round(curve.get(0, float("nan")), 3)
            if 0 in curve else None, "curve": {k: round(v, 3) for k, v in curve.items()}}


def verdict(res: dict) -> str:
    if res["lag"] is None or res["score"] is None or res["score"] < SCORE_MIN:
        return "not measurable"
    return "in sync" if abs(res["lag"]) <= 1 else f"off by {res['lag']:+d} frames"


MEASURE_WIDTH = 540  # frames are measured at most this wide (a 1080-wide film at half size: 4x fewer pixels)


def film_frames(film: Path, wanted: set[int], size: tuple[int, int]):
    """(frame number, RGB array) for each frame of `film` in `wanted`, decoded once, in order, scaled down to
    MEASURE_WIDTH when wider."""
    from ..media import ffmpeg
    w, h = size
    scale = []
    if w > MEASURE_WIDTH:
        w, h = MEASURE_WIDTH, int(round(h * MEASURE_WIDTH / w / 2)) * 2
        scale = ["-vf", f"scale={w}:{h}:flags=area"]
    proc = subprocess.Popen([ffmpeg.executable(), "-v", "error", "-nostdin", "-i", str(film), *scale, "-f", "rawvideo",
                            "-pix_fmt", "rgb24", "-fps_mode", "passthrough", "-"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        k, last = 0, max(wanted) if wanted else -1
        while k <= last:
            buf = proc.stdout.read(w * h * 3)
            if len(buf) < w * h * 3:
                break
            if k in wanted:
                yield k, np.frombuffer(buf, np.uint8).reshape(h, w, 3)
            k += 1
    finally:
        proc.stdout.close()
        proc.kill()
        proc.wait()


def measure(film: Path, timeline: dict, wavs: dict[str, Path], on_screen: set[str], landmarks=None,
            faces: dict[str, dict[str, list]] | None = None, places: dict[str, dict[str, float]] | None = None,
            models: set[str] | frozenset = frozenset()) -> list[dict]:
    """One result a shot of the cut with an on-screen line: {shot, item, lines, method, lag, score, at_zero,
    verdict, frames}; a shot where two or more characters speak on screen is measured speaker by speaker
    (`speakers`: each one's mouth against only their own lines, see `by_speaker`) where `faces` ({shot id: {name:
    [mouth x, mouth y] in the film's pixels}}, the drawn keyframe's faces.json) tells their mouths apart, else
    it is not measurable and `reason` says why. Real faces (the landmark method) are told apart by position:
    `places` ({shot id: {name: x of the face's centre over the picture's width}}, where the consistency check found
    each character's face in the model's clip: its pick.json; see `by_position`). `models`: the shots whose picture
    is a video model's clip: no drawn mouth is looked for there (a red thing in a model's picture, a test pattern's
    band, would pass for one), only faces."""
    from ..media import ffmpeg
    p = ffmpeg.probe(film)
    items = [it for it in timeline["items"] if it["kind"] == "shot"]
    by_item = {it["item"]: [ln for ln in timeline["lines"] if ln.get("item") == it["item"] and ln["line"] in on_screen]
               for it in items}
    talking = [it for it in items if by_item[it["item"]]]
    wanted = {f for it in talking for f in range(it["start"], it["start"] + it["frames"])}
    blobs: dict[int, list] = {}
    width = None
    modelled = {f for it in talking if it["shot"] in models for f in range(it["start"], it["start"] + it["frames"])}
    for f, fr in film_frames(film, wanted, (p.width, p.height)):  # pass 1: the drawn mouths (no frame is kept)
        blobs[f] = [] if f in modelled else drawn_blobs(fr)
        width = fr.shape[1]
    scale = (width or p.width) / float(p.width)  # (frames are measured scaled down: MEASURE_WIDTH)
    # which shots have no drawn mouth and are measured on real faces (dlib's landmarks): one speaker by the largest
    # face's lips, several by position. Their frames are decoded again and measured as they come: a film's frames
    # are never held (a 3-minute episode's talking frames held at 540 px took 6.7 GB)
    out: list[dict] = []
    later: dict[int, str] = {}  # index in `out` -> "one" (the largest face's opening) or "each" (every face, by position)
    for it in talking:
        rng = range(it["start"], it["start"] + it["frames"])
        lines = by_item[it["item"]]
        row = {"shot": it["shot"], "item": it["item"], "lines": [ln["line"] for ln in lines], "frames": it["frames"]}
        speakers = sorted({ln.get("speaker", "") for ln in lines})
        if len(speakers) > 1:
            model = it["shot"] in models  # a model's clip: faces only, by position
            res = None if model else by_speaker(it, lines, speakers, blobs, (faces or {}).get(it["shot"]), scale,
                                                wavs, rng)
            if (model or (res["verdict"] == "not measurable" and not any(blobs.get(f) for f in rng))) \
                    and landmarks is not None and (places or {}).get(it["shot"]):  # no drawn mouth: real faces
                later[len(out)] = "each"
                res = {}
            elif model:
                res = {"method": "landmarks, each speaker's face by position", "lag": None, "score": None,
                       "at_zero": None, "verdict": "not measurable",
                       "reason": "no face finder here (pip install 'filmcrew[faces]')" if landmarks is None else
                       "the consistency check found none of the speakers' faces in the model's clip"}
            out.append({**row, **res})
            continue
        mouth = np.array([sum(a for _, _, a in blobs[f]) if f in blobs else np.nan for f in rng], np.float64)
        if np.nanmax(mouth, initial=0) <= 0 and landmarks is not None:
            later[len(out)] = "one"
            out.append(row)
        else:
            out.append(_one_speaker(row, lines, wavs, it, mouth, "drawn mouths" if np.nanmax(mouth, initial=0) > 0 else
                                    "none (no drawn mouth; pip install 'filmcrew[faces]' measures real faces)"))
    frames = {f: kind for k, kind in later.items() for f in range(talking[k]["start"],
                                                                 talking[k]["start"] + talking[k]["frames"])}
    marks: dict[int, float | None] = {}
    found: dict[int, list] = {}
    for f, fr in film_frames(film, set(frames), (p.width, p.height)) if frames else ():  # pass 2
        if frames[f] == "one":
            marks[f] = landmarks.opening(fr)
        else:
            found[f] = landmarks.mouths(fr)
    for k, kind in later.items():
        it, lines = talking[k], by_item[talking[k]["item"]]
        rng = range(it["start"], it["start"] + it["frames"])
        if kind == "each":
            speakers = sorted({ln.get("speaker", "") for ln in lines})
            out[k] = {**out[k], **by_position(it, lines, speakers, found, landmarks, places[it["shot"]], wavs, rng)}
        else:
            mouth = np.array([np.nan if marks.get(f) is None else marks[f] for f in rng], np.float64)
            out[k] = _one_speaker(out[k], lines, wavs, it, mouth, "landmarks")
    return out


def _one_speaker(row: dict, lines: list[dict], wavs: dict, it: dict, mouth: np.ndarray, method: str) -> dict:
    """A shot where one character speaks on screen: their mouth opening per frame against their lines' loudness."""
    res = best_lag(high_pass(voice_envelope(lines, wavs, it["start"], it["frames"])), high_pass(mouth))
    return {**row, "method": method, "lag": res["lag"], "score": res["score"], "at_zero": res["at_zero"],
            "verdict": verdict(res)}


def by_speaker(it: dict, lines: list[dict], speakers: list[str], blobs: dict[int, list], mouths: dict | None,
               scale: float, wavs: dict, rng: range) -> dict:
    """A shot where several characters speak on screen, each speaker's drawn mouth against only their own lines.

    Whose is each drawn mouth: the keyframe says where every face's mouth is (faces.json, the procedural
    illustrator's: speakers and the others); the offline camera moves the whole picture, so each open mouth is first
    matched to its nearest keyframe mouth to find the shot's shift (the median offset), then given to the face whose
    shifted mouth is nearest, when that one is clearly nearer than any other (within a third of the distance between
    the two nearest faces' mouths). Not measurable, with the reason, where the keyframe has no drawn faces (an image
    model's picture, a real face: which face is whose is not told apart here) or the speakers' mouths are too close
    to tell apart. The shot's verdict is its worst speaker's: in sync when every measured speaker is."""
    base = {"method": "drawn mouths, each speaker's own", "lag": None, "score": None, "at_zero": None}
    missing = [s for s in speakers if not mouths or s not in mouths]
    if missing:
        why = ("the keyframe has no drawn faces (an image model's picture or a real face): which mouth is whose is not "
               "told apart" if not mouths else f"the keyframe has no drawn mouth for {', '.join(missing)}")
        return {**base, "method": "none", "verdict": "not measurable", "reason": f"{len(speakers)} speakers; {why}"}
    at = {n: np.array(m[:2], np.float64) * scale for n, m in mouths.items()}
    names = list(at)
    pts = np.array([at[n] for n in names])
    gaps = [float(np.linalg.norm(pts[i] - pts[j])) for i in range(len(pts)) for j in range(i + 1, len(pts))]
    apart = min(float(np.linalg.norm(at[a] - at[b])) for a in speakers for b in speakers if a < b)
    if apart < 24 * scale * 2:  # (about four mouths' widths at the film's size)
        return {**base, "verdict": "not measurable",
                "reason": f"{len(speakers)} speakers whose mouths are {apart / scale:.0f} px apart: too close to tell apart"}
    found = [(x, y, a) for f in rng for (x, y, a) in blobs.get(f, [])]
    offsets = [np.array([x, y]) - pts[int(np.argmin(np.linalg.norm(pts - [x, y], axis=1)))] for x, y, _ in found]
    near = [o for o in offsets if np.linalg.norm(o) < 0.25 * max(gaps)]
    shift = np.median(np.array(near), axis=0) if near else np.zeros(2)
    moved = pts + shift
    mouth = {n: np.full(len(rng), np.nan) for n in speakers}
    for k, f in enumerate(rng):
        if f not in blobs:
            continue
        for n in speakers:
            mouth[n][k] = 0.0
        for x, y, a in blobs[f]:
            d = np.linalg.norm(moved - [x, y], axis=1)
            i, j = np.argsort(d)[:2] if len(d) > 1 else (int(np.argmin(d)), None)
            if j is not None and d[i] > np.linalg.norm(moved[i] - moved[j]) / 3:
                continue  # between two faces, or far from any: nobody's
            if names[i] in mouth:
                mouth[names[i]][k] += a
    return _per_speaker(base, it, lines, speakers, mouth, wavs)


def by_position(it: dict, lines: list[dict], speakers: list[str], found: dict, landmarks, places: dict[str, float],
                wavs: dict, rng: range) -> dict:
    """A shot of real faces where several characters speak: each face dlib finds on a frame is given to the
    character whose face the consistency check found nearest in x (`places`, over the picture's width: the order of
    faces left to right survives the fit's scaling and cropping), when it is clearly nearer (within a third of the
    gap between the two nearest characters); each speaker's inner-lip gap against only their own lines."""
    base = {"method": "landmarks, each speaker's face by position", "lag": None, "score": None, "at_zero": None}
    missing = [s for s in speakers if s not in places]
    if missing:
        return {**base, "verdict": "not measurable",
                "reason": f"the consistency check did not find {', '.join(missing)}'s face in the clip"}
    names = list(places)
    xs = np.array([places[n] for n in names], np.float64)
    if min(abs(places[a] - places[b]) for a in speakers for b in speakers if a < b) < 0.1:
        return {**base, "verdict": "not measurable", "reason": "the speakers' faces are too close to tell apart"}
    mouth = {n: np.full(len(rng), np.nan) for n in speakers}
    for k, f in enumerate(rng):  # (`found`: frame -> every face dlib found on it, (x over the width, lip gap))
        for x, gap in found.get(f) or ():
            d = np.abs(xs - x)
            order = np.argsort(d)
            if len(order) > 1 and d[order[0]] > abs(xs[order[0]] - xs[order[1]]) / 3:
                continue  # between two faces: nobody's
            n = names[int(order[0])]
            if n in mouth and (np.isnan(mouth[n][k]) or gap > mouth[n][k]):
                mouth[n][k] = gap
    return _per_speaker(base, it, lines, speakers, mouth, wavs)


def _per_speaker(base: dict, it: dict, lines: list[dict], speakers: list[str], mouth: dict, wavs: dict) -> dict:
    """Each speaker's mouth against only their own lines; the shot's verdict is its worst measured speaker's."""
    each = {}
    for n in speakers:
        voice = voice_envelope([ln for ln in lines if ln.get("speaker") == n], wavs, it["start"], it["frames"])
        res = best_lag(high_pass(voice), high_pass(mouth[n]))
        each[n] = {"lines": [ln["line"] for ln in lines if ln.get("speaker") == n], "lag": res["lag"],
                   "score": res["score"], "at_zero": res["at_zero"], "verdict": verdict(res)}
    judged = {n: e for n, e in each.items() if e["verdict"] != "not measurable"}
    if not judged:
        return {**base, "speakers": each, "verdict": "not measurable",
                "reason": "no speaker's mouth and voice reach the score, each measured alone"}
    worst = max(judged.values(), key=lambda e: (e["verdict"] != "in sync", abs(e["lag"])))
    out = {**base, "speakers": each, "lag": worst["lag"], "score": min(e["score"] for e in judged.values()),
           "at_zero": worst["at_zero"], "verdict": worst["verdict"]}
    if len(judged) < len(each):
        out["reason"] = "not measured: " + ", ".join(n for n in each if n not in judged)
    return out


def face_places(st, g, shots) -> dict[str, dict[str, float]]:
    """{shot id: {name: x of the face's centre over the picture's width}} where the consistency check found each
    character's face in the chosen take of a model's clip (its video pick)."""
    from ..media import ffmpeg
    out = {}
    for sh in shots:
        t = g.by_artifact.get(f"{sh.id}.video.pick")
        if t is None or not st.made(t) or not (st.path(t.key) / "model.mp4").exists():
            continue
        rec = json.loads((st.path(t.key) / "pick.json").read_text(encoding="utf-8"))
        take = next((k for k in rec.get("takes", []) if k["take"] == rec.get("chosen")), None)
        width = ffmpeg.probe(st.path(t.key) / "model.mp4").width
        if take and width:
            out[sh.id] = {n: (c["box"][0] + c["box"][2]) / 2.0 / width for n, c in take["characters"].items()
                          if c.get("box")}
    return out


def section(root: Path, st, ctxs: list, graphs: list) -> dict:
    """The report's lip-sync section for these (made) episodes: per dialogue shot, its sync score and lag."""
    from ..story.onscreen import on_screen
    from ..engine.layout import Layout
    shots, missing = [], []
    marks = Landmarks.load()
    for ctx, g in zip(ctxs, graphs):
        name = f"{ctx.episode.id}.preview.mp4" if ctx.preview else f"{ctx.episode.id}.mp4"
        film = Layout.of(root).out / name
        tl_task = g.task(f"{ctx.episode.id}.timeline")
        if not film.exists() or not st.made(tl_task):
            missing.append(name)
            continue
        timeline = json.loads((st.path(tl_task.key) / "timeline.json").read_text(encoding="utf-8"))
        seen = {ln.id for sh in ctx.episode.shots() for ln in on_screen(sh)}
        wavs = {}
        for ln in ctx.episode.lines():
            t = g.by_artifact.get(f"{ln.id}.voice.pick") or g.by_artifact.get(f"{ln.id}.voice")  # (retaken: the pick)
            if t is not None and st.made(t):
                wavs[ln.id] = st.path(t.key) / "line.wav"
        models = {sh.id for sh in ctx.episode.shots() if g.by_artifact.get(f"{sh.id}.video") is not None}
        shots += [{"episode": ctx.episode.id, **r} for r in measure(film, timeline, wavs, seen, marks,
                                                                     drawn_faces(st, g, ctx.episode.shots()),
                                                                     face_places(st, g, ctx.episode.shots()), models)]
    judged = [s for s in shots if s["verdict"] != "not measurable"]
    return {"method": "voice loudness against mouth opening per frame, best of +-%d frames (Pearson); in sync: "
                      "|lag| <= 1 and score >= %g" % (MAX_LAG, SCORE_MIN),
            "shots": shots, "in_sync": sum(s["verdict"] == "in sync" for s in judged),
            "off": [s["shot"] for s in judged if s["verdict"] != "in sync"],
            "not_measurable": [s["shot"] for s in shots if s["verdict"] == "not measurable"], "films_missing": missing}


def drawn_faces(st, g, shots) -> dict[str, dict[str, list]]:
    """{shot id: {name: [mouth x, mouth y]}} from each shot's drawn keyframe (faces.json: the procedural
    illustrator's; a picture without one is left out)."""
    out = {}
    for sh in shots:
        t = g.by_artifact.get(f"{sh.id}.keyframe")
        p = st.path(t.key) / "faces.json" if t is not None and st.made(t) else None
        if p is not None and p.exists():
            out[sh.id] = {f["name"]: f["mouth"][:2] for f in json.loads(p.read_text(encoding="utf-8")) if f.get("mouth")}
    return out


def _more(s: dict) -> str:
    """A shot's speakers, each measured alone, and why it is not (all escaped)."""
    import html
    parts = [f"{n}: {e['verdict']}" + (f" ({e['score']})" if e.get("score") is not None else "")
             for n, e in (s.get("speakers") or {}).items()]
    if s.get("reason"):
        parts.append(s["reason"])
    return f"<br><small>{html.escape('; '.join(parts))}</small>" if parts else ""


def render(sec: dict) -> str:
    """The section as HTML (for report.render)."""
    import html
    if not sec or not sec.get("shots"):
        return ""
    rows = "".join(
        f"<tr><td>{html.escape(s['shot'])}</td><td>{html.escape(s['method'])}</td>"
        f"<td>{'' if s['score'] is None else s['score']}</td><td>{'' if s['lag'] is None else s['lag']}</td>"
        f"<td class='{'ok' if s['verdict'] == 'in sync' else 'fail' if s['verdict'].startswith('off') else 'note'}'>"
        f"{html.escape(s['verdict'])}{_more(s)}</td></tr>" for s in sec["shots"])
    return (f"<h2>Lip sync</h2><p class='note'>{html.escape(sec['method'])}. Lag in frames; positive: the mouth "
            f"moves after the voice.</p><table><tr><th>shot</th><th>measured by</th><th>score</th><th>lag</th>"
            f"<th>verdict</th></tr>{rows}</table>")
