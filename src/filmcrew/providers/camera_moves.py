"""The offline animator: a camera move over the keyframe's layers, streamed to ffmpeg.

Moves (push-in, pull-out, pan, tilt, parallax dolly, handheld drift, static) are
chosen from the shot's camera and mood. Where the illustrator says where it drew
each face and figure (faces.json), characters breathe (head and shoulders rise
and settle over the chest, each on their own slow rhythm) and blink, and the
animator says where each mouth is on every frame (the "mouths" track it returns:
the finisher opens them with the voices, see media/lips.py). Frames are computed one at
a time and piped to the encoder, so memory does not grow with the shot's length.
Ledger type: ``algorithmicMedia``.
"""

from __future__ import annotations

import hashlib
import math
import subprocess
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

from .. import ledger
from ..media.ffmpeg import BT601_PARAMS, X264_THREADS, widen
from ..errors import MediaError
from .base import AnimateRequest, NoSettings

MARGIN = 1.12  # the illustrator draws this much larger than the frame, for camera room
MOVES = ("push-in", "pull-out", "pan-left", "pan-right", "tilt-up", "parallax", "handheld", "static")


def choose_move(camera: str, mood: str, seed: int, shot_id: str) -> str:
    h = int(hashlib.sha256(f"{seed}|{shot_id}".encode()).hexdigest()[:8], 16)
    if mood in ("tense", "ominous", "epic"):
        options = ("push-in", "handheld", "push-in", "parallax")
    elif camera == "wide":
        options = ("pan-left", "pan-right", "parallax", "pull-out", "tilt-up")
    elif camera == "close-up":
        options = ("push-in", "static", "handheld")
    else:
        options = ("parallax", "push-in", "pan-right", "pan-left", "handheld")
    return options[h % len(options)]


LID = (0.5, 1.0, 1.0, 0.5)  # how closed the lids are on each frame of a blink
BREATH = 0.012  # how far a breath lifts the head and shoulders, as a share of their height over the chest


def blinks(name: str, shot_id: str, seed: int, frames: int) -> list[int]:
    """The first frame of each blink of one character in one shot: every 2.5 to 5 seconds, seeded."""
    rng = np.random.default_rng(int(hashlib.sha256(f"{seed}|{shot_id}|{name}".encode()).hexdigest()[:8], 16))
    out, t = [], float(rng.uniform(12, 60))
    while t < frames - len(LID):
        out.append(int(t))
        t += float(rng.uniform(75, 150))
    return out


def lid_at(f: int, starts: list[int]) -> float:
    return next((LID[f - s] for s in starts if 0 <= f - s < len(LID)), 0.0)


def draw_lids(d, face: dict, closed: float) -> None:
    """Over a face the illustrator drew: its lids `closed` (0..1)."""
    skin = tuple(face["skin"])
    for x, y, rx, ry in face["eyes"]:
        box = [x - rx * 1.08, y - ry * 1.2, x + rx * 1.08, y + ry * 1.2]
        if closed >= 1:
            d.ellipse(box, fill=skin)
            d.line([(x - rx, y + ry * 0.2), (x + rx, y + ry * 0.2)], fill=(40, 25, 25),
                   width=max(1, int(face["line_width"])))
        else:
            d.chord(box, 180, 360, fill=skin)


def breathing(name: str, shot_id: str, seed: int) -> tuple[float, float]:
    """One character's breath in one shot: its period in frames (3.2 to 4.2 s) and its phase."""
    rng = np.random.default_rng(int(hashlib.sha256(f"breath|{seed}|{shot_id}|{name}".encode()).hexdigest()[:8], 16))
    return float(rng.uniform(3.2, 4.2) * 30), float(rng.uniform(0, 2 * math.pi))


