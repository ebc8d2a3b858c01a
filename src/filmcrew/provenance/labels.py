"""AI-content labels: the visible one (GB 45438 §5.4), the hidden `AIGC` JSON in the MP4, and reading both back.

Facts from ../shared/STANDARDS.md:
- visible: on the opening frames for at least 2 s, text height >= 5% of the shortest side, wording per
  language, at a corner or edge, inside the safe area;
- hidden: `{"Label","ContentProducer","ProduceID","ReservedCode1","ContentPropagator","PropagateID",
  "ReservedCode2"}` in that order, printable ASCII values without spaces, quotes or backslashes, in
  `moov/udta/meta` (keys + ilst), exactly one copy. ffmpeg drops it silently without
  `-movflags use_metadata_tags`, so it is always read back after writing.

filmcrew writes labels and reads them; it has no command that removes or alters one.
"""
from __future__ import annotations

import json
import re
import struct
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from ..errors import FilmcrewError
from ..media import fonts

WORDING = {"zh": "AI生成", "fr": "Généré par IA", "en": "AI-generated"}
AIGC_KEYS = ("Label", "ContentProducer", "ProduceID", "ReservedCode1", "ContentPropagator", "PropagateID", "ReservedCode2")
CODE_RE = re.compile(r"^[!#-\[\]-~]*$")  # printable ASCII without space, double quote or backslash
POSITIONS = ("top-left", "top-right", "bottom-left", "bottom-right")
MIN_HEIGHT = 0.05  # of the shortest side
TEXT_HEIGHT = 0.056  # what filmcrew draws: a margin over the minimum


@dataclass(frozen=True)
class Labels:
    """[labels]: how the AI labels look and who they name. They cannot be switched off (GB 45438, EU AI Act
    Art. 50): there is deliberately no field for that."""
    producer: str = "filmcrew"  # AIGC ContentProducer: a code (ASCII, no spaces), e.g. your platform or studio ID
    reserved1: str = ""  # AIGC ReservedCode1 (e.g. a filing or licence number)
    reserved2: str = ""  # AIGC ReservedCode2
    position: str = "top-left"  # top-left, top-right, bottom-left, bottom-right (inside the safe area)
    seconds: float = 3.0  # how long the visible label shows at the start (at least 2)
    repeat_at_end: bool = False  # show it again over the last `seconds`
    audio: str = "rhythm"  # the audible label of audio-only exports: rhythm (short-long-short-short) or spoken


class LabelError(FilmcrewError):
    """A label is missing, malformed or duplicated."""


# ---- the hidden label ------------------------------------------------------------------------------

def check_code(field: str, value: str) -> str:
    if not isinstance(value, str) or not CODE_RE.match(value):
        raise LabelError(f"AIGC {field}: {value!r} must be printable ASCII without spaces, quotes or backslashes "
                         f"(use a code such as 'studio-042', not a name with spaces)")
    return value


def aigc_json(producer: str, produce_id: str, reserved1: str = "", reserved2: str = "", label: str = "1") -> str:
    """The AIGC JSON of a first write: the propagator fields equal the producer fields."""
    if label not in ("1", "2", "3"):
        raise LabelError(f"AIGC Label: {label!r}; use \"1\" (AI-generated), \"2\" (possibly) or \"3\" (suspected)")
    vals = OrderedDict(Label=label, ContentProducer=check_code("ContentProducer", producer),
                       ProduceID=check_code("ProduceID", produce_id), ReservedCode1=check_code("ReservedCode1", reserved1),
                       ContentPropagator=producer, PropagateID=produce_id, ReservedCode2=check_code("ReservedCode2", reserved2))
    return json.dumps(vals, separators=(",", ":"))


def parse_aigc(text: str) -> OrderedDict:
    """Parse and check an AIGC value; raises LabelError naming what is wrong."""
    try:
        data = json.loads(text, object_pairs_hook=OrderedDict)
    except json.JSONDecodeError as err:
        raise LabelError(f"AIGC tag is not JSON ({err.msg} at column {err.colno})") from None
    if not isinstance(data, dict):
        raise LabelError("AIGC tag is not a JSON object")
    if tuple(data) != AIGC_KEYS:
        raise LabelError(f"AIGC keys are {list(data)}; the standard's order is {list(AIGC_KEYS)}")
    for k, v in data.items():
        check_code(k, v)
    if data["Label"] not in ("1", "2", "3"):
        raise LabelError(f"AIGC Label is {data['Label']!r}; it must be \"1\", \"2\" or \"3\"")
    return data


def _boxes(buf: bytes, off: int, end: int):
    while off + 8 <= end:
        size, typ = struct.unpack(">I4s", buf[off:off + 8])
        hdr = 8
        if size == 1:
            size = struct.unpack(">Q", buf[off + 8:off + 16])[0]
            hdr = 16
        elif size == 0:
            size = end - off
        if size < hdr or off + size > end:
            return
        yield typ, off + hdr, off + size
        off += size


