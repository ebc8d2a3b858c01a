"""Content-addressed artifact store under ``.filmcrew/``.

``objects/KK/KEY/`` holds one artifact's files plus ``record.json`` (its ledger
record, the components of its key, and the size and SHA-256 of each of its files).
An artifact appears by renaming a finished temp folder, so a reader never sees half
an artifact and an interrupted run leaves only ``tmp/`` litter, cleared on the next
run. ``index/ARTIFACT.json`` remembers the last key made for each artifact id, so
``plan`` can say why a key changed.

The artifacts may live outside the project (``FILMCREW_STORE``: a shared mount for a cluster, one cache for
several projects): the project's ``.filmcrew/store.txt`` then names that folder, which holds ``objects/`` and
``tmp/``, and the project keeps its own ``index/``. Content keys make sharing safe: a key made by any project
is the same artifact for all. ``tmp/`` of a shared store is cleared only of folders a day old (another
project's make may be writing in it).

Nothing in the folder is trusted unchecked: ``damage`` compares the files with their
record (sizes always, digests of files up to ``CHEAP_DIGEST`` bytes, every digest
when asked, as ``filmcrew verify`` does), and a damaged artifact is planned again
with the reason "damaged (...)" and replaced when it is made.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import uuid
from pathlib import Path

from ..errors import FilmcrewError
from . import atomic
from .layout import Layout

CHEAP_DIGEST = 4 << 20  # files up to this size are hashed on every check; bigger ones on `filmcrew verify`
DAMAGED = "damaged.txt"  # marker left by `mark_damaged` (a full check found what a cheap one cannot see)
RECORD = "record.json"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def inventory(folder: Path) -> dict[str, dict]:
    """{relative path: {size, sha256}} of every file under `folder` (the record and marker aside)."""
    out = {}
    for p in sorted(Path(folder).rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and rel not in (RECORD, DAMAGED):
            out[rel] = {"size": p.stat().st_size, "sha256": sha256(p)}
    return out


STALE_TMP_S = 24 * 3600  # a shared store's tmp/ folder this old is a killed make's litter


class Store:
    """`root`: the project's .filmcrew/ (its index; its artifacts too, unless `shared` holds them)."""

    def __init__(self, root: Path, shared: Path | None = None, layout: Layout | None = None):
        self.root = Path(root)
        self.layout = layout  # the project's folder, when the store is a project's (for_project)
        self.shared = Path(shared) if shared else None
        base = self.shared or self.root
        self.objects = base / "objects"
        self.index = self.root / "index"
        self.tmp = base / "tmp"
        self._sound: dict[tuple[str, bool], tuple] = {}  # checks that passed, by the files' stat signature
        self._lock = threading.Lock()

    def path(self, key: str) -> Path:
        return self.objects / key[:2] / key

    @property
    def jobs(self) -> Path:
        """The journal of the paid jobs whose results this store keeps (the project's .filmcrew/jobs/)."""
        return self.layout.jobs if self.layout is not None else self.root / "jobs"

    def has(self, key: str) -> bool:
        return (self.path(key) / RECORD).exists()

    def made(self, task) -> bool:
        """Whether `task` is made as it stands now (False when its key still waits on an input)."""
        from .graph import Pending
        try:
            return self.has(task.key)
        except Pending:
            return False

    def record(self, key: str) -> dict:
        p = self.path(key) / RECORD
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except (ValueError, OSError) as err:
            raise FilmcrewError(f"{p} is unreadable ({type(err).__name__}): run `filmcrew make` to re-make that "
                                f"artifact, or delete the folder {p.parent}") from None

    def damage(self, key: str, full: bool = False) -> str | None:
        """Why the artifact under `key` cannot be used, or None when it checks out. Sizes are always compared
        with the record; digests of files up to CHEAP_DIGEST bytes, or of every file when `full`. A record
        from before records carried their files is trusted as it is."""
        folder = self.path(key)
        marker = folder / DAMAGED
        if marker.exists():
            return marker.read_text(encoding="utf-8", errors="replace").strip() or "marked damaged"
        try:
            rec = json.loads((folder / RECORD).read_text(encoding="utf-8"))
            files = rec.get("files") if isinstance(rec, dict) else None
            if files is not None and not isinstance(files, dict):
                raise ValueError("'files' is not a table")
        except (ValueError, OSError) as err:
            return (f"{folder / RECORD} is unreadable ({type(err).__name__}); it will be re-made, "
                    f"or delete the folder {folder}")
        if not files:
            return None
        stats = {}
        for rel, want in sorted(files.items()):
            p = folder / rel
            try:
                st = p.stat()
            except OSError:
                return f"{rel} is missing"
            size = want.get("size") if isinstance(want, dict) else None
            if st.st_size != size:
                return f"{rel} is {st.st_size} bytes, its record says {size}"
            stats[rel] = (st.st_size, st.st_mtime_ns, st.st_ino)
        signature = tuple(sorted(stats.items()))
        with self._lock:
            if self._sound.get((key, full)) == signature or self._sound.get((key, True)) == signature:
                return None
        for rel, want in sorted(files.items()):
            if (full or want["size"] <= CHEAP_DIGEST) and sha256(folder / rel) != want.get("sha256"):
                return f"{rel} does not match its recorded SHA-256"
        with self._lock:
            self._sound[(key, full)] = signature
        return None

    def mark_damaged(self, key: str, why: str) -> None:
        """Remember that a full check found this artifact damaged, so that the next make re-makes it."""
        atomic.write_text(self.path(key) / DAMAGED, why + "\n")

    def new_workdir(self) -> Path:
        d = self.tmp / uuid.uuid4().hex
        d.mkdir(parents=True)
        return d

    def commit(self, key: str, workdir: Path, record: dict) -> Path:
        """Write record.json (with the size and digest of every file) into workdir, then move it into place
        atomically. A damaged artifact already under the key is replaced; a sound one is kept."""
        record = {**record, "files": inventory(workdir)}
        atomic.write_text(workdir / RECORD, json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False))
        dest = self.path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(workdir, dest)
        except OSError:
            if self.has(key) and self.damage(key) is None:  # made concurrently by another run: keep the first
                shutil.rmtree(workdir, ignore_errors=True)
                return dest
            aside = self.tmp / f"replaced-{uuid.uuid4().hex}"  # a damaged or partial folder: swap it out
            os.rename(dest, aside)
            os.rename(workdir, dest)
            shutil.rmtree(aside, ignore_errors=True)
        return dest

    def last(self, artifact: str) -> dict | None:
        p = self.index / f"{artifact}.json"
        if not p.exists():
            return None
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            return None

    def remember(self, artifact: str, key: str, components: dict) -> None:
        atomic.write_text(self.index / f"{artifact}.json",
                          json.dumps({"key": key, "components": components}, sort_keys=True))

    def clear_tmp(self) -> None:
        if self.shared is None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return
        import time
        for d in self.tmp.iterdir() if self.tmp.is_dir() else []:
            try:
                if time.time() - d.stat().st_mtime > STALE_TMP_S:
                    shutil.rmtree(d, ignore_errors=True)
            except OSError:
                continue