class _Breather:
    """Lifts what lies in one figure's box (its head and shoulders, above the chest line) by a stretch
    anchored on that line, rebuilt from the layers: the background under it, the figure stretched, the
    foreground over it. Outside the box nothing changes, and at the chest line the stretch is zero, so
    there is no seam."""

    def __init__(self, face: dict, chars: Image.Image, base: Image.Image | None, fg: Image.Image | None, period: float, phase: float):
        x0, y0, x1, y1 = face["body"]
        head = (y1 - y0) * BREATH + 2  # room above the head for the rise
        self.box = (max(0, int(x0)), max(0, int(y0 - head)), min(chars.width, int(math.ceil(x1))), min(chars.height, int(y1)))
        self.chars = np.ascontiguousarray(np.asarray(chars.crop(self.box)))
        h, w = self.chars.shape[:2]
        self.base = np.ascontiguousarray(np.asarray(base.crop(self.box))) if base is not None else None
        self.fg = np.ascontiguousarray(np.asarray(fg.crop(self.box))) if fg is not None else None
        # over an opaque base (the flat picture's background), the figure and the foreground are laid on in 8-bit
        # OpenCV arithmetic (`over`); over a clear one (parallax: the characters' own layer) the stretched figure
        # is the patch, and a foreground over it needs the full Porter-Duff blend (PIL's)
        self.opaque = self.base is not None and bool((self.base[..., 3] == 255).all())
        self.scratch = Scratch()
        self.period, self.phase = period, phase
        self.last: int | None = None  # the stretched height the "patch" scratch array holds

    def stretch(self, f: int) -> float:
        return 1.0 + BREATH * (0.5 + 0.5 * math.sin(2 * math.pi * f / self.period + self.phase))

    def patch(self, f: int) -> tuple[np.ndarray, float]:
        """The box as frame `f` shows it (RGBA, straight alpha; its own array until the next call), and the
        stretch of this frame's breath."""
        s = self.stretch(f)
        h, w = self.chars.shape[:2]
        tall = int(round(h * s)) if w >= 2 and h >= 2 else h
        if tall == self.last:  # the patch depends on the stretched height alone: a breath holds each height for
            return self.scratch("patch", (h, w, 4)), s  # several frames (issue 36: a fifth of the drawing's CPU)
        self.last = tall
        out = self.scratch("patch", (h, w, 4))
        if w < 2 or h < 2:
            lifted = self.chars
        else:
            lifted = cv2.resize(self.chars, (w, tall), dst=self.scratch("tall", (tall, w, 4)),
                                interpolation=cv2.INTER_LINEAR)[tall - h:]
        if self.opaque:
            over(lifted, self.base, dst=out, scratch=self.scratch)
            if self.fg is not None:
                over(self.fg, out, dst=out, scratch=self.scratch)
            return out, s
        if self.base is None and self.fg is None:
            np.copyto(out, lifted)
            return out, s
        clear = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        patch = Image.alpha_composite(Image.fromarray(self.base) if self.base is not None else clear,
                                      Image.fromarray(np.ascontiguousarray(lifted)))
        if self.fg is not None:
            patch = Image.alpha_composite(patch, Image.fromarray(self.fg))
        np.copyto(out, np.asarray(patch))
        return out, s

    def moved(self, face: dict, s: float) -> dict:
        """The face's eyes and mouth where this frame's breath has lifted them."""
        y1 = self.box[3]
        up = lambda y: y1 - (y1 - y) * s  # noqa: E731
        return {**face, "eyes": [[x, up(y), rx, ry * s] for x, y, rx, ry in face["eyes"]],
                "mouth": [face["mouth"][0], up(face["mouth"][1]), face["mouth"][2]]}


def _face_box(face: dict, width: int, height: int) -> tuple[int, int, int, int]:
    """A box around a face's eyes, with room for shut lids."""
    xs = [x - rx * 1.2 for x, _, rx, _ in face["eyes"]] + [x + rx * 1.2 for x, _, rx, _ in face["eyes"]]
    ys = [y - ry * 1.4 for _, y, _, ry in face["eyes"]] + [y + ry * 1.4 for _, y, _, ry in face["eyes"]]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    return max(0, int(x0) - 2), max(0, int(y0) - 2), min(width, int(math.ceil(x1)) + 2), min(height, int(math.ceil(y1)) + 2)


def _shifted(face: dict, ox: float, oy: float) -> dict:
    return {**face, "eyes": [[x - ox, y - oy, rx, ry] for x, y, rx, ry in face["eyes"]],
            "mouth": [face["mouth"][0] - ox, face["mouth"][1] - oy, face["mouth"][2]]}


def warp(src: np.ndarray, box: tuple[float, float, float, float], W: int, H: int,
         part: tuple[int, int, int, int] | None = None, dst: np.ndarray | None = None) -> np.ndarray:
    """The canvas region `box` (x0, y0, x1, y1, fractional pixels) scaled to W x H with bilinear sampling,
    pixel centres mapped as PIL's resize(box=...) maps them (OpenCV: several times faster, and it releases
    the GIL, so two shots render side by side). With `part` (x0, y0, x1, y1 of the frame), only that part
    of the frame, the same pixels. Into `dst` when given."""
    sx, sy = (box[2] - box[0]) / W, (box[3] - box[1]) / H
    ox, oy, x1, y1 = part or (0, 0, W, H)
    m = np.array([[sx, 0, box[0] + (ox + 0.5) * sx - 0.5], [0, sy, box[1] + (oy + 0.5) * sy - 0.5]])
    return cv2.warpAffine(src, m, (x1 - ox, y1 - oy), dst=dst, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE)