def _read_moov(path: Path) -> bytes:
    """The moov box, read without loading mdat (files can be gigabytes)."""
    with open(path, "rb") as f:
        f.seek(0, 2)
        end = f.tell()
        off = 0
        while off + 8 <= end:
            f.seek(off)
            head = f.read(16)
            size, typ = struct.unpack(">I4s", head[:8])
            if size == 1:
                size = struct.unpack(">Q", head[8:16])[0]
            elif size == 0:
                size = end - off
            if size < 8:
                break
            if typ == b"moov":
                f.seek(off)
                return f.read(size)
            off += size
    return b""


def mp4_tags(path: Path) -> list[tuple[str, str]]:
    """Every (key, value) in the MP4's `meta` boxes (moov/meta and moov/udta/meta, mdta keys + ilst)."""
    moov = _read_moov(Path(path))
    out: list[tuple[str, str]] = []
    if not moov:
        return out

    def read_meta(start: int, stop: int) -> None:
        if moov[start + 4:start + 8] != b"hdlr":  # a full box: skip version and flags
            start += 4
        keys: list[str] = []
        for typ, s, e in _boxes(moov, start, stop):
            if typ == b"keys":
                count = struct.unpack(">I", moov[s + 4:s + 8])[0]
                p = s + 8
                for _ in range(count):
                    ksize = struct.unpack(">I", moov[p:p + 4])[0]
                    keys.append(moov[p + 8:p + ksize].decode("utf-8", "replace"))
                    p += ksize
            elif typ == b"ilst":
                for item, is_, ie in _boxes(moov, s, e):
                    idx = struct.unpack(">I", item)[0]
                    name = keys[idx - 1] if 0 < idx <= len(keys) else item.decode("latin-1")
                    for dt, ds, de in _boxes(moov, is_, ie):
                        if dt == b"data":
                            out.append((name, moov[ds + 8:de].decode("utf-8", "replace")))

    def walk(start: int, stop: int) -> None:
        for typ, s, e in _boxes(moov, start, stop):
            if typ == b"meta":
                read_meta(s, e)
            elif typ in (b"udta", b"trak"):
                walk(s, e)

    for typ, s, e in _boxes(moov, 0, len(moov)):
        if typ == b"moov":
            walk(s, e)
    return out


def write_args(aigc: str) -> list[str]:
    """ffmpeg output options that write the AIGC tag into moov/udta/meta (without use_metadata_tags
    ffmpeg drops it silently and still exits 0), with moov first."""
    return ["-metadata", f"AIGC={aigc}", "-movflags", "+faststart+use_metadata_tags"]


def verify_written(path: Path, aigc: str) -> None:
    """Read the tag back from a file just written with `write_args(aigc)`: exactly one, well formed, the same."""
    if json.dumps(read_aigc(path), separators=(",", ":")) != aigc:
        raise LabelError(f"{path}: the AIGC tag read back differs from the one written; this is a bug in filmcrew")


def read_aigc(path: Path) -> OrderedDict:
    """The one AIGC tag of an MP4, checked; LabelError if missing, duplicated or malformed."""
    found = [v for k, v in mp4_tags(path) if k == "AIGC"]
    if not found:
        raise LabelError(f"{path}: no AIGC tag in moov/udta/meta (ffmpeg drops it without -movflags use_metadata_tags, "
                         f"and a plain remux drops it too)")
    if len(found) > 1:
        raise LabelError(f"{path}: {len(found)} AIGC tags; the standard wants exactly one")
    return parse_aigc(found[0])


# ---- the visible label -------------------------------------------------------------------------------

def font_size_for(text: str, height: float) -> int:
    """The smallest font size at which the glyph box of `text` is at least `height` px tall."""
    fs = max(6, int(height * 0.8))
    while fs < 4 * height + 8:
        l, t, r, b = fonts.font(fs).getbbox(text)
        if b - t >= height:
            return fs
        fs += 1
    return fs


def label_box(size: tuple[int, int], position: str, text: str) -> tuple[int, int, int]:
    """(font size, x, y) of the label: text height TEXT_HEIGHT of the short side, inside the safe area."""
    W, H = size
    fs = font_size_for(text, TEXT_HEIGHT * min(W, H))
    l, t, r, b = fonts.font(fs).getbbox(text)
    pad = fs // 3
    bw, bh = r - l + 2 * pad, b - t + 2 * pad
    # the vertical safe area keeps the top ~150, bottom ~440 and right ~150 px of 1080x1920 free
    side_l = int(round(0.06 * W))
    side_r = int(round(150 * W / 1080)) if H > W else int(round(0.06 * W))
    top = int(round(160 * H / 1920)) if H > W else int(round(0.06 * H))
    bottom = int(round(440 * H / 1920)) if H > W else int(round(0.08 * H))
    x = side_l if position.endswith("left") else W - side_r - bw
    y = top if position.startswith("top") else H - bottom - bh
    return fs, x, y


