"""Content-addressed artifact store under ``.filmcrew/``.

``objects/KK/KEY/`` holds one artifact's files plus ``record.json`` (its ledger
record and the components of its key). An artifact appears by renaming a
finished temp folder, so a reader never sees half an artifact and an interrupted
run leaves only ``tmp/`` litter, cleared on the next run. ``index/ARTIFACT.json``
remembers the last key made for each artifact id, so ``plan`` can say why a key
changed.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

from . import atomic


class Store:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.objects = self.root / "objects"
        self.index = self.root / "index"
        self.tmp = self.root / "tmp"

    def path(self, key: str) -> Path:
        return self.objects / key[:2] / key

    def has(self, key: str) -> bool:
        return (self.path(key) / "record.json").exists()

    def made(self, task) -> bool:
        """Whether `task` is made as it stands now (False when its key still waits on an input)."""
        from .graph import Pending
        try:
            return self.has(task.key)
        except Pending:
            return False

    def record(self, key: str) -> dict:
        return json.loads((self.path(key) / "record.json").read_text(encoding="utf-8"))

    def new_workdir(self) -> Path:
        d = self.tmp / uuid.uuid4().hex
        d.mkdir(parents=True)
        return d

    def commit(self, key: str, workdir: Path, record: dict) -> Path:
        """Write record.json into workdir, then move it into place atomically."""
        atomic.write_text(workdir / "record.json", json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False))
        dest = self.path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(workdir, dest)
        except OSError:
            if not self.has(key):  # a stale partial folder without a record: replace it
                shutil.rmtree(dest, ignore_errors=True)
                os.rename(workdir, dest)
            else:  # made concurrently by another run: keep the first
                shutil.rmtree(workdir, ignore_errors=True)
        return dest

    def last(self, artifact: str) -> dict | None:
        p = self.index / f"{artifact}.json"
        if not p.exists():
            return None
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            return None

    def remember(self, artifact: str, key: str, components: dict) -> None:
        atomic.write_text(self.index / f"{artifact}.json",
                          json.dumps({"key": key, "components": components}, sort_keys=True))

    def clear_tmp(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


def for_project(root: Path) -> Store:
    """The store of the project in `root`."""
    return Store(Path(root) / ".filmcrew")
