"""The drawn-style check, for pictures in which dlib finds no face (the procedural illustrator's characters).

What it measures, honestly named: inside the box the illustrator reports for a character (its faces.json,
head and shoulders), the figure's opaque pixels on the characters layer are compared with the same box of the
character's reference sheet, by
- palette: the overlap (histogram intersection, 0..1) of their colours, 4 levels a channel;
- silhouette: the overlap (intersection over union, 0..1) of their outlines, both scaled to one grid.
This tells a figure drawn in someone else's colours or shape from the right one. It is not face identity: two
characters of the same build in the same colours would pass as each other. Pictures without the
illustrator's boxes (a model's still, a human image) cannot be checked this way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

GRID = (24, 32)  # the silhouette's grid (width, height)
LEVELS = 4  # palette levels per channel


@dataclass(frozen=True)
class Figure:
    name: str
    box: tuple[int, int, int, int]
    palette: np.ndarray  # LEVELS**3 bins, summing to 1
    mask: np.ndarray  # GRID, bool


def figures(folder: Path) -> dict[str, Figure]:
    """{name: figure} for each character the illustrator reports in `folder` (faces.json + characters.png);
    empty when it reports none."""
    from PIL import Image
    folder = Path(folder)
    fj, layer = folder / "faces.json", folder / "characters.png"
    if not fj.exists() or not layer.exists():
        return {}
    with Image.open(layer) as im:
        rgba = np.asarray(im.convert("RGBA"))
    out = {}
    for f in json.loads(fj.read_text()):
        if not f.get("name") or not f.get("body"):
            continue
        x0, y0, x1, y1 = (int(round(v)) for v in f["body"])
        x0, y0 = max(0, x0), max(0, y0)
        x1, y1 = min(rgba.shape[1], x1), min(rgba.shape[0], y1)
        if x1 - x0 < 4 or y1 - y0 < 4:
            continue
        crop = rgba[y0:y1, x0:x1]
        opaque = crop[..., 3] > 128
        if not opaque.any():
            continue
        q = (crop[..., :3][opaque] // (256 // LEVELS)).astype(np.int64)
        hist = np.bincount(q[:, 0] * LEVELS * LEVELS + q[:, 1] * LEVELS + q[:, 2], minlength=LEVELS ** 3)
        small = Image.fromarray((opaque * 255).astype(np.uint8)).resize(GRID, Image.BILINEAR)
        out[f["name"]] = Figure(f["name"], (x0, y0, x1, y1), hist / hist.sum(), np.asarray(small) > 127)
    return out


def compare(fig: Figure, ref: Figure) -> dict:
    """{"palette": overlap of the colours, "silhouette": overlap of the outlines}, each 0..1 (1: the same)."""
    union = np.logical_or(fig.mask, ref.mask).sum()
    iou = float(np.logical_and(fig.mask, ref.mask).sum() / union) if union else 0.0
    return {"palette": round(float(np.minimum(fig.palette, ref.palette).sum()), 3), "silhouette": round(iou, 3)}
