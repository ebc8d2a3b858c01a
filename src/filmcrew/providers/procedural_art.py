"""The offline illustrator: keyframes drawn procedurally from the scene and the bible.

No stock images and no model: the setting comes from the scene heading, the light
from the time of day, the grade from the mood, and each character is drawn from
their bible entry (face shape, skin, hair, eyes, build, palette, costume), so the
same character looks the same in every shot. Output is four RGBA layers
(background, midground, characters, foreground) for the animator to move.
Ledger type: ``algorithmicMedia`` (procedural, no training data).
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import math
import random
import re
from pathlib import Path

import numpy as np
from PIL import Image, ImageColor, ImageDraw

from .. import ledger
from ..engine import atomic
from ..media import fonts
from ..model import Character
from ..story.action_words import props_in
from .base import DrawRequest, NoSettings, ReferenceRequest

SETTING_WORDS = [
    ("temple", ("temple", "shrine", "庙", "寺", "temple")),
    ("palace", ("palace", "throne", "hall", "court", "宫", "殿", "palais", "trône")),
    ("office", ("office", "lab", "apartment", "办公", "公寓", "bureau", "appartement")),
    ("tavern", ("tavern", "inn", "bar", "酒馆", "taverne", "auberge")),
    ("hut", ("hut", "house", "home", "cabin", "room", "kitchen", "bedroom", "quarters", "小屋", "家", "屋", "cabane", "maison", "chambre")),
    ("lighthouse", ("lighthouse", "灯塔", "phare")),
    ("sea", ("sea", "beach", "harbour", "harbor", "shore", "cliff", "ocean", "port", "海", "港", "mer", "plage", "falaise", "port")),
    ("river", ("river", "riverbank", "dock", "flood", "bank", "lake", "河", "码头", "fleuve", "berge", "ponton", "inond")),
    ("mountain", ("mountain", "peak", "pass", "snow", "山", "峰", "montagne", "sommet", "col")),
    ("forest", ("forest", "woods", "clearing", "tree", "grove", "pine", "林", "树", "forêt", "clairière", "arbre", "pins")),
    ("city", ("city", "street", "alley", "rooftop", "platform", "station", "neon", "城市", "街", "天台", "站", "ville", "rue", "ruelle", "toit", "gare")),
    ("village", ("village", "square", "market", "gate", "field", "garden", "walls", "村", "广场", "田", "集市", "花园", "城墙", "place", "marché", "champs", "jardin", "porte", "remparts")),
]
SAFE = 0.1  # the share of the canvas at each edge a camera move may crop (camera_moves.MARGIN and its pans)
GROUND = 0.88  # where the feet are in a wide shot (share of the canvas height): on the ground, below any water
FACES_ABOVE = 0.58  # a wide shot's faces no lower than this (canvas share): clear of a vertical frame's subtitles
WATER_TO = 0.62  # water ends here (canvas share) at the latest: every wide shot's feet stand below it
INTERIORS = {"temple", "palace", "office", "tavern", "hut", "lighthouse"}
SIGNED = {"village", "city", "river", "tavern", "office", "temple", "palace"}  # places that carry their name

SKY = {  # top, horizon colours
    "dawn": ((70, 80, 140), (250, 170, 140)), "morning": ((110, 170, 230), (245, 225, 180)),
    "day": ((70, 140, 215), (200, 225, 245)), "dusk": ((60, 50, 110), (250, 140, 80)),
    "night": ((8, 12, 35), (35, 45, 85)),
}
GRADE = {  # mood -> (tint rgb, strength, saturation)
    "hopeful": ((255, 220, 170), 0.10, 1.05), "warm": ((255, 200, 140), 0.14, 1.08), "ominous": ((60, 40, 80), 0.22, 0.8),
    "tense": ((40, 90, 110), 0.16, 0.85), "sad": ((70, 90, 140), 0.2, 0.7), "mysterious": ((80, 60, 140), 0.16, 0.9),
    "epic": ((255, 150, 80), 0.12, 1.1),
}
EXPRESSION_WORDS = [
    ("angry", ("!", "how dare", "don't", "never", "shouting", "angry", "charges", "bargain", "怒", "不许", "jamais", "criant")),
    ("afraid", ("afraid", "fear", "run", "what do we do", "怕", "怎么办", "peur", "qu'est-ce qu'on fait")),
    ("sad", ("sorry", "fault", "lost", "wrong", "crying", "ruins", "alone", "怪我", "错", "哭", "faute", "trompé", "seul")),
    ("surprised", ("?", "look", "where did", "what", "glow", "吗", "什么", "哪里", "où", "quoi")),
    ("happy", ("smil", "laugh", "sunrise", "together", "teach", "笑", "一起", "rire", "ensemble", "apprendre")),
]


def setting_of(location: str, interior: bool) -> str:
    low = location.lower()
    for name, words in SETTING_WORDS:
        if any(w in low for w in words):
            if interior or name not in INTERIORS or name == "lighthouse":
                return name
    return "hut" if interior else "village"


def expression_of(text: str, parenthetical: str = "") -> str:
    low = f"{parenthetical} {text}".lower()
    for expr, words in EXPRESSION_WORDS:
        if any(w in low for w in words):
            return expr
    return "neutral"


def _rgb(hexstr: str, default=(128, 128, 128)) -> tuple[int, int, int]:
    m = re.fullmatch(r"#?([0-9a-fA-F]{6})", hexstr.strip()) if hexstr else None
    if not m:  # a colour name or #rgb, as the bible allows (project.is_colour); anything else was refused there
        try:
            return ImageColor.getrgb(hexstr.strip())[:3] if hexstr else default
        except ValueError:
            return default
    v = int(m.group(1), 16)
    return (v >> 16 & 255, v >> 8 & 255, v & 255)


def _mix(a, b, t):
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))


def _gradient(w: int, h: int, top, bottom, rng: np.random.Generator) -> np.ndarray:
    t = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    img = np.array(top, np.float32) * (1 - t) + np.array(bottom, np.float32) * t
    img = np.broadcast_to(img, (h, w, 3)).copy()
    img += rng.uniform(-1.5, 1.5, size=(h, w, 1)).astype(np.float32)  # dither: no banding
    return np.clip(img, 0, 255)


def _vignette_strength(mood: str, tod: str) -> int:
    return 150 if mood in ("ominous", "sad", "tense") or tod == "night" else 95


def _vignette(W: int, H: int, strength: int) -> Image.Image:
    """The foreground layer: a darkening vignette (black, its alpha growing towards the corners)."""
    y, x = np.ogrid[0:H, 0:W]
    r = np.sqrt(((x - W / 2) / (W / 2)) ** 2 + ((y - H / 2) / (H / 2)) ** 2)
    alpha = np.clip((r - 0.75) / 0.7, 0, 1) ** 1.6 * strength
    arr = np.zeros((H, W, 4), np.uint8)
    arr[..., 3] = alpha.astype(np.uint8)
    return Image.fromarray(arr, "RGBA")


@functools.lru_cache(maxsize=4)
def _vignette_png(W: int, H: int, strength: int) -> bytes:
    """foreground.png's bytes (as Image.save(path, compress_level=1) writes them): a few kB, kept."""
    buf = io.BytesIO()
    _vignette(W, H, strength).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


