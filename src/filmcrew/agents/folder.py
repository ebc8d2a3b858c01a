"""The folder the MCP server works in (PROJECTS_DIR): a project is named, never given as a path, and every path
a tool reads or writes is checked to lie inside it (names validated, paths resolved, symbolic links followed
and refused when they lead out)."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from .. import project
from ..errors import ConfigError, FilmcrewError

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
SECRET_NAMES = re.compile(r"KEY|SECRET|TOKEN|PASSWORD|AUTH", re.I)


class Outside(FilmcrewError):
    """A name or path that would lead outside the projects folder (or the project)."""


class Projects:
    """PROJECTS_DIR: `root(name)` is the folder of the project called `name` (a direct child of it)."""

    def __init__(self, base: Path, env: dict | None = None):
        self.base = Path(base).resolve()
        if not self.base.is_dir():
            raise ConfigError(f"{base}: no such folder; `filmcrew mcp PROJECTS_DIR` serves the projects in a folder")
        # the values of the environment's keys, never to appear in an answer (see `clean`)
        self.secrets = sorted({v for k, v in (env or {}).items() if SECRET_NAMES.search(k) and len(v) >= 6},
                              key=len, reverse=True)

    def root(self, name: str, exists: bool = True) -> Path:
        """The project folder called `name`; refused when the name is not a plain folder name, when it leads out
        of the projects folder, or (with `exists`) when no project is there."""
        if not isinstance(name, str) or not NAME.match(name) or name in (".", ".."):
            raise Outside(f"{name!r} is not a project name: a project is a folder directly inside the projects folder, "
                          f"named with letters, digits, '.', '_' or '-' (at most 64); list_projects shows them")
        p = self.base / name
        if p.is_symlink() or p.resolve().parent != self.base:
            raise Outside(f"{name}: leads outside the projects folder; a project is a folder inside it")
        if exists and not (p / project.CONFIG_NAME).is_file():
            raise ConfigError(f"{name}: no project of that name; list_projects shows the projects, new_project makes one")
        return p

    def inside(self, root: Path, rel: str) -> Path:
        """A file named relative to a project (e.g. takes/line.wav): refused when absolute, when it climbs out,
        or when a symbolic link takes it out of the project."""
        if not isinstance(rel, str) or not rel or rel.startswith(("/", "\\")) or "\x00" in rel or re.match(r"^[A-Za-z]:", rel):
            raise Outside(f"{rel!r}: name a file inside the project, relative to it (e.g. takes/ep01-s01-l01.wav)")
        real_root = Path(root).resolve()
        p = (real_root / rel).resolve()
        if real_root != p and real_root not in p.parents:
            raise Outside(f"{rel}: lies outside the project; name a file inside it")
        return p

    def names(self) -> list[str]:
        out = []
        for p in sorted(self.base.iterdir()):
            if NAME.match(p.name) and not p.is_symlink() and (p / project.CONFIG_NAME).is_file():
                out.append(p.name)
        return out

    def clean(self, text: str) -> str:
        """Text fit for an answer: the projects folder's own path taken out (a project's files are named from the
        project's name), and any key of the environment replaced."""
        text = str(text).replace(str(self.base) + os.sep, "")
        for s in self.secrets:
            text = text.replace(s, "[key withheld]")
        return text


def version(path: Path) -> str:
    """A file's version as the studio names it: the SHA-256 of its text ("" when it does not exist)."""
    if not path.exists():
        return hashlib.sha256(b"").hexdigest()
    return hashlib.sha256(path.read_text(encoding="utf-8").encode("utf-8")).hexdigest()


__all__ = ["Projects", "Outside", "version", "NAME"]
