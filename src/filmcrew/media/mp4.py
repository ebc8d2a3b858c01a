"""The sample tables of an MP4 (ISO BMFF), read from the boxes themselves, not from a header's summary.

`tracks(path)` gives, per track, where each sample lies in the file (`stco`/`co64`, `stsc`, `stsz`/`stz2`)
and how long it lasts (`stts`, in the track's `mdhd` timescale). The checker uses them to prove that every
sample the index points to is in the file (a truncated download keeps a front-loaded `moov` that still
promises the whole film) and that the frame rate is constant.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import MediaError

CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf"}


@dataclass
class Track:
    kind: str  # the handler: "vide", "soun", ...
    timescale: int = 0
    deltas: list[tuple[int, int]] = field(default_factory=list)  # stts: (sample count, duration in ticks)
    sizes: list[int] = field(default_factory=list)
    chunk_offsets: list[int] = field(default_factory=list)
    chunk_runs: list[tuple[int, int]] = field(default_factory=list)  # stsc: (first chunk, 1-based; samples per chunk)

    @property
    def samples(self) -> int:
        return len(self.sizes)

    def extents(self):
        """(offset, size) of every sample, in order."""
        runs = self.chunk_runs + [(len(self.chunk_offsets) + 1, 0)]
        i = 0
        for (first, per), (nxt, _) in zip(runs, runs[1:]):
            for chunk in range(first - 1, min(nxt - 1, len(self.chunk_offsets))):
                pos = self.chunk_offsets[chunk]
                for _ in range(per):
                    if i >= len(self.sizes):
                        return
                    yield pos, self.sizes[i]
                    pos += self.sizes[i]
                    i += 1

    def missing(self, file_size: int) -> int:
        """How many samples end past `file_size` (or are not placed in any chunk at all)."""
        placed = 0
        beyond = 0
        for off, size in self.extents():
            placed += 1
            beyond += off + size > file_size
        return beyond + (self.samples - placed)

    def frame_durations(self) -> set[int]:
        """The distinct sample durations, the last sample's aside (muxers often give the last frame its own)."""
        entries = list(self.deltas)
        if len(entries) > 1 and entries[-1][0] == 1:
            entries = entries[:-1]
        return {d for n, d in entries if n > 0}


@dataclass
class Layout:
    size: int
    tracks: list[Track]
    fragmented: bool  # moof boxes: the samples are indexed per fragment, not in the moov tables


def _boxes(fh, start: int, end: int):
    pos = start
    while pos + 8 <= end:
        fh.seek(pos)
        head = fh.read(8)
        if len(head) < 8:
            return
        size, kind = struct.unpack(">I4s", head)
        hdr = 8
        if size == 1:
            size = struct.unpack(">Q", fh.read(8))[0]
            hdr = 16
        elif size == 0:
            size = end - pos
        if size < hdr:
            raise MediaError(f"box {kind!r} at byte {pos} has an impossible size {size}")
        yield kind, pos + hdr, min(pos + size, end)
        pos += size


def _table(fh, start: int, fmt: str, count_at: int = 4) -> tuple[bytes, int]:
    fh.seek(start + count_at)
    (n,) = struct.unpack(">I", fh.read(4))
    width = struct.calcsize(fmt)
    data = fh.read(n * width)
    if len(data) < n * width:
        raise MediaError(f"a sample table at byte {start} is cut short")
    return data, n


def _read_track(fh, start: int, end: int) -> Track:
    t = Track(kind="")

    def walk(s: int, e: int) -> None:
        for kind, a, b in _boxes(fh, s, e):
            if kind in CONTAINERS:
                walk(a, b)
            elif kind == b"hdlr":
                fh.seek(a + 8)
                t.kind = fh.read(4).decode("latin-1")
            elif kind == b"mdhd":
                fh.seek(a)
                version = fh.read(1)[0]
                fh.seek(a + (20 if version == 1 else 12))
                (t.timescale,) = struct.unpack(">I", fh.read(4))
            elif kind == b"stts":
                data, n = _table(fh, a, ">II")
                t.deltas = list(struct.iter_unpack(">II", data))
            elif kind == b"stsz":
                fh.seek(a + 4)
                uniform, n = struct.unpack(">II", fh.read(8))
                if uniform:
                    t.sizes = [uniform] * n
                else:
                    data = fh.read(4 * n)
                    if len(data) < 4 * n:
                        raise MediaError(f"the sample size table at byte {a} is cut short")
                    t.sizes = [s for (s,) in struct.iter_unpack(">I", data)]
            elif kind == b"stz2":
                fh.seek(a + 4)
                bits = struct.unpack(">I", fh.read(4))[0] & 0xFF
                (n,) = struct.unpack(">I", fh.read(4))
                raw = fh.read((n * bits + 7) // 8)
                if bits == 16:
                    t.sizes = [s for (s,) in struct.iter_unpack(">H", raw[: 2 * n])]
                elif bits == 8:
                    t.sizes = list(raw[:n])
                else:  # 4-bit sizes
                    t.sizes = [(raw[i // 2] >> (4 if i % 2 == 0 else 0)) & 0xF for i in range(n)]
            elif kind == b"stco":
                data, n = _table(fh, a, ">I")
                t.chunk_offsets = [o for (o,) in struct.iter_unpack(">I", data)]
            elif kind == b"co64":
                data, n = _table(fh, a, ">Q")
                t.chunk_offsets = [o for (o,) in struct.iter_unpack(">Q", data)]
            elif kind == b"stsc":
                data, n = _table(fh, a, ">III")
                t.chunk_runs = [(first, per) for first, per, _ in struct.iter_unpack(">III", data)]
    walk(start, end)
    return t


def layout(path: Path) -> Layout:
    """The sample tables of every track of the MP4 at `path`. MediaError when its boxes cannot be read."""
    path = Path(path)
    size = path.stat().st_size
    tracks: list[Track] = []
    fragmented = False
    try:
        with open(path, "rb") as fh:
            for kind, a, b in _boxes(fh, 0, size):
                if kind == b"moov":
                    for k2, a2, b2 in _boxes(fh, a, b):
                        if k2 == b"trak":
                            tracks.append(_read_track(fh, a2, b2))
                        elif k2 == b"mvex":
                            fragmented = True
                elif kind == b"moof":
                    fragmented = True
    except (struct.error, IndexError) as err:
        raise MediaError(f"{path}: its MP4 boxes cannot be read ({err})") from None
    return Layout(size=size, tracks=tracks, fragmented=fragmented)
