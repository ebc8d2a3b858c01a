"""Contact sheets of the offline crew's storyboard: for each premise, the first shots of its film as the
procedural illustrator draws them, in the three shapes (9:16, 16:9, 1:1), cropped to what the camera shows.

    .venv/bin/python tools/contact_sheets.py [OUT_DIR]      (default docs/contact-sheets)

Offline, no model: the story engine writes each premise's short, the illustrator draws its shots.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

from filmcrew.media import fonts
from filmcrew.model import ASPECTS
from filmcrew.providers.base import DrawRequest, WriteRequest
from filmcrew.providers.camera_moves import MARGIN
from filmcrew.providers.procedural_art import ProceduralIllustrator, flatten
from filmcrew.writer.engine import StoryEngine

PREMISES = [  # (language, genre, premise): five genres, three languages
    ("en", "workplace", "A baker must win back her stolen recipe from a rival before the festival"),
    ("en", "myth", "A mortal fisherman challenges the god of floods to save his village"),
    ("zh", "fantasy", "少年剑客必须在月圆之夜前从山妖手中救出师父"),
    ("fr", "comedy", "Un magicien maladroit doit retrouver son lapin avant le spectacle de l'école"),
    ("en", "family", "A lighthouse keeper's daughter must relight the lamp before the storm ships arrive"),
    ("fr", "sci-fi", "Une ingénieure doit réparer le réacteur de la station spatiale avant la tempête solaire"),
]
SHOTS = 8
SCALE = 0.25  # of the full frame size


def sheet(lang: str, genre: str, premise: str, out: Path) -> Path:
    draft = StoryEngine().write(WriteRequest(premise, "short", 1, 1.5, lang, 7))
    cast = {c.name: c for c in draft.bible.characters}
    shots = [(sc, sh) for sc in draft.episodes[0].scenes for sh in sc.shots][:SHOTS]
    rows = []
    for aspect in ("9:16", "16:9", "1:1"):
        fw, fh = (int(v * SCALE) // 2 * 2 for v in ASPECTS[aspect])
        canvas = (int(round(fw * MARGIN / 2)) * 2, int(round(fh * MARGIN / 2)) * 2)
        tiles = []
        for sc, sh in shots:
            with tempfile.TemporaryDirectory() as tmp:
                req = DrawRequest(shot=sh, scene=sc, characters=tuple(cast[n] for n in sh.characters if n in cast),
                                  size=canvas, style="storybook", seed=7, language=lang,
                                  speaking=sh.lines[0].speaker if sh.lines else "")
                im = flatten(ProceduralIllustrator().draw(req, Path(tmp)))
            x0, y0 = (canvas[0] - fw) // 2, (canvas[1] - fh) // 2
            tiles.append(im.crop((x0, y0, x0 + fw, y0 + fh)))
        rows.append(tiles)
    pad, label = 8, 28
    width = max(sum(t.width for t in r) + pad * (len(r) + 1) for r in rows)
    height = sum(r[0].height + pad for r in rows) + pad + label
    out_im = Image.new("RGB", (width, height), (24, 24, 28))
    d = ImageDraw.Draw(out_im)
    d.text((pad, 6), premise, font=fonts.font(18, language=lang), fill=(235, 235, 235))
    y = label + pad
    for r in rows:
        x = pad
        for t in r:
            out_im.paste(t, (x, y))
            x += t.width + pad
        y += r[0].height + pad
    path = out / f"{lang}-{genre}.jpg"
    out_im.save(path, quality=88)
    return path


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/contact-sheets")
    out.mkdir(parents=True, exist_ok=True)
    for lang, genre, premise in PREMISES:
        print(sheet(lang, genre, premise, out))


if __name__ == "__main__":
    main()