def render_label(language: str, size: tuple[int, int], position: str, path: Path) -> tuple[int, int, int]:
    """Write the label as an RGBA PNG; returns (x, y, text height in px)."""
    text = WORDING.get(language, WORDING["en"])
    fs, x, y = label_box(size, position, text)
    font = fonts.font(fs)
    l, t, r, b = font.getbbox(text)
    pad = fs // 3
    im = Image.new("RGBA", (r - l + 2 * pad, b - t + 2 * pad), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    d.rounded_rectangle([0, 0, im.width - 1, im.height - 1], radius=pad, fill=(0, 0, 0, 150))
    d.text((pad - l, pad - t), text, font=font, fill=(255, 255, 255, 255))
    im.save(path)
    return x, y, b - t


class _Region:
    """A grey image prepared once for normalised cross-correlation with many templates up to `maxh` x `maxw`."""

    def __init__(self, image: np.ndarray, maxh: int, maxw: int):
        self.image = image
        H, W = image.shape
        self.shape = (H + maxh, W + maxw)
        self.F = np.fft.rfft2(image, self.shape)
        self.ii = np.pad(image, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
        self.ii2 = np.pad(image ** 2, ((1, 0), (1, 0))).cumsum(0).cumsum(1)

    def ncc_max(self, tmpl: np.ndarray) -> float:
        """Largest |normalised cross-correlation| of `tmpl` anywhere in the region."""
        H, W = self.image.shape
        h, w = tmpl.shape
        if h > H or w > W:
            return 0.0
        t = tmpl - tmpl.mean()
        tn = np.sqrt((t ** 2).sum())
        if tn == 0:
            return 0.0
        corr = np.fft.irfft2(self.F * np.conj(np.fft.rfft2(t, self.shape)), self.shape)[:H - h + 1, :W - w + 1]

        def win(a):
            return a[h:, w:] - a[:-h, w:] - a[h:, :-w] + a[:-h, :-w]
        n = h * w
        s, s2 = win(self.ii), win(self.ii2)
        var = np.maximum(s2 - s * s / n, 1e-6)
        return float(np.abs(corr / (np.sqrt(var) * tn)).max())


_TEMPLATES: dict[str, list[tuple[float, np.ndarray]]] = {}


def _templates(lang: str) -> list[tuple[float, np.ndarray]]:
    """The wording at 31 heights from 4.5% to 9.4% of a 360 px short side, 2.5% apart."""
    if lang not in _TEMPLATES:
        text = WORDING[lang]
        font = fonts.font(font_size_for(text, 96))
        l, t, r, b = font.getbbox(text)
        big = Image.new("L", (r - l, b - t), 0)
        ImageDraw.Draw(big).text((-l, -t), text, font=font, fill=255)
        out = []
        for rel in 0.045 * 1.025 ** np.arange(31):
            th = rel * 360
            im = big.resize((max(2, int(round(big.width * th / big.height))), max(2, int(round(th)))), Image.LANCZOS)
            out.append((float(rel), np.asarray(im, np.float64)))
        _TEMPLATES[lang] = out
    return _TEMPLATES[lang]


def detect_label(frame: np.ndarray, threshold: float = 0.75, only: tuple[str, str] | None = None) -> dict | None:
    """Look for a visible AI label in the corners of an RGB frame.

    It recognises the three wordings filmcrew writes, drawn in a common sans font at 4.5% to 9% of the
    short side, in either polarity. A label in another wording or a very different typeface can be
    missed: the checker then says "not detected", never "absent". `only=(language, corner)` narrows the
    search to a label already found in an earlier frame."""
    gray = Image.fromarray(frame).convert("L")
    W, H = gray.size
    scale = 360 / min(H, W)
    small = np.asarray(gray.resize((max(1, int(W * scale)), max(1, int(H * scale))), Image.BILINEAR), np.float64)
    h, w = small.shape
    regions = {"top-left": small[: int(h * 0.3), : int(w * 0.6)], "top-right": small[: int(h * 0.3), int(w * 0.4):],
               "bottom-left": small[int(h * 0.6):, : int(w * 0.6)], "bottom-right": small[int(h * 0.6):, int(w * 0.4):]}
    langs = [only[0]] if only else list(WORDING)
    corners = [only[1]] if only else list(regions)
    # coarse (every third height), then the neighbours of the two best coarse matches
    coarse = []
    prepared = {}
    for lang in langs:
        tmpls = _templates(lang)
        maxh = max(t.shape[0] for _, t in tmpls)
        maxw = max(t.shape[1] for _, t in tmpls)
        for corner in corners:
            region = prepared[(lang, corner)] = _Region(regions[corner], maxh, maxw)
            for i in range(1, len(tmpls), 3):
                coarse.append((region.ncc_max(tmpls[i][1]), lang, corner, i))
    best = None
    for score0, lang, corner, i in sorted(coarse, reverse=True)[:2]:
        tmpls = _templates(lang)
        for j in range(max(0, i - 2), min(len(tmpls), i + 3)):
            score = score0 if j == i else prepared[(lang, corner)].ncc_max(tmpls[j][1])
            if score >= threshold and (best is None or score > best["score"]):
                best = {"language": lang, "corner": corner, "score": round(score, 3), "text_height": round(tmpls[j][0], 4)}
    return best