class Scratch:
    """Arrays kept from frame to frame, handed out as views of the shape asked: a frame loop that takes its
    outputs from here allocates nothing, so it takes no page faults (engine/executor.py puts every large allocation in
    a mapping of its own, which the kernel zeroes page by page on first use: about 3000 faults a frame)."""

    def __init__(self):
        self.arrays: dict[str, np.ndarray] = {}

    def __call__(self, name: str, shape: tuple) -> np.ndarray:
        a = self.arrays.get(name)
        if a is None or a.ndim != len(shape) or any(n < m for n, m in zip(a.shape, shape)):
            a = self.arrays[name] = np.empty(tuple(max(n, m) for n, m in zip(a.shape, shape)) if a is not None
                                             and a.ndim == len(shape) else shape, np.uint8)
        return a[tuple(slice(0, m) for m in shape)]


def over(fg: np.ndarray, bg: np.ndarray, dst: np.ndarray | None = None, scratch: Scratch | None = None) -> np.ndarray:
    """`fg` (RGBA, straight alpha) over `bg` (four channels; the result's fourth is not alpha), in 8-bit
    arithmetic: within one level of a float blend, four times faster than cv2.blendLinear. Into `dst`
    (which may be `bg`) when given, with its working arrays from `scratch`."""
    s = scratch or Scratch()
    a = cv2.cvtColor(cv2.extractChannel(fg, 3, dst=s("alpha", fg.shape[:2])), cv2.COLOR_GRAY2RGBA, dst=s("a", fg.shape))
    f = cv2.multiply(fg, a, scale=1 / 255, dst=s("f", fg.shape))
    b = cv2.multiply(bg, cv2.bitwise_not(a, dst=a), scale=1 / 255, dst=s("b", fg.shape))
    return cv2.add(f, b, dst=dst)


def _drawn_box(alpha: np.ndarray, boxes: list) -> tuple[int, int, int, int] | None:
    """The canvas box that holds every pixel of a layer (its alpha) and every region drawn over it."""
    ys, xs = np.nonzero(alpha.any(axis=1))[0], np.nonzero(alpha.any(axis=0))[0]
    parts = ([(int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1)] if len(xs) else []) + list(boxes)
    if not parts:
        return None
    return min(b[0] for b in parts), min(b[1] for b in parts), max(b[2] for b in parts), max(b[3] for b in parts)


def _ease(t: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * t)


