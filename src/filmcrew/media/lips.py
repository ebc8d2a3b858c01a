"""Lip sync: each speaker's mouth, opened by the loudness of their own voice, drawn over the animated clip.

The animator films the faces with their mouths shut and says where each mouth is on every frame of
its clip (`mouths.json`: the camera move and the breath included, in the clip's pixels). The finisher
draws the open mouths over the clip's frames as it renders the shot's segment. So a new voice for a
line (a human take dubbed over it) re-renders that shot's segment, with the lips following the take,
and never the animated clip itself, as long as the take fits the line's slot (see timing.slot).

Pure functions and small images; no crew role of its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from ..story import timing
from . import ffmpeg

TRACK_FILE = "mouths.json"
MOUTH = (90, 20, 30)  # the inside of an open mouth
SUPER = 4  # the mouth is drawn this many times larger, then reduced: smooth edges


def envelope(wav: Path) -> np.ndarray:
    """How open the mouth is (0..1) on each frame of one voice, from its loudness over that frame."""
    a, rate = ffmpeg.read_wav(Path(wav))
    spf = rate // timing.FPS
    n = len(a) // spf
    if n == 0:
        return np.zeros(0, np.float32)
    rms = np.sqrt(np.mean(a[: n * spf, 0].reshape(n, spf) ** 2, axis=1))
    ref = np.percentile(rms, 90) or 1.0
    env = np.clip(rms / ref, 0, 1).astype(np.float32)
    env[env < 0.12] = 0.0  # pauses between words close the mouth
    # a soft onset (a breath, an "s") is under that: the lips part on the frame the sound starts (every
    # voice, synthetic or a take, is trimmed to EDGE_PAD before its first sound), so mouth, voice and
    # subtitle start within one frame of each other
    first = min(n - 1, int(timing.EDGE_PAD * timing.FPS))
    opened = int(np.argmax(env > 0)) if (env > 0).any() else n
    if opened > first:
        env[first:opened] = 0.2
    return env


def mouth_envelopes(sh, voice_dirs: list[Path], starts: list[int], total: int) -> dict[str, np.ndarray]:
    """speaker -> how open their mouth is on each frame of the shot's clip (0..1): exactly where their
    line's sound (and its subtitle) is."""
    out: dict[str, np.ndarray] = {}
    for ln, folder, st in zip(sh.lines, voice_dirs, starts):
        env = envelope(Path(folder) / "line.wav")
        e = out.setdefault(ln.speaker, np.zeros(total, np.float32))
        end = min(total, st + len(env))
        if end > st:
            e[st:end] = np.maximum(e[st:end], env[: end - st])
    return out


def mouth_boxes(x: float, y: float, mw: float, opened: float) -> tuple[list[float], list[float]]:
    """The two ellipses of a mouth `opened` (0..1) whose drawn line is centred at (x, y), `mw` wide each side:
    skin over the drawn line, then the open mouth."""
    w, h = mw * (0.42 + 0.12 * opened), mw * (0.1 + 0.55 * opened)
    return [x - mw * 1.05, y - mw * 0.75, x + mw * 1.05, y + mw * 0.6], [x - w, y - h * 0.45, x + w, y + h * 0.55]


def read_track(clip_dir: Path) -> dict:
    p = Path(clip_dir) / TRACK_FILE
    return json.loads(p.read_text()) if p.exists() else {}


def sprites(track: dict, envelopes: dict[str, np.ndarray], lo: int, hi: int, wd: Path, tag: str) -> list[tuple]:
    """Each speaker's open mouth over the clip frames [lo, hi), as a raw RGBA video of a small box that
    starts on frame `lo` (transparent where the mouth is shut): [(path, x, y, w, h, frames)]."""
    out = []
    for name, env in sorted(envelopes.items()):
        face = track.get(name)
        if not face:
            continue  # a face the animator did not film (an image-model clip, a human take): no lips drawn
        at = face["at"]
        open_frames = [f for f in range(max(lo, 0), min(hi, len(env), len(at))) if env[f] > 0]
        if not open_frames:
            continue
        boxes = [mouth_boxes(*at[f], 1.0)[0] for f in open_frames]
        x0, y0 = int(np.floor(min(b[0] for b in boxes))) - 2, int(np.floor(min(b[1] for b in boxes))) - 2
        x1, y1 = int(np.ceil(max(b[2] for b in boxes))) + 2, int(np.ceil(max(b[3] for b in boxes))) + 2
        w, h = x1 - x0 + (x1 - x0) % 2, y1 - y0 + (y1 - y0) % 2  # even: the overlay's chroma lines up
        skin = tuple(face["skin"])
        path = wd / f"lips-{tag}-{len(out):02d}.rgba"
        blank = bytes(w * h * 4)
        last = open_frames[-1]
        with open(path, "wb") as f_out:
            for f in range(lo, last + 1):
                if f < 0 or env[f] <= 0:
                    f_out.write(blank)
                    continue
                mx, my, mw = at[f]
                big = Image.new("RGBA", (w * SUPER, h * SUPER), (0, 0, 0, 0))
                d = ImageDraw.Draw(big)
                cover, mouth = mouth_boxes((mx - x0) * SUPER, (my - y0) * SUPER, mw * SUPER, float(env[f]))
                d.ellipse(cover, fill=skin + (255,))
                d.ellipse(mouth, fill=MOUTH + (255,))
                f_out.write(big.convert("RGBa").resize((w, h), Image.BOX).convert("RGBA").tobytes())  # no dark fringe
        out.append((path, x0, y0, w, h, last + 1 - lo))
    return out


def lay_mouths(frame: np.ndarray, at: dict, opened: dict[str, float], skins: dict[str, list]) -> None:
    """Each speaker's open mouth drawn into `frame` (RGBA or RGB array (H, W, 4 or 3), in place; its fourth
    channel is left as it is): `at` {name: [x, y, half width]} where the mouths are on this frame, `opened`
    {name: 0..1} how open. Drawn as `sprites` draws them (four times larger, then reduced), over the frame."""
    for name in sorted(opened):
        o = float(opened[name])
        if o <= 0 or name not in at or name not in skins:
            continue
        mx, my, mw = at[name]
        box = mouth_boxes(mx, my, mw, 1.0)[0]
        x0, y0 = int(np.floor(box[0])) - 2, int(np.floor(box[1])) - 2
        x1, y1 = int(np.ceil(box[2])) + 2, int(np.ceil(box[3])) + 2
        big = Image.new("RGBA", ((x1 - x0) * SUPER, (y1 - y0) * SUPER), (0, 0, 0, 0))
        d = ImageDraw.Draw(big)
        cover, mouth = mouth_boxes((mx - x0) * SUPER, (my - y0) * SUPER, mw * SUPER, o)
        d.ellipse(cover, fill=tuple(skins[name]) + (255,))
        d.ellipse(mouth, fill=MOUTH + (255,))
        patch = np.asarray(big.convert("RGBa").resize((x1 - x0, y1 - y0), Image.BOX))  # premultiplied: no fringe
        h, w = frame.shape[:2]
        fx0, fy0, fx1, fy1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
        if fx1 <= fx0 or fy1 <= fy0:
            continue
        p = patch[fy0 - y0:fy1 - y0, fx0 - x0:fx1 - x0].astype(np.uint32)
        region = frame[fy0:fy1, fx0:fx1, :3]
        keep = 255 - p[..., 3:4]
        region[...] = ((p[..., :3] * 255 + region.astype(np.uint32) * keep + 127) // 255).astype(np.uint8)