def for_project(root: Path) -> Store:
    """The store of the project in `root`: its .filmcrew/, or the folder its .filmcrew/store.txt names."""
    folder = Layout.of(root).state
    p = Layout.of(root).store_location
    try:
        shared = p.read_text(encoding="utf-8").strip() if p.is_file() else ""
    except OSError as err:
        raise FilmcrewError(f"{p}: unreadable ({err}); it names the folder of this project's artifacts") from None
    return Store(folder, Path(shared) if shared else None, Layout.of(root))


def locate(root: Path, shared: Path, source: str = "FILMCREW_STORE") -> None:
    """Keep the artifacts of the project in `root` in `shared` from now on (written into its .filmcrew/)."""
    shared = Path(shared).expanduser().resolve()
    try:
        (shared / "objects").mkdir(parents=True, exist_ok=True)
        (shared / "tmp").mkdir(exist_ok=True)
    except OSError as err:
        raise FilmcrewError(f"{source}={shared}: cannot be used as the store of artifacts ({err.strerror or err}); "
                            f"point it at a folder you can write (for a cluster, one every node mounts at the same "
                            f"path), or unset it") from None
    p = Layout.of(root).store_location
    if not p.is_file() or p.read_text(encoding="utf-8").strip() != str(shared):
        atomic.write_text(p, str(shared) + "\n")
