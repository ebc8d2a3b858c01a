"""Atomic writes: a temp file or folder in the same directory, then rename.

The temp file is made private (mkstemp's 0600) and given the mode an ordinary `open` would have given it
(0666 less the umask) before it takes the final name, so subtitles, timelines and story files are as
readable as the user's other files."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def _umask() -> int:
    try:  # Linux says it without changing it (changing it, even for a moment, races with other threads)
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_umask()


def write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def copy_file(src: Path, dst: Path) -> None:
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".tmp", dir=dst.parent)
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, dst)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def copy_if_changed(src: Path, dst: Path) -> bool:
    """`copy_file` unless `dst` already holds the same bytes (then it is left alone). Whether it copied."""
    dst = Path(dst)
    try:
        if dst.stat().st_size == Path(src).stat().st_size and dst.read_bytes() == Path(src).read_bytes():
            return False
    except OSError:
        pass
    copy_file(src, dst)
    return True


def link_or_copy(src: Path, dst: Path) -> Path:
    """`src` at `dst` (replaced atomically): a hard link where the file system allows (no second copy of
    the media), else a copy."""
    src, dst = Path(src), Path(dst)
    tmp = dst.with_name(f".{dst.name}.link")
    tmp.unlink(missing_ok=True)
    try:
        os.link(src, tmp)
        os.replace(tmp, dst)
    except OSError:
        copy_file(src, dst)
    return dst