class CameraMoveAnimator(NoSettings):
    name = "camera-moves"
    version = "5"  # 5: the breath drawn with OpenCV (bilinear rounding differs from PIL's by a level)
    model = "procedural-v1"
    source_type = ledger.ALGORITHMIC

    def animate(self, req: AnimateRequest, out_path: Path, ffmpeg: str) -> dict:
        """The shot's clip: every frame `draw` gives, encoded (intermediate settings: the finisher's segments
        re-encode what they take from it), with the mouths track and what was drawn."""
        W, H = req.size
        crf = "24" if req.preview else "16"
        # frames go down the pipe as yuv420p, converted by OpenCV (BT.601, limited range: what ffmpeg's own
        # rgb24 conversion gives, to within one level of luma): half the bytes, and the encoder's
        # single-threaded colour conversion, its largest cost after x264 itself, is gone. The clip is tagged
        # BT.601 (its matrix); the finisher converts it to the film's BT.709 (media/ffmpeg.py)
        cmd = [ffmpeg, "-hide_banner", "-nostdin", "-y", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{W}x{H}",
               "-r", "30", "-i", "pipe:0", "-c:v", "libx264", "-preset", "ultrafast", "-crf", crf,
               "-pix_fmt", "yuv420p", "-g", "30", "-an", *X264_THREADS, "-vf", BT601_PARAMS, str(out_path)]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        widen(proc.stdin)
        yuv = np.empty((H * 3 // 2, W), np.uint8)
        info: dict = {}
        track: dict = {}
        try:
            for frame, mouths in self.frames(req, 0, req.frames, info):
                for name, at in mouths.items():
                    track.setdefault(name, {"skin": info["skin"][name], "at": []})["at"].append(at)
                proc.stdin.write(memoryview(cv2.cvtColor(frame, cv2.COLOR_RGBA2YUV_I420, dst=yuv)))
            proc.stdin.close()
        except BrokenPipeError:
            pass
        err = proc.stderr.read().decode("utf-8", "replace")
        proc.stderr.close()
        if proc.wait() != 0:
            raise MediaError(f"ffmpeg failed while encoding shot {req.shot.id}: {err.strip().splitlines()[-1:]}")
        return {"move": info["move"], "blinks": info["blinks"], "breathing": info["breathing"],
                "mouths": {name: track.get(name, {"skin": skin, "at": []}) for name, skin in info["skin"].items()}}

    def frames(self, req: AnimateRequest, lo: int, hi: int, info: dict | None = None):
        """Frames [lo, hi) of the shot (each frame depends on its number alone, so any range is drawn as the
        whole clip has it): yields (frame, mouths) per frame, the frame an RGBA array (H, W, 4; its fourth
        channel is not alpha) that stays valid until the next one is asked for, and mouths {name: [x, y, half
        width]} where each mouth is on that frame (the clip's mouths track). `info`, when given, is filled with
        the move, the blinks, who breathes and each face's skin colour before the first frame."""
        W, H = req.size
        layers = [Image.open(p).convert("RGBA") for p in req.layers]
        cw, ch = layers[0].size
        move = choose_move(req.shot.camera, req.shot.mood or req.scene.mood, req.seed, req.shot.id)
        back = layers[0]
        for lay in layers[1:2]:
            back = Image.alpha_composite(back, lay)
        front = layers[2] if len(layers) > 2 else None
        if len(layers) > 3:
            front = Image.alpha_composite(front, layers[3]) if front is not None else layers[3]
        flat = Image.alpha_composite(back, front).convert("RGB") if front is not None else back.convert("RGB")
        rng = np.random.default_rng(int(hashlib.sha256(req.shot.id.encode()).hexdigest()[:8], 16))
        phase = rng.uniform(0, 2 * math.pi, 4)
        base_w, base_h = cw / MARGIN, ch / MARGIN
        faces = [fc for fc in req.faces if fc.get("eyes") and fc.get("mouth")]
        schedule = {fc["name"]: blinks(fc["name"], req.shot.id, req.seed, req.frames) for fc in faces}
        parallax = move == "parallax" and front is not None
        # (parallax) a foreground that is only a darkening mask (the procedural vignette: black, with alpha) is
        # laid over each whole frame as a fixed multiplier, instead of moving with the characters (it would
        # drift by 3% of the frame); then only the characters' part of each frame needs blending
        mask_only = parallax and len(layers) > 3 and layers[2] is not None and not np.asarray(layers[3])[..., :3].any()
        if mask_only:
            front = layers[2]
        breathers = {}
        if len(layers) > 2:
            for fc in req.faces:
                if fc.get("body"):
                    breathers[fc["name"]] = _Breather(fc, layers[2], None if parallax else back,
                                                      layers[3] if len(layers) > 3 and not mask_only else None,
                                                      *breathing(fc["name"], req.shot.id, req.seed))
        by_name = {fc["name"]: fc for fc in faces}
        if info is not None:
            info.update(move=move, blinks=sum(len(v) for v in schedule.values()), breathing=sorted(breathers),
                        skin={fc["name"]: list(fc["skin"])[:3] for fc in faces})
        # the canvas the camera films: the flat picture, or (parallax) the characters over a background that
        # moves less. Breath and blinks change small regions of it: each is drawn in its own little
        # image, copied into the canvas for this frame, and put back from the still picture after
        # (four channels throughout: OpenCV's warp runs more than twice as fast on them as on three)
        source = front if parallax else flat.convert("RGBA")
        still = np.asarray(source)
        canvas = still.copy()
        back_np = np.asarray(back) if parallax else None
        # (parallax) where the characters can be on the canvas: only that part of each frame is blended
        drawn = _drawn_box(still[..., 3], [b.box for b in breathers.values()] + [_face_box(fc, cw, ch) for fc in faces]) \
            if parallax else None
        shade = None
        if mask_only:  # the vignette where the characters are at mid-shot (dx = 0), as a four-channel multiplier
            w0, h0 = base_w / 1.02, base_h / 1.02
            keep = 255 - np.asarray(layers[3])[..., 3]
            shade = cv2.cvtColor(warp(np.ascontiguousarray(keep), ((cw - w0) / 2, (ch - h0) / 2, (cw + w0) / 2,
                                                                  (ch + h0) / 2), W, H), cv2.COLOR_GRAY2RGBA)
        # what the frames are drawn from is in the arrays above now: the layers and the pictures composed of them
        # go before the first frame (about 80 MB a shot at 1080x1920, with two shots drawn at once: issue 36's peak)
        layers = lay = back = front = flat = source = keep = None  # noqa: F841
        scratch = Scratch()
        for f in range(max(0, lo), min(hi, req.frames)):
            shut = {fc["name"]: lid_at(f, schedule[fc["name"]]) for fc in faces}
            mouths = {fc["name"]: fc["mouth"] for fc in faces}
            dirty = []
            for name, b in breathers.items():
                patch, lift = b.patch(f)
                if name in mouths:
                    fc = b.moved(by_name[name], lift)
                    mouths[name] = fc["mouth"]
                    if shut[name]:  # (a blink: a few frames every few seconds, drawn with PIL)
                        lidded = Image.fromarray(patch)
                        draw_lids(ImageDraw.Draw(lidded), _shifted(fc, *b.box[:2]), shut[name])
                        patch = np.asarray(lidded)
                dirty.append(b.box)
                canvas[b.box[1]:b.box[3], b.box[0]:b.box[2]] = patch
            for fc in faces:  # a face with no figure box: its eyes alone
                if fc["name"] not in breathers and shut[fc["name"]]:
                    box = _face_box(fc, cw, ch)
                    patch = Image.fromarray(still[box[1]:box[3], box[0]:box[2]])  # (the source picture's pixels)
                    draw_lids(ImageDraw.Draw(patch), _shifted(fc, *box[:2]), shut[fc["name"]])
                    dirty.append(box)
                    canvas[box[1]:box[3], box[0]:box[2]] = np.asarray(patch)
            t = _ease(f / max(1, req.frames - 1))
            z, dx, dy = 1.0, 0.0, 0.0
            if move == "push-in":
                z = 1.0 + 0.09 * t
            elif move == "pull-out":
                z = 1.09 - 0.09 * t
            elif move in ("pan-left", "pan-right"):
                z = 1.01
                dx = (0.045 if move == "pan-left" else -0.045) * (1 - 2 * t)
            elif move == "tilt-up":
                z = 1.01
                dy = 0.04 * (1 - 2 * t)
            elif move == "handheld" or move == "static":
                amp = 0.004 if move == "handheld" else 0.0012
                secs = f / 30
                z = 1.02
                dx = amp * (math.sin(secs * 1.3 + phase[0]) + 0.5 * math.sin(secs * 2.9 + phase[1]))
                dy = amp * (math.sin(secs * 1.1 + phase[2]) + 0.5 * math.sin(secs * 3.3 + phase[3]))
            elif move == "parallax":
                z = 1.02
                dx = 0.03 * (1 - 2 * t)
            w, h = base_w / z, base_h / z
            cx, cy = cw / 2 + dx * cw, ch / 2 + dy * ch
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            k = W / w  # canvas -> frame (the characters' layer, in a parallax move too)
            at = {name: [round((mx - box[0]) * k, 2), round((my - box[1]) * k, 2), round(mw * k, 2)]
                  for name, (mx, my, mw) in mouths.items()}
            frame = scratch("frame", (H, W, 4))
            if parallax:  # the background moves less than the characters
                bcx = cw / 2 + dx * 0.4 * cw
                warp(back_np, (bcx - w / 2, cy - h / 2, bcx + w / 2, cy + h / 2), W, H, dst=frame)
                if drawn is not None:  # the characters' part of the frame, warped and laid over it
                    x0, y0 = max(0, int((drawn[0] - box[0]) * k) - 2), max(0, int((drawn[1] - box[1]) * k) - 2)
                    x1, y1 = min(W, int((drawn[2] - box[0]) * k) + 3), min(H, int((drawn[3] - box[1]) * k) + 3)
                    if x1 > x0 and y1 > y0:
                        part = frame[y0:y1, x0:x1]
                        over(warp(canvas, box, W, H, (x0, y0, x1, y1), dst=scratch("front", part.shape)), part,
                             dst=part, scratch=scratch)
                if shade is not None:
                    cv2.multiply(frame, shade, scale=1 / 255, dst=frame)
            else:
                warp(canvas, box, W, H, dst=frame)
            yield frame, at
            for x0, y0, x1, y1 in dirty:
                canvas[y0:y1, x0:x1] = still[y0:y1, x0:x1]
