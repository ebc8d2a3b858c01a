"""The project folder as one value: where every file of a project lies.

A project is a folder (README, "The project"):

    filmcrew.toml        the settings
    story/               bible.yaml and epNN.fountain: the human-editable source of truth
    takes/               a person's material that replaces a generated one (and picks.toml)
    cut/                 epNN.json: a cut a person made in an editor
    out/                 what a user ships
    .filmcrew/           the machine's state:
        objects/ index/ tmp/   the content-addressed store (objects/ and tmp/ elsewhere when store.txt names a folder)
        store.txt              where the artifacts live when not here
        jobs/                  the journal of paid remote jobs (engine/jobs.py)
        events/                each make's structured events (engine/events.py)
        make.lock              one make at a time (engine/lock.py)
        writer.json            what the writer was asked for
        studio/                the studio's logs, thumbnails and uploads
        mcp/jobs/ mcp/plans/   the MCP server's jobs and confirm tokens

`Layout` alone spells these names; every wing asks it instead of joining strings onto a root.

Why here, in `engine/`: the layout rule (tests/test_layout.py) lets a wing import only the wings below it, and the
engine (the store, the lock, the events, the jobs journal) already needs the folder's names. `engine/` is the lowest
wing above the ground, so every wing (providers, crew, story, media, provenance, the faces) can import it; the
ground (`model.py`) stays pure data with no paths. The class does no I/O except `ensure` (make the folders)
and `store()` (which reads store.txt).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CONFIG_NAME = "filmcrew.toml"
STATE = ".filmcrew"


@dataclass(frozen=True)
class Layout:
    """Where each of a project's files lies; `Layout.of(root)` takes a folder or a Layout."""

    root: Path

    def __post_init__(self):
        if not isinstance(self.root, Path):
            object.__setattr__(self, "root", Path(self.root))

    @classmethod
    def of(cls, where: "Layout | Path | str") -> "Layout":
        return where if isinstance(where, Layout) else cls(Path(where))

    # the person's folders
    @property
    def config(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def story(self) -> Path:
        return self.root / "story"

    @property
    def bible(self) -> Path:
        return self.story / "bible.yaml"

    def episode(self, number: int) -> Path:
        """story/epNN.fountain"""
        return self.story / f"ep{number:02d}.fountain"

    @property
    def takes(self) -> Path:
        return self.root / "takes"

    @property
    def picks(self) -> Path:
        """takes/picks.toml: a person's choices among a shot's takes"""
        return self.takes / "picks.toml"

    @property
    def cut(self) -> Path:
        return self.root / "cut"

    def cut_file(self, number: int) -> Path:
        """cut/epNN.json"""
        return self.cut / f"ep{number:02d}.json"

    @property
    def out(self) -> Path:
        return self.root / "out"

    # the machine's state
    @property
    def state(self) -> Path:
        return self.root / STATE

    @property
    def store_location(self) -> Path:
        """.filmcrew/store.txt: names the folder of the artifacts when it is not .filmcrew/ itself"""
        return self.state / "store.txt"

    @property
    def jobs(self) -> Path:
        """.filmcrew/jobs/: the journal of paid remote jobs"""
        return self.state / "jobs"

    @property
    def events(self) -> Path:
        return self.state / "events"

    @property
    def lock(self) -> Path:
        return self.state / "make.lock"

    @property
    def writer_record(self) -> Path:
        return self.state / "writer.json"

    @property
    def studio(self) -> Path:
        """.filmcrew/studio/: the studio's logs, thumbnails and uploads"""
        return self.state / "studio"

    @property
    def mcp(self) -> Path:
        """.filmcrew/mcp/: the MCP server's jobs and confirm tokens"""
        return self.state / "mcp"

    def store(self):
        """The project's store (engine.store.Store): .filmcrew/, or the folder .filmcrew/store.txt names (read here:
        the one other thing this class reads)."""
        from .store import for_project
        return for_project(self)

    def ensure(self) -> "Layout":
        """Make the folders a new project has (story/, takes/, out/, .filmcrew/)."""
        for p in (self.story, self.takes, self.out, self.state):
            p.mkdir(parents=True, exist_ok=True)
        return self


def layout_of(where: "Layout | Path | str") -> Layout:
    return Layout.of(where)


__all__ = ["Layout", "layout_of", "CONFIG_NAME", "STATE"]
