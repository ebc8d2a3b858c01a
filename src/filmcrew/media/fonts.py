"""Fonts that render Chinese, French and English: Noto Sans CJK from a PyPI wheel."""

from __future__ import annotations

import functools
import threading
import unicodedata
from pathlib import Path

from PIL import ImageFont

from ..errors import ProviderError


@functools.cache
def cjk_font_path() -> Path:
    try:
        import manimgx_fonts_cjk
    except ImportError as err:
        raise ProviderError("the Noto Sans CJK font is missing: pip install manimgx-fonts-cjk") from err
    path = Path(manimgx_fonts_cjk.__file__).parent / "NotoSansCJK-VF.otf.ttc"
    if not path.exists():
        raise ProviderError(f"{path}: font file missing; reinstall with pip install --force-reinstall manimgx-fonts-cjk")
    return path


_local = threading.local()


def font(size: int, weight: str = "Bold", language: str = "zh") -> ImageFont.FreeTypeFont:
    """A font object per thread (FreeType faces are not safe to share between threads)."""
    cache = getattr(_local, "fonts", None)
    if cache is None:
        cache = _local.fonts = {}
    k = (size, weight, language)
    if k not in cache:
        cache[k] = _load(size, weight, language)
    return cache[k]


_NO_GLYPH = "\U0010fffd"  # a private-use code point: no font has it, so it draws the font's "missing" box


@functools.cache
def has_glyph(ch: str) -> bool:
    """Whether the subtitle font draws `ch` (compared with the box it draws for what it lacks)."""
    if ch.isspace() or unicodedata.category(ch) in ("Mn", "Cf"):
        return True
    f = _load(40, "Bold", "zh")
    mask = f.getmask(ch)
    box = f.getmask(_NO_GLYPH)
    return mask.size != box.size or bytes(mask) != bytes(box)


def missing_glyphs(text: str) -> list[str]:
    """The characters of `text` the subtitle font cannot draw, each once, in order."""
    return list(dict.fromkeys(ch for ch in text if not has_glyph(ch)))


def _load(size: int, weight: str, language: str) -> ImageFont.FreeTypeFont:
    # index 0 is the Japanese face, 2 the Simplified Chinese one in the Noto CJK collection.
    index = {"zh": 2, "en": 2, "fr": 2}.get(language, 2)
    try:
        f = ImageFont.truetype(str(cjk_font_path()), size, index=index)
    except OSError:
        f = ImageFont.truetype(str(cjk_font_path()), size, index=0)
    try:
        f.set_variation_by_name(weight)
    except (OSError, ValueError):
        pass
    return f