class ProceduralIllustrator(NoSettings):
    name = "procedural"
    version = "5"
    model = "procedural-v1"
    source_type = ledger.ALGORITHMIC

    @staticmethod
    def line_reading(shot) -> list:
        """All that a picture reads of the shot's lines (besides who speaks first, which the crew keys itself): each
        speaker's expression, from their last line in the shot (as _characters draws it), in the keyframe's key."""
        last = {ln.speaker: ln for ln in shot.lines}
        return sorted((name, expression_of(ln.text, ln.parenthetical)) for name, ln in last.items())

    def draw(self, req: DrawRequest, out_dir: Path) -> tuple[Path, ...]:
        W, H = req.size
        seed = int(hashlib.sha256(f"{req.seed}|{req.scene.id}".encode()).hexdigest()[:8], 16)
        rng = random.Random(seed)  # the same scene gets the same place in every shot
        nrng = np.random.default_rng(seed)
        setting = setting_of(req.scene.location, req.scene.interior)
        tod = req.scene.time_of_day if req.scene.time_of_day in SKY else "day"
        horizon = int(H * (0.52 if H > W else 0.58))
        bg = self._background(W, H, horizon, setting, tod, rng, nrng)
        mid = self._midground(W, H, horizon, setting, tod, rng)
        chars, faces = self._characters(req, W, H)
        sign = None
        if setting in SIGNED:  # the place's name on a signpost outside, a plaque on the wall inside
            text = sign_text(req.scene.location, req.language)
            if text:
                sign = place_sign(W, H, horizon, setting in INTERIORS, rng.choice((0.24, 0.76)),
                                  [f["whole"] for f in faces] + [f["glow"] for f in faces if "glow" in f])
                if sign:
                    draw_sign(mid, text, *sign, req.language)
        atomic.write_text(Path(out_dir) / "layout.json", json.dumps(
            {"sign": sign_box(*sign) if sign else None, "figures": [f["whole"] for f in faces]}))
        mood = req.shot.mood or req.scene.mood
        bg = _grade(bg, mood)
        mid = _grade(mid, mood)
        paths = []
        for name, im in (("background", bg), ("midground", mid), ("characters", chars)):
            p = Path(out_dir) / f"{name}.png"
            im.save(p, compress_level=1)
            paths.append(p)
        # the vignette depends on the size and its strength alone: drawn and encoded once a process (issue 36)
        paths.append(Path(out_dir) / "foreground.png")
        paths[-1].write_bytes(_vignette_png(W, H, _vignette_strength(mood, tod)))
        # where each face's eyes and mouth are, for the animator's blinks and lip movement
        atomic.write_text(Path(out_dir) / "faces.json", json.dumps(faces))
        return tuple(paths)

    def reference(self, req: ReferenceRequest, out_dir: Path) -> Path:
        """A character's sheet: the figure alone, facing the camera, calm, on a plain ground (reference.png),
        with its layer (characters.png) and its box (faces.json), as in a shot. The consistency check compares
        each shot's figure with it. Places have no sheet: the procedural places are drawn from the scene."""
        from ..errors import ProviderError
        if req.kind != "character" or req.character is None:
            raise ProviderError(f"the procedural illustrator draws no reference of the place {req.name!r}; put a "
                                f"picture of it in takes/ or use an image model")
        W, H = req.size
        S = 2
        layer = Image.new("RGBA", (W * S, H * S), (0, 0, 0, 0))
        if req.character.look.get("aura"):
            aura(layer, W * S / 2, H * S * 0.3 + min(W, H) * S * 0.48, min(W, H) * S * 0.45, req.character.look["aura"])
        face = _figure(ImageDraw.Draw(layer), W * S / 2, H * S * 0.3, min(W, H) * S * 0.3, req.character, "neutral",
                       0, S, W * S, bottom=H * S)
        layer = layer.reduce(S)
        out = Path(out_dir)
        layer.save(out / "characters.png", compress_level=1)
        sheet = Image.new("RGBA", (W, H), (236, 232, 224, 255))
        sheet.alpha_composite(layer)
        sheet.convert("RGB").save(out / "reference.png", compress_level=1)
        body = [round(min(max(v / S, 0), (W, H)[k % 2]), 1) for k, v in enumerate(face["body"])]
        atomic.write_text(out / "faces.json", json.dumps([{"name": req.character.name, "body": body}]))
        return out / "reference.png"

    # -- layers ----------------------------------------------------------------------------------
    def _background(self, W, H, horizon, setting, tod, rng, nrng) -> Image.Image:
        top, low = SKY[tod]
        if setting in INTERIORS:
            wall = {"temple": (150, 60, 50), "palace": (170, 130, 60), "office": (120, 130, 140), "tavern": (110, 75, 45),
                    "hut": (125, 95, 65), "lighthouse": (150, 150, 140)}[setting]
            dark = _mix(wall, (0, 0, 0), 0.45 if tod != "night" else 0.7)
            arr = _gradient(W, H, dark, _mix(wall, (255, 230, 200), 0.1), nrng)
            im = Image.fromarray(arr.astype(np.uint8), "RGB").convert("RGBA")
            d = ImageDraw.Draw(im)
            # a window showing the sky
            wx, wy, ww, wh = int(W * rng.uniform(0.15, 0.6)), int(H * 0.18), int(W * 0.28), int(H * 0.2)
            sky = _gradient(ww, wh, top, low, nrng).astype(np.uint8)
            im.paste(Image.fromarray(sky, "RGB"), (wx, wy))
            d.rectangle([wx, wy, wx + ww, wy + wh], outline=_mix(wall, (0, 0, 0), 0.6), width=max(6, W // 120))
            d.line([wx + ww // 2, wy, wx + ww // 2, wy + wh], fill=_mix(wall, (0, 0, 0), 0.6), width=max(4, W // 200))
            if setting in ("temple", "palace"):
                for k in range(4):
                    x = int(W * (0.08 + 0.28 * k))
                    d.rectangle([x, int(H * 0.08), x + W // 14, horizon + H // 10], fill=_mix(wall, (60, 10, 10), 0.35))
            return im
        arr = _gradient(W, horizon, top, low, nrng)
        im = Image.new("RGBA", (W, H), (0, 0, 0, 0))
        im.paste(Image.fromarray(arr.astype(np.uint8), "RGB"), (0, 0))
        d = ImageDraw.Draw(im)
        if tod == "night":
            for _ in range(160):
                x, y = rng.randrange(W), rng.randrange(int(horizon * 0.8))
                r = rng.choice((1, 1, 2, 3))
                d.ellipse([x - r, y - r, x + r, y + r], fill=(255, 255, 230, rng.randrange(120, 255)))
            mx, my, mr = int(W * 0.75), int(H * 0.14), W // 14
            d.ellipse([mx - mr, my - mr, mx + mr, my + mr], fill=(245, 240, 215))
        else:
            sx = int(W * rng.uniform(0.2, 0.8))
            sy = int(horizon * (0.85 if tod in ("dawn", "dusk") else 0.25))
            for r, a in ((W // 5, 40), (W // 9, 90), (W // 16, 255)):
                d.ellipse([sx - r, sy - r, sx + r, sy + r], fill=(255, 240, 200, a))
            for _ in range(rng.randrange(2, 6)):  # clouds
                cx, cy, cw = rng.randrange(W), rng.randrange(int(horizon * 0.6)), rng.randrange(W // 6, W // 3)
                for k in range(5):
                    ox = cx + (k - 2) * cw // 4
                    d.ellipse([ox - cw // 4, cy - cw // 8, ox + cw // 4, cy + cw // 8], fill=(255, 255, 255, 70))
        far = _mix(low, (40, 50, 70), 0.55)
        if setting in ("mountain", "village", "forest", "river"):
            pts = [(0, horizon)]
            x = 0
            while x < W:
                x += rng.randrange(W // 10, W // 4)
                peak = horizon - rng.randrange(H // 20, H // (5 if setting == "mountain" else 9))
                pts += [(x - W // 12, peak), (x, horizon - H // 40)]
            pts += [(W, horizon), (W, horizon + 2), (0, horizon + 2)]
            d.polygon(pts, fill=far)
            if setting == "mountain":
                for px, py in pts[1:-3:2]:
                    d.polygon([(px - W // 40, py + H // 40), (px, py), (px + W // 40, py + H // 40)], fill=(240, 245, 250))
        elif setting == "city":
            x = 0
            while x < W:
                bw, bh = rng.randrange(W // 12, W // 6), rng.randrange(H // 10, H // 3)
                d.rectangle([x, horizon - bh, x + bw, horizon], fill=_mix(far, (20, 20, 30), 0.4))
                for wy in range(horizon - bh + 20, horizon - 20, 40):
                    for wx in range(x + 10, x + bw - 10, 30):
                        if rng.random() < (0.5 if tod == "night" else 0.15):
                            d.rectangle([wx, wy, wx + 12, wy + 18], fill=(255, 220, 120))
                x += bw + rng.randrange(4, 20)
        return im

    def _midground(self, W, H, horizon, setting, tod, rng) -> Image.Image:
        im = Image.new("RGBA", (W, H), (0, 0, 0, 0))
        d = ImageDraw.Draw(im)
        dark = 0.55 if tod == "night" else (0.25 if tod in ("dawn", "dusk") else 0.0)
        if setting in INTERIORS:
            floor = {"temple": (90, 50, 40), "palace": (120, 90, 50), "office": (80, 85, 95), "tavern": (90, 60, 35),
                     "hut": (100, 75, 50), "lighthouse": (110, 110, 100)}[setting]
            floor = _mix(floor, (0, 0, 0), dark * 0.6)
            d.rectangle([0, horizon, W, H], fill=floor)
            for k in range(0, W, W // 8):
                d.line([k, horizon, k + (k - W // 2) // 2, H], fill=_mix(floor, (0, 0, 0), 0.25), width=3)
            if setting in ("hut", "tavern"):  # a table and a lamp
                tx = int(W * rng.uniform(0.55, 0.75))
                d.rectangle([tx, horizon + H // 40, tx + W // 4, horizon + H // 30 + 20], fill=(70, 45, 25))
                d.ellipse([tx + W // 10, horizon - H // 25, tx + W // 10 + W // 20, horizon], fill=(255, 200, 90, 230))
            if setting == "office":
                d.rectangle([int(W * 0.6), horizon, int(W * 0.95), horizon + H // 30], fill=(60, 60, 70))
                d.rectangle([int(W * 0.68), horizon - H // 12, int(W * 0.85), horizon], fill=(30, 40, 60))
            return im
        ground = {"sea": (200, 180, 130), "river": (90, 120, 70), "mountain": (110, 120, 110), "forest": (50, 90, 50),
                  "city": (70, 70, 80), "village": (130, 115, 80), "lighthouse": (160, 150, 120)}.get(setting, (110, 110, 80))
        ground = _mix(ground, (10, 10, 30), dark)
        d.rectangle([0, horizon, W, H], fill=ground)
        if setting in ("sea", "river", "lighthouse"):
            water = _mix((40, 90, 130), (5, 10, 30), dark)
            top = horizon
            bottom = min(horizon + (H // 5 if setting == "river" else H // 4), int(H * WATER_TO))
            d.rectangle([0, top, W, bottom], fill=water)
            for y in range(top + 10, bottom, 22):
                for x in range(rng.randrange(0, 60), W, 120):
                    d.arc([x, y, x + 70, y + 16], 200, 340, fill=_mix(water, (255, 255, 255), 0.35), width=3)
        if setting in ("village", "river"):
            for k in range(rng.randrange(2, 4)):
                hx = int(W * rng.uniform(0.0, 0.85))
                hy = horizon + (H // 5 if setting == "river" else H // 60)
                hw, hh = W // 5, H // 14
                wall = _mix((180, 150, 110), (10, 10, 30), dark)
                d.rectangle([hx, hy - hh, hx + hw, hy], fill=wall)
                d.polygon([(hx - 15, hy - hh), (hx + hw // 2, hy - hh - hh // 1.5), (hx + hw + 15, hy - hh)],
                          fill=_mix((120, 50, 40), (10, 10, 30), dark))
                d.rectangle([hx + hw // 2 - 15, hy - hh // 2, hx + hw // 2 + 15, hy], fill=(60, 40, 30))
        if setting in ("forest", "mountain", "village"):
            n = 9 if setting == "forest" else 4
            for _ in range(n):
                tx = rng.randrange(-40, W)
                ty = horizon + rng.randrange(0, H // 12)
                th = rng.randrange(H // 8, H // 4)
                trunk = _mix((80, 55, 35), (0, 0, 0), dark)
                leaf = _mix((40, 110 + rng.randrange(40), 50), (0, 10, 20), dark)
                d.rectangle([tx - 8, ty - th // 3, tx + 8, ty], fill=trunk)
                d.polygon([(tx - th // 4, ty - th // 3), (tx, ty - th), (tx + th // 4, ty - th // 3)], fill=leaf)
        if setting == "city":
            d.rectangle([0, horizon + H // 30, W, horizon + H // 30 + 6], fill=(230, 230, 120))
            for k in range(3):
                px = int(W * (0.15 + 0.35 * k))
                d.rectangle([px, horizon - H // 6, px + 8, horizon + H // 30], fill=(40, 40, 45))
                d.ellipse([px - 20, horizon - H // 6 - 20, px + 28, horizon - H // 6 + 10],
                          fill=(255, 230, 150, 255 if tod in ("night", "dusk") else 120))
        if setting == "lighthouse":
            lx = int(W * 0.7)
            d.polygon([(lx - 40, horizon), (lx - 25, horizon - H // 4), (lx + 25, horizon - H // 4), (lx + 40, horizon)], fill=(235, 235, 230))
            d.rectangle([lx - 30, horizon - H // 4 - 40, lx + 30, horizon - H // 4], fill=(255, 220, 120))
        return im

    # -- characters ------------------------------------------------------------------------------
    def _characters(self, req: DrawRequest, W, H) -> tuple[Image.Image, list[dict]]:
        S = 2  # draw at 2x, then downscale: anti-aliased edges
        faces: list[dict] = []
        layer = Image.new("RGBA", (W * S, H * S), (0, 0, 0, 0))
        d = ImageDraw.Draw(layer)
        chars = list(req.characters)
        cam = req.shot.camera
        unit = min(W, H)
        lines = {ln.speaker: ln for ln in req.shot.lines}
        props = props_in(req.shot.action)
        if cam == "insert" or not chars:
            if cam == "insert" and props:  # the prop the action names, filling the insert
                draw_prop(d, props[0], W * S / 2, H * S * 0.45, unit * S * 0.2)
            elif cam == "insert":
                cx, cy, r = W * S // 2, int(H * S * 0.45), unit * S // 6
                d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(200, 160, 60), outline=(90, 60, 20), width=S * 8)
                d.ellipse([cx - r // 3, cy - r // 3, cx + r // 3, cy + r // 3], fill=(250, 220, 120))
            elif props:  # nobody in the shot: the prop lies in the foreground
                draw_prop(d, props[0], W * S / 2, H * S * 0.74, unit * S * 0.09)
            return layer.reduce(S), faces
        # the speaker is placed first (nearest the centre), the others around
        if req.speaking in [c.name for c in chars]:
            chars.sort(key=lambda c: c.name != req.speaking)
        if cam == "close-up":
            chars = chars[:1]
        elif cam in ("medium", "over-the-shoulder"):
            chars = chars[:3]
        else:
            chars = chars[:4]
        n = len(chars)
        feet = None
        if cam == "wide":  # standing on the ground near the bottom of the frame, using its height, faces above
            head = min(H * 0.085, W * (1 - 2 * SAFE) / max(n, 1) / 2 / 2.1)  # half a slot: the widest figure (huge, cloaked) is 2.1 heads
            drop = head * min(size * below for size, below in map(_stature, chars))  # the lowest face to the feet
            feet = min(H * GROUND, H * FACES_ABOVE + drop)  # the subtitles' band (a vertical frame's lower third)
        elif cam == "close-up":
            head = unit * 0.29
            face_y = H * (0.36 if H > W else 0.40)
        else:
            head = unit * (0.16 if n == 1 else 0.13)
            face_y = H * (0.38 if H > W else 0.40)
        spread = W * (0.62 if n > 1 else 0.0)
        order = list(range(n))
        for slot, idx in enumerate(order):
            c = chars[idx]
            if cam == "wide":  # each figure in its own slot of the safe area, none cut by a camera move
                x = W * SAFE + (slot + 0.5) * W * (1 - 2 * SAFE) / n
            else:
                x = W / 2 if n == 1 else W / 2 - spread / 2 + spread * slot / (n - 1)
            ln = lines.get(c.name)
            expr = expression_of(ln.text if ln else req.shot.action, ln.parenthetical if ln else "")
            facing = 0 if n == 1 else (1 if x < W / 2 else -1)
            if cam == "over-the-shoulder" and slot == 0 and n > 1:
                continue
            # a huge character towers in wide and medium shots; a close-up frames the face, which must stay
            # inside the safe area like anyone's, so there the size shows in the shoulders alone
            grow = 1.25 if c.look.get("build") == "huge" and cam != "close-up" else 1.0
            size, below = _stature(c)
            if cam != "close-up":
                grow *= size
            h_ = head * S * grow
            cy_ = face_y * S if feet is None else feet * S - h_ * below
            glow = None
            if c.look.get("aura"):
                r = min(h_ * 2.1, W * S * 0.45)
                aura(layer, x * S, cy_ + h_ * 1.7, r, c.look["aura"])
                glow = [x * S - r * 1.2, cy_ + h_ * 1.7 - r * 1.62, x * S + r * 1.2, cy_ + h_ * 1.7 + r * 1.62]
            if feet is not None:  # its shadow on the ground
                d.ellipse([x * S - h_ * 1.1, feet * S - h_ * 0.16, x * S + h_ * 1.1, feet * S + h_ * 0.16], fill=(0, 0, 0, 70))
            face = _figure(d, x * S, cy_, h_, c, expr, facing, S, W * S,
                           feet=feet * S if feet is not None else None, bottom=H * S)
            hx, hy, hr = face["hand"]
            if props and not faces and hy + hr < H * S:  # the first one drawn holds the prop, hand in frame
                draw_prop(d, props[0], hx, hy - hr * 0.6, head * S * grow * 0.3)
            faces.append({"name": c.name, "expression": expr, "skin": face["skin"],
                          "eyes": [[round(v / S, 1) for v in eye] for eye in face["eyes"]],
                          "mouth": [round(v / S, 1) for v in face["mouth"]], "line_width": round(face["line_width"] / S, 1),
                          "body": [round(min(max(v / S, 0), (W, H)[k % 2]), 1) for k, v in enumerate(face["body"])],
                          "hand": [round(v / S, 1) for v in face["hand"]],
                          "whole": [round(min(max(v / S, 0), (W, H)[k % 2]), 1) for k, v in enumerate(face["whole"])],
                          **({"glow": [round(v / S, 1) for v in glow]} if glow else {})})
        if cam == "over-the-shoulder" and n > 1:  # the listener's shoulder and back of head, large, in the corner
            c = chars[0]
            hx, hy, hr = W * S * 0.12, H * S * 0.62, unit * S * 0.2
            d.ellipse([hx - hr * 1.8, hy + hr * 0.6, hx + hr * 1.8, hy + hr * 4], fill=_rgb(c.palette[0] if c.palette else "", (90, 90, 90)))
            d.ellipse([hx - hr, hy - hr * 1.2, hx + hr, hy + hr * 1.2], fill=_rgb(c.look.get("hair_colour", ""), (30, 30, 30)))
        return layer.reduce(S), faces


COSTUME_WORDS = [  # a costume's words (en, fr, zh) -> the parts the figure draws
    ("spacesuit", ("space suit", "spacesuit", "combinaison spatiale", "宇航服")),
    ("armour", ("armour", "armor", "mail", "armure", "盔甲", "铠甲")),
    ("cloak", ("cloak", "cape", "mantle", "斗篷", "披风")),
    ("hood", ("hood", "capuche", "兜帽")),
    ("long", ("robe", "gown", "dress", "kimono", "habit", "袍", "裙", "长衫")),
    ("coat", ("coat", "jacket", "trench", "blazer", "manteau", "veste", "外套", "大衣", "夹克")),
    ("apron", ("apron", "tablier", "围裙")),
    ("uniform", ("uniform", "scrubs", "suit", "uniforme", "costume", "制服", "西装")),
    ("overalls", ("overalls", "salopette", "工装")),
    ("tunic", ("tunic", "tunique", "smock", "短衫")),
    ("knit", ("cardigan", "sweater", "jersey", "jumper", "shawl", "pull", "gilet", "châle", "毛衣", "披肩")),
    ("tophat", ("top hat", "haut-de-forme", "礼帽")),
    ("pointed", ("pointed hat", "chapeau pointu", "witch", "尖帽")),
    ("cap", ("cap", "casquette", "toque", "帽子")),
    ("hat", ("hat", "chapeau", "bonnet", "帽")),
]
STEEL_GREY = (150, 158, 170)
BANDAGE = (246, 244, 236)
INJURY_WORDS = ("injur", "hurt", "wound", "bandag", "sling", "broken arm", "blessé", "blessure", "bandé", "受伤", "伤",
                "绷带")


def injured_side(state: str) -> int:
    """Which arm a state's injury bandages (the figure's left is the picture's right): 1, -1, or 0 for none."""
    low = (state or "").lower()
    if not any(w in low for w in INJURY_WORDS):
        return 0
    return -1 if any(w in low for w in ("right", "droit", "右")) else 1


def costume_parts(costume: str) -> set[str]:
    """What of the costume the figure draws: {"cloak", "coat", "armour", "apron", "long", "tophat", ...}."""
    low = costume.lower()
    parts: set[str] = set()
    for part, words in COSTUME_WORDS:
        if any(w in low for w in words):
            if part in ("tophat", "pointed", "cap", "hat") and parts & {"tophat", "pointed", "cap", "hat"}:
                continue  # one hat
            parts.add(part)
    if "space suit" in low or "spacesuit" in low:
        parts.discard("uniform")
    return parts


def aura(layer: Image.Image, cx: float, cy: float, r: float, colour: str) -> None:
    """A being's glow, meant to be seen: a soft halo (blurred, brightest at the figure), a crisp ring round it
    and motes, drawn on `layer` before the figure. Only the halo's own box is drawn (and its soft part at a
    quarter of the size): a full-frame blur cost half a second a shot."""
    from PIL import ImageFilter
    a = _rgb(colour, (120, 200, 255))
    x0, y0 = max(0, int(cx - r * 1.4)), max(0, int(cy - r * 1.9))
    x1, y1 = min(layer.width, int(cx + r * 1.4) + 1), min(layer.height, int(cy + r * 1.9) + 1)
    if x1 <= x0 or y1 <= y0:
        return
    cx, cy, q = cx - x0, cy - y0, 4
    small = Image.new("RGBA", (max(1, (x1 - x0) // q), max(1, (y1 - y0) // q)), (0, 0, 0, 0))
    g = ImageDraw.Draw(small)
    for k, alpha in ((1.0, 80), (0.78, 110), (0.55, 150)):
        g.ellipse([(cx - r * k) / q, (cy - r * k * 1.35) / q, (cx + r * k) / q, (cy + r * k * 1.35) / q], fill=a + (alpha,))
    glow = small.filter(ImageFilter.GaussianBlur(r * 0.16 / q)).resize((x1 - x0, y1 - y0), Image.BILINEAR)
    g = ImageDraw.Draw(glow)
    for k, alpha in ((0.98, 180), (1.06, 100)):  # a crisp ring round the halo: drawn on purpose, not a smear
        g.ellipse([cx - r * k, cy - r * k * 1.35, cx + r * k, cy + r * k * 1.35], outline=_mix(a, (255, 255, 255), 0.5) + (alpha,),
                  width=max(2, int(r * 0.02)))
    rng = random.Random(f"{cx + x0:.0f}|{cy + y0:.0f}|{colour}")
    for _ in range(26):
        ang, dist = rng.uniform(0, 2 * math.pi), rng.uniform(0.75, 1.15)
        mx, my, mr = cx + math.cos(ang) * r * dist, cy + math.sin(ang) * r * dist * 1.35, r * rng.uniform(0.012, 0.03)
        g.ellipse([mx - mr, my - mr, mx + mr, my + mr], fill=_mix(a, (255, 255, 255), 0.6) + (190,))
    layer.alpha_composite(glow, dest=(x0, y0))


def _stature(c: Character) -> tuple[float, float]:
    """(head size against an adult's, face centre to feet in its own heads): what _figure draws for its age."""
    return (0.82, 3.7) if c.look.get("age") == "child" else (1.0, 4.5)


def _figure(d: ImageDraw.ImageDraw, cx: float, cy: float, head: float, c: Character, expr: str, facing: int, S: int,
            width: float = float("inf"), feet: float | None = None, bottom: float | None = None) -> dict:
    """A character: body, costume, head, hair, eyes, brows and mouth from the bible entry. The body reaches
    down to `feet` (legs and shoes standing there: a wide shot) or past `bottom` (the frame's lower edge: a
    closer shot frames the figure from the waist or the chest). Returns where the eyes ([x, y, rx, ry]
    each) and the mouth ([x, y, half width]) are, the skin colour, the box of head and shoulders (x0, y0,
    x1, y1; the animator's breathing moves what is inside it) and the box of the whole figure. Shoulders
    never reach wider than 90% of `width`."""
    look = c.look
    skin = _rgb(look.get("skin", ""), (230, 190, 160))
    hair = _rgb(look.get("hair_colour", ""), (40, 30, 20))
    eyes = _rgb(look.get("eyes", ""), (50, 40, 30))
    cloth = _rgb(c.palette[0] if c.palette else "", (90, 90, 120))
    accent = _rgb(c.palette[1] if len(c.palette) > 1 else "", (220, 220, 220))
    parts = costume_parts(c.costume or "")
    if "armour" in parts:
        cloth = _mix(STEEL_GREY, cloth, 0.2)
    if "spacesuit" in parts:
        cloth, accent = (235, 236, 240), _mix(cloth, (255, 255, 255), 0.3)
    face = look.get("face", "oval")
    hw = head * {"round": 0.5, "square": 0.48, "long": 0.4, "heart": 0.46}.get(face, 0.44)
    hh = head * {"round": 0.5, "square": 0.5, "long": 0.6, "heart": 0.52}.get(face, 0.54)
    build = {"slim": 0.85, "average": 1.0, "broad": 1.25, "small": 0.8, "huge": 1.4}.get(look.get("build", ""), 1.0)
    female, age = look.get("gender") == "f", look.get("age", "adult")
    if age == "elder":  # greying, a little stooped
        hair = _mix(hair, (214, 214, 210), 0.6)
    style = look.get("hair", "short")
    # body in storybook proportions (a big head on a small body); a child's is shorter, a woman's narrower
    sw = min(hw * (1.35 if female else 1.5) * build, width * 0.45 / 1.2)  # half the shoulder width
    top = cy + hh * 0.9  # the shoulder line
    body_h = head * {"child": 1.9, "elder": 2.3}.get(age, 2.5)
    waist = sw * (0.72 if female else 0.8)
    hip = top + body_h
    long_ = "long" in parts
    end = feet if feet is not None else (bottom if bottom is not None else hip + head * 2) + head  # lowest point drawn
    knee = hip + (end - hip) * 0.5 if feet is not None else end
    sleeve = _mix(cloth, (0, 0, 0), 0.18)
    shade = _mix(skin, (0, 0, 0), 0.12)
    dark = _mix(cloth, (0, 0, 0), 0.45)
    over = _mix(accent, (0, 0, 0), 0.35)  # a cloak's or a coat's colour: the palette's second, deepened
    if "hood" in parts or "cloak" in parts:  # behind everything: the cloak's fall and the hood around the head
        cape = _mix(over, (20, 20, 30), 0.25)
        if "cloak" in parts:
            d.polygon([(cx - sw * 1.05, top + hh * 0.1), (cx + sw * 1.05, top + hh * 0.1),
                       (cx + sw * 1.55, min(end, hip + (end - hip) * 0.8)), (cx - sw * 1.55, min(end, hip + (end - hip) * 0.8))],
                      fill=cape)
        if "hood" in parts:
            d.ellipse([cx - hw * 1.35, cy - hh * 1.3, cx + hw * 1.35, cy + hh * 1.25], fill=cape)
    if style in ("long", "braid", "pigtails", "bob") and "hood" not in parts:  # hair behind the head and shoulders
        length = {"long": 2.2, "braid": 2.6, "pigtails": 1.5, "bob": 1.15}[style]
        d.rounded_rectangle([cx - hw * 1.1, cy - hh * 0.9, cx + hw * 1.1, cy + hh * length], radius=hw * 0.6, fill=hair)
    # below the waist: a long robe or dress to the ground; else legs (trousers, or a skirt over them)
    leg = (STEEL_GREY if "armour" in parts else cloth if parts & {"spacesuit", "overalls"} else
           _mix(cloth, (30, 30, 40), 0.55) if not female or "uniform" in parts else shade)  # trousers, or bare legs
    shoe = (45, 35, 30)
    if long_:
        hem = end if feet is None else feet - head * 0.12
        d.polygon([(cx - waist, hip - head * 0.1), (cx + waist, hip - head * 0.1), (cx + waist * 1.7, hem),
                   (cx - waist * 1.7, hem)], fill=cloth)
        if feet is not None:
            d.rectangle([cx - waist * 1.7, hem - head * 0.12, cx + waist * 1.7, hem], fill=accent)  # the hem's trim
            for side in (-1, 1):
                d.ellipse([cx + side * waist * 0.7 - sw * 0.3, feet - head * 0.2, cx + side * waist * 0.7 + sw * 0.3, feet],
                          fill=shoe)
    else:
        lw_ = sw * (0.32 if female else 0.38)
        for side in (-1, 1):
            lx = cx + side * waist * 0.5
            d.rectangle([lx - lw_, hip - head * 0.1, lx + lw_, end - (head * 0.15 if feet is not None else 0)], fill=leg)
            if feet is not None:
                d.ellipse([lx - lw_ * 1.25, feet - head * 0.24, lx + lw_ * 1.45, feet], fill=shoe)
        if female and not parts & {"uniform", "armour", "spacesuit", "overalls"}:  # a skirt to the knee
            d.polygon([(cx - waist, hip - head * 0.1), (cx + waist, hip - head * 0.1), (cx + waist * 1.45, knee),
                       (cx - waist * 1.45, knee)], fill=_mix(cloth, accent, 0.15))
    if age == "elder" and feet is not None:  # a walking stick, in the hand away from the middle
        sx = cx - (-facing or 1) * sw * 1.05
        d.line([(sx, top + body_h * 0.7), (sx - (-facing or 1) * sw * 0.15, feet)], fill=(96, 66, 40), width=max(2, int(sw * 0.1)))
    for side in (-1, 1):  # arms hang a little outside the torso, hands below the sleeves
        ax = cx + side * sw * 0.95
        d.rounded_rectangle([ax - sw * 0.24, top + hh * 0.05, ax + sw * 0.24, top + body_h * 0.72], radius=sw * 0.22,
                            fill=STEEL_GREY if "armour" in parts else sleeve)
        d.ellipse([ax - sw * 0.2, top + body_h * 0.66, ax + sw * 0.2, top + body_h * 0.66 + sw * 0.42], fill=skin)
        if side == injured_side(getattr(c, "state", "")):  # the state in force (the bible's changes): a bandage
            for k in (0.3, 0.42, 0.54):
                d.rectangle([ax - sw * 0.27, top + body_h * k, ax + sw * 0.27, top + body_h * (k + 0.08)],
                            fill=BANDAGE)
    coat_to = min(end, hip + (end - hip) * 0.55) if "coat" in parts else hip
    d.rounded_rectangle([cx - sw, top, cx + sw, top + sw * 1.1], radius=sw * 0.5, fill=cloth)  # rounded shoulders
    d.polygon([(cx - sw, top + sw * 0.5), (cx + sw, top + sw * 0.5), (cx + waist * (1.15 if "coat" in parts else 1), coat_to),
               (cx - waist * (1.15 if "coat" in parts else 1), coat_to)], fill=cloth)
    if "coat" in parts:  # lapels, buttons, the opening down the front
        d.line([(cx, top + hh * 0.3), (cx, coat_to)], fill=dark, width=max(2, int(sw * 0.05)))
        for side in (-1, 1):
            d.polygon([(cx, top + hh * 0.35), (cx + side * sw * 0.55, top), (cx + side * sw * 0.3, top + body_h * 0.35)], fill=dark)
        for k in range(3):
            by = top + body_h * (0.35 + k * 0.2)
            d.ellipse([cx - sw * 0.07 - sw * 0.12, by - sw * 0.06, cx - sw * 0.07, by + sw * 0.06], fill=accent)
    elif "armour" in parts:  # plates across the chest, round pauldrons on the shoulders
        for k in range(1, 4):
            py = top + body_h * k * 0.22
            d.line([(cx - sw * 0.85, py), (cx + sw * 0.85, py)], fill=_mix(STEEL_GREY, (0, 0, 0), 0.4), width=max(2, int(sw * 0.06)))
        for side in (-1, 1):
            d.ellipse([cx + side * sw * 0.95 - sw * 0.42, top - sw * 0.15, cx + side * sw * 0.95 + sw * 0.42, top + sw * 0.55],
                      fill=_mix(STEEL_GREY, (255, 255, 255), 0.25), outline=_mix(STEEL_GREY, (0, 0, 0), 0.4))
    elif "spacesuit" in parts:  # the helmet's ring at the neck and the suit's control panel
        d.rectangle([cx - sw * 0.35, top + body_h * 0.3, cx + sw * 0.35, top + body_h * 0.5], fill=(90, 110, 140))
    elif "uniform" in parts:  # a collar, and a pocket
        for side in (-1, 1):
            d.polygon([(cx, top + hh * 0.35), (cx + side * sw * 0.45, top), (cx + side * sw * 0.2, top + hh * 0.5)], fill=(240, 240, 240))
        d.rectangle([cx + sw * 0.3, top + body_h * 0.3, cx + sw * 0.65, top + body_h * 0.45], outline=dark, width=max(2, int(sw * 0.04)))
    elif "knit" in parts:  # ribbing and buttons down the front
        d.line([(cx, top + hh * 0.3), (cx, hip)], fill=dark, width=max(2, int(sw * 0.05)))
        d.rectangle([cx - waist, hip - head * 0.22, cx + waist, hip], fill=_mix(cloth, (0, 0, 0), 0.25))
    else:  # a sash across a tunic or a robe
        d.polygon([(cx - sw * 0.85, top + body_h * 0.12), (cx - sw * 0.55, top + body_h * 0.04),
                   (cx + waist * 0.95, top + body_h * 0.8), (cx + waist * 0.65, top + body_h * 0.9)], fill=accent)
    if "overalls" in parts:  # the bib and its straps
        d.rectangle([cx - sw * 0.5, top + body_h * 0.35, cx + sw * 0.5, hip], fill=_mix(cloth, (30, 60, 120), 0.5))
    if "apron" in parts:  # white, from the chest to the knees, with its neck strap
        a_to = min(end, hip + (end - hip) * 0.45)
        d.rectangle([cx - sw * 0.6, top + body_h * 0.22, cx + sw * 0.6, a_to], fill=(246, 244, 238))
        d.line([(cx - sw * 0.5, top + body_h * 0.22), (cx, top - hh * 0.05), (cx + sw * 0.5, top + body_h * 0.22)],
               fill=(246, 244, 238), width=max(2, int(sw * 0.08)))
    if "cloak" in parts:  # the clasp
        d.ellipse([cx - sw * 0.12, top + hh * 0.05, cx + sw * 0.12, top + hh * 0.3], fill=BRASS)
    d.rectangle([cx - hw * 0.3, cy + hh * 0.6, cx + hw * 0.3, top + hh * 0.12], fill=shade)  # neck
    if "spacesuit" in parts:
        d.ellipse([cx - hw * 0.75, top - hh * 0.2, cx + hw * 0.75, top + hh * 0.35], fill=(150, 160, 175))
    d.polygon([(cx - hw * 0.42, top - hh * 0.02), (cx + hw * 0.42, top - hh * 0.02), (cx, top + hh * 0.42)], fill=shade)
    d.ellipse([cx - hw, cy - hh, cx + hw, cy + hh], fill=skin)
    ex = cx + facing * hw * 0.12
    # hair on top (a hood hides it), then the hat
    if style != "bald" and "hood" not in parts:
        d.chord([cx - hw * 1.06, cy - hh * 1.1, cx + hw * 1.06, cy + hh * 0.35], 180, 360, fill=hair)
    if style == "bun" and "hood" not in parts:
        d.ellipse([cx - hw * 0.45, cy - hh * 1.55, cx + hw * 0.45, cy - hh * 0.7], fill=hair)
    if style == "spiky" and "hood" not in parts:
        for k in range(-2, 3):
            bx = cx + k * hw * 0.4
            d.polygon([(bx - hw * 0.25, cy - hh * 0.8), (bx + k * hw * 0.1, cy - hh * 1.45), (bx + hw * 0.25, cy - hh * 0.8)], fill=hair)
    if style == "pigtails":
        for side in (-1, 1):
            d.ellipse([cx + side * hw * 1.05 - hw * 0.3, cy - hh * 0.2, cx + side * hw * 1.05 + hw * 0.3, cy + hh * 0.5], fill=hair)
    if look.get("age") == "elder" and not female:
        d.chord([cx - hw * 0.8, cy + hh * 0.1, cx + hw * 0.8, cy + hh * 1.25], 0, 180, fill=hair)
    hat_top = cy - hh * 1.1
    hat = _mix(over, (0, 0, 0), 0.3)
    if "tophat" in parts:
        d.rectangle([cx - hw * 0.7, cy - hh * 2.3, cx + hw * 0.7, cy - hh * 0.75], fill=(30, 28, 32))
        d.rectangle([cx - hw * 0.7, cy - hh * 1.05, cx + hw * 0.7, cy - hh * 0.85], fill=(150, 30, 40))
        d.ellipse([cx - hw * 1.35, cy - hh * 0.95, cx + hw * 1.35, cy - hh * 0.6], fill=(30, 28, 32))
        hat_top = cy - hh * 2.3
    elif "pointed" in parts:
        d.polygon([(cx - hw * 0.85, cy - hh * 0.8), (cx + hw * 0.2, cy - hh * 2.9), (cx + hw * 0.85, cy - hh * 0.8)], fill=hat)
        d.ellipse([cx - hw * 1.6, cy - hh * 1.0, cx + hw * 1.6, cy - hh * 0.6], fill=hat)
        hat_top = cy - hh * 2.9
    elif "cap" in parts:
        white = any(k in (c.costume or "").lower() for k in ("white", "blanc", "白", "toque"))
        d.chord([cx - hw * 1.02, cy - hh * 1.25, cx + hw * 1.02, cy - hh * 0.35], 180, 360, fill=(248, 248, 245) if white else hat)
        if white:  # a baker's or cook's tall cap
            d.ellipse([cx - hw * 1.0, cy - hh * 1.9, cx + hw * 1.0, cy - hh * 0.85], fill=(248, 248, 245))
            hat_top = cy - hh * 1.9
        else:
            d.ellipse([cx + facing * hw * 0.3 - hw * 0.9, cy - hh * 0.9, cx + facing * hw * 0.3 + hw * 0.9, cy - hh * 0.65], fill=hat)
    elif "hat" in parts:
        d.chord([cx - hw * 0.9, cy - hh * 1.6, cx + hw * 0.9, cy - hh * 0.4], 180, 360, fill=hat)
        d.ellipse([cx - hw * 1.45, cy - hh * 1.05, cx + hw * 1.45, cy - hh * 0.72], fill=hat)
        hat_top = cy - hh * 1.6
    # eyes
    eye_dx, eye_y, er = hw * 0.42, cy - hh * 0.05, hw * 0.2
    open_ = {"surprised": 1.25, "afraid": 1.3, "angry": 0.7, "sad": 0.8, "happy": 0.85}.get(expr, 1.0)
    for side in (-1, 1):
        x = ex + side * eye_dx
        d.ellipse([x - er, eye_y - er * 0.75 * open_, x + er, eye_y + er * 0.75 * open_], fill=(250, 250, 250))
        d.ellipse([x - er * 0.55 + facing * er * 0.3, eye_y - er * 0.55, x + er * 0.55 + facing * er * 0.3, eye_y + er * 0.55], fill=eyes)
        d.ellipse([x - er * 0.22 + facing * er * 0.3, eye_y - er * 0.22, x + er * 0.22 + facing * er * 0.3, eye_y + er * 0.22], fill=(10, 10, 10))
        # brows
        tilt = {"angry": 0.35, "sad": -0.3, "afraid": -0.35, "surprised": 0.0}.get(expr, 0.0)
        by = eye_y - er * (1.7 if expr in ("surprised", "afraid") else 1.35)
        inner, outer = x - side * er, x + side * er * 1.1
        d.line([(outer, by - tilt * er * -1), (inner, by + tilt * er)], fill=_mix(hair, (0, 0, 0), 0.3), width=max(2, int(er * 0.35)))
    # mouth
    my, mw = cy + hh * 0.5, hw * 0.42
    line_w = max(2, int(hw * 0.07))
    if expr == "happy":
        d.arc([ex - mw, my - mw * 0.7, ex + mw, my + mw * 0.5], 15, 165, fill=(120, 40, 40), width=line_w)
    elif expr == "sad":
        d.arc([ex - mw, my - mw * 0.1, ex + mw, my + mw * 0.9], 200, 340, fill=(120, 40, 40), width=line_w)
    elif expr in ("surprised", "afraid", "angry"):
        d.ellipse([ex - mw * 0.45, my - mw * 0.3, ex + mw * 0.45, my + mw * 0.35], fill=(90, 20, 30))
    else:
        d.line([(ex - mw * 0.6, my), (ex + mw * 0.6, my)], fill=(120, 40, 40), width=line_w)
    if age == "elder":  # lines on the brow and at the eyes
        for k in (0, 1):
            wy = cy - hh * (0.5 + k * 0.13)
            d.arc([ex - hw * 0.45, wy - hh * 0.06, ex + hw * 0.45, wy + hh * 0.1], 200, 340, fill=shade, width=max(1, line_w // 2))
    d.ellipse([ex - hw * 0.75, my - hh * 0.3, ex - hw * 0.45, my - hh * 0.12], fill=_mix(skin, (230, 120, 120), 0.35))
    d.ellipse([ex + hw * 0.45, my - hh * 0.3, ex + hw * 0.75, my - hh * 0.12], fill=_mix(skin, (230, 120, 120), 0.35))
    reach = max(sw * 1.2, hw * 1.15)  # the aura's faint glow is left out: it does not breathe
    hand_side = -facing or 1  # the hand nearer the middle of the frame
    hand = [cx + hand_side * sw * 0.95, top + body_h * 0.66 + sw * 0.21, sw * 0.2]
    wide = max(reach, sw * 1.55 if "cloak" in parts else 0, waist * 1.7 if long_ else 0, hw * 1.6 if parts & {"pointed", "hat"} else 0)
    return {"eyes": [[ex + side * eye_dx, eye_y, er, er * 0.75 * open_] for side in (-1, 1)], "mouth": [ex, my, mw],
            "skin": list(skin), "line_width": line_w,
            "body": [cx - reach, cy - hh * 1.6, cx + reach, top + body_h * 0.5],  # head and shoulders, to the chest
            "whole": [cx - wide, min(hat_top, cy - hh * 1.35), cx + wide, end],
            "hand": hand}


# ---- props named in the action, and signs ---------------------------------------------------------

BRASS, JADE, WOOD, STEEL, PAPER = (196, 156, 62), (92, 168, 120), (140, 96, 56), (200, 205, 215), (238, 228, 200)


def draw_prop(d: ImageDraw.ImageDraw, kind: str, x: float, y: float, r: float) -> None:
    """A prop of `kind` centred on (x, y), about 2r across, in the storybook style (flat fills, dark outline)."""
    ink = (40, 30, 25)
    lw = max(2, int(r * 0.08))
    if kind == "compass":
        d.ellipse([x - r, y - r, x + r, y + r], fill=BRASS, outline=ink, width=lw)
        d.ellipse([x - r * 0.78, y - r * 0.78, x + r * 0.78, y + r * 0.78], fill=PAPER)
        d.polygon([(x, y - r * 0.7), (x + r * 0.14, y), (x, y + r * 0.7), (x - r * 0.14, y)], fill=(60, 60, 70))
        d.polygon([(x, y - r * 0.7), (x + r * 0.14, y), (x - r * 0.14, y)], fill=(200, 40, 40))
        d.ellipse([x - r * 0.16, y - r * 1.25, x + r * 0.16, y - r * 0.95], outline=BRASS, width=lw)
    elif kind == "hook":
        d.line([(x + r * 0.3, y - r), (x + r * 0.3, y + r * 0.3)], fill=BRASS, width=lw * 3)
        d.arc([x - r * 0.5, y - r * 0.1, x + r * 0.3 + lw, y + r * 0.9], 0, 200, fill=BRASS, width=lw * 3)
        d.polygon([(x - r * 0.5, y + r * 0.35), (x - r * 0.65, y + r * 0.05), (x - r * 0.3, y + r * 0.2)], fill=BRASS)
        d.ellipse([x + r * 0.12, y - r * 1.2, x + r * 0.48, y - r * 0.86], outline=BRASS, width=lw * 2)
    elif kind == "keycard":
        d.rounded_rectangle([x - r, y - r * 0.63, x + r, y + r * 0.63], radius=r * 0.12, fill=(230, 236, 244), outline=ink, width=lw)
        d.rectangle([x - r, y - r * 0.35, x + r, y - r * 0.1], fill=(40, 60, 110))
        d.rectangle([x - r * 0.75, y + r * 0.1, x - r * 0.3, y + r * 0.4], fill=(210, 180, 80))
    elif kind == "key":
        d.ellipse([x - r, y - r * 0.4, x - r * 0.2, y + r * 0.4], outline=BRASS, width=lw * 3)
        d.line([(x - r * 0.25, y), (x + r, y)], fill=BRASS, width=lw * 3)
        for k in (0.55, 0.85):
            d.line([(x + r * k, y), (x + r * k, y + r * 0.35)], fill=BRASS, width=lw * 3)
    elif kind == "bell":
        d.polygon([(x - r * 0.35, y - r * 0.8), (x + r * 0.35, y - r * 0.8), (x + r * 0.55, y + r * 0.2),
                   (x + r * 0.85, y + r * 0.7), (x - r * 0.85, y + r * 0.7), (x - r * 0.55, y + r * 0.2)], fill=JADE, outline=ink)
        d.ellipse([x - r * 0.18, y + r * 0.6, x + r * 0.18, y + r * 0.95], fill=(60, 90, 70))
        d.arc([x - r * 0.25, y - r * 1.15, x + r * 0.25, y - r * 0.6], 180, 360, fill=JADE, width=lw * 2)
    elif kind == "flute":
        a, b = (x - r, y + r * 0.5), (x + r, y - r * 0.5)
        d.line([a, b], fill=WOOD, width=int(r * 0.28))
        for k in range(1, 6):
            t = 0.25 + k * 0.1
            hx, hy = a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
            d.ellipse([hx - r * 0.05, hy - r * 0.05, hx + r * 0.05, hy + r * 0.05], fill=ink)
    elif kind == "seal":
        d.rectangle([x - r * 0.6, y, x + r * 0.6, y + r * 0.8], fill=JADE, outline=ink, width=lw)
        d.rectangle([x - r * 0.6, y + r * 0.65, x + r * 0.6, y + r * 0.8], fill=(190, 40, 40))
        d.ellipse([x - r * 0.45, y - r * 0.75, x + r * 0.45, y + r * 0.1], fill=JADE, outline=ink, width=lw)
    elif kind == "lantern":
        for k, alpha in ((1.9, 50), (1.4, 80)):
            d.ellipse([x - r * k, y - r * k, x + r * k, y + r * k], fill=(255, 210, 110, alpha))
        d.rounded_rectangle([x - r * 0.55, y - r * 0.7, x + r * 0.55, y + r * 0.8], radius=r * 0.2, fill=(255, 200, 90), outline=ink, width=lw)
        d.rectangle([x - r * 0.65, y - r * 0.85, x + r * 0.65, y - r * 0.65], fill=ink)
        d.arc([x - r * 0.35, y - r * 1.35, x + r * 0.35, y - r * 0.6], 180, 360, fill=ink, width=lw)
    elif kind == "sword":
        d.polygon([(x - r * 0.09, y + r * 0.45), (x + r * 0.09, y + r * 0.45), (x + r * 0.09, y - r * 0.95), (x, y - r * 1.15),
                   (x - r * 0.09, y - r * 0.95)], fill=STEEL, outline=ink)
        d.rectangle([x - r * 0.4, y + r * 0.45, x + r * 0.4, y + r * 0.58], fill=BRASS)
        d.rectangle([x - r * 0.07, y + r * 0.58, x + r * 0.07, y + r * 1.05], fill=(80, 50, 40))
    elif kind == "letter":
        d.rectangle([x - r * 0.75, y - r, x + r * 0.75, y + r], fill=PAPER, outline=ink, width=lw)
        for k in range(6):
            ly = y - r * 0.7 + k * r * 0.27
            d.line([(x - r * 0.55, ly), (x + r * (0.55 if k < 5 else 0.1), ly)], fill=(120, 110, 100), width=max(1, lw // 2))
    elif kind == "cup":
        d.pieslice([x - r * 0.7, y - r * 1.1, x + r * 0.7, y + r * 0.7], 0, 180, fill=(235, 235, 230), outline=ink, width=lw)
        d.ellipse([x - r * 0.7, y - r * 0.5, x + r * 0.7, y - r * 0.1], fill=(150, 110, 60), outline=ink, width=lw)
        d.arc([x + r * 0.45, y - r * 0.2, x + r * 1.0, y + r * 0.35], 270, 90, fill=ink, width=lw * 2)
    elif kind == "bag":
        d.rounded_rectangle([x - r * 0.8, y - r * 0.5, x + r * 0.8, y + r], radius=r * 0.35, fill=(150, 120, 80), outline=ink, width=lw)
        d.polygon([(x - r * 0.3, y - r * 0.5), (x, y - r * 0.95), (x + r * 0.3, y - r * 0.5)], fill=(150, 120, 80), outline=ink)
        d.line([(x - r * 0.35, y - r * 0.55), (x + r * 0.35, y - r * 0.55)], fill=(90, 60, 40), width=lw * 2)


def sign_text(location: str, language: str) -> str:
    """What a sign at `location` says: the place's name from the scene heading, as a sign would write it."""
    name = re.sub(r"\s*[-–—]\s*.*$", "", location).strip()  # "HARBOUR - NIGHT" keeps the place alone
    name = re.sub(r"^(the|le|la|les|l')\s*", "", name, flags=re.IGNORECASE)
    if language == "zh":
        return name
    if language == "fr":  # French capitalises the first word only
        return name[:1].upper() + name[1:].lower()
    return name.title().replace("'S", "'s")




def sign_box(x: float, y: float, w: float, post: float) -> list[float]:
    """The box a sign at (x, y), `w` wide, on a post `post` long, covers: board and post."""
    h = w * 0.16 * 1.9
    return [round(x - w / 2, 1), round(y - h / 2, 1), round(x + w / 2, 1), round(y + max(h / 2, post), 1)]


def place_sign(W: int, H: int, horizon: int, inside: bool, prefer: float, figures: list) -> tuple | None:
    """Where a sign goes so that no figure covers it and no camera move cuts it: (x, y, w, post), the
    scene's own side first, then the other, the middle, higher up, smaller; None when every place is taken
    (the shot then shows no sign rather than half of one)."""
    xs = [prefer, 1 - prefer, 0.5, 0.36, 0.64]
    # (height, on a post?): outside, a signpost at the horizon, else a board hung high (a gate, a wall)
    ys = ([(H * 0.24, False), (H * 0.16, False)] if inside else
          [(horizon - H * 0.02, True), (horizon - H * 0.12, True), (H * 0.2, False), (H * 0.14, False)])
    for w in (W * 0.28, W * 0.22):
        for y, on_post in ys:
            for fx in xs:
                post = max(H * 0.05, horizon + H * 0.03 - y) if on_post else 0
                box = sign_box(W * fx, y, w, post)
                if box[0] < W * SAFE or box[2] > W * (1 - SAFE) or box[1] < H * SAFE:
                    continue
                pad = w * 0.04
                if all(box[2] + pad < f[0] or box[0] - pad > f[2] or box[3] + pad < f[1] or box[1] - pad > f[3] for f in figures):
                    return W * fx, y, w, post
    return None


def draw_sign(im: Image.Image, text: str, x: float, y: float, w: float, post: float, language: str) -> None:
    """A wooden board centred on (x, y), `w` wide, with the text fitted into it (CJK and accented Latin
    alike: the fonts are filmcrew's own, see media/fonts.py), on a post `post` pixels long (0 for a wall plaque)."""
    d = ImageDraw.Draw(im)
    size = int(w * 0.16)
    while size > 8 and fonts.font(size, language=language).getlength(text) > w * 0.86:
        size -= 1
    font = fonts.font(size, language=language)
    h = size * 1.9
    if post:
        d.rectangle([x - w * 0.03, y, x + w * 0.03, y + post], fill=(90, 62, 40))
    d.rounded_rectangle([x - w / 2, y - h / 2, x + w / 2, y + h / 2], radius=h * 0.18, fill=(120, 82, 50),
                        outline=(60, 40, 25), width=max(2, int(h * 0.06)))
    d.text((x, y), text, font=font, fill=(250, 236, 200), anchor="mm")


def _grade(im: Image.Image, mood: str) -> Image.Image:
    if mood not in GRADE:
        return im
    from PIL import ImageEnhance
    tint, k, sat = GRADE[mood]
    alpha = im.getchannel("A")
    rgb = ImageEnhance.Color(im.convert("RGB")).enhance(sat)
    rgb = Image.blend(rgb, Image.new("RGB", im.size, tint), k)
    rgb.putalpha(alpha)
    return rgb


def flatten(layers: list[Path] | tuple[Path, ...]) -> Image.Image:
    base = None
    for p in layers:
        im = Image.open(p).convert("RGBA")
        base = im if base is None else Image.alpha_composite(base, im)
    return base.convert("RGB")


__all__ = ["ProceduralIllustrator", "flatten", "setting_of", "expression_of", "costume_parts", "place_sign", "math"]
