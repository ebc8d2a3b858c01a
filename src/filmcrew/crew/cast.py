"""The cast: which provider plays each role of a project, loaded once each, with its ``[providers.NAME]`` settings.

One object (`Cast`) does all the loading a make needs, instead of a copy of ``registry.load`` per kind of provider:
the project's own provider for each role (``[providers]`` of filmcrew.toml), the voices the bible names per
character, and the providers single shots name in their notes (``[[shot: animator: kling]]``), each loaded when
first asked for. It also checks the names before anything is made (each blamed on the file that names it), and says
which providers call a service over the network (where their tasks run on a cluster: `placement`).

It reads a ``project.Config`` by its fields (``providers``, ``provider_settings``, ``subtitle_languages``) and does
not import ``project`` (which sits above the crew).
"""

from __future__ import annotations

from pathlib import Path

from ..engine.layout import Layout
from ..errors import ConfigError, ScriptError
from ..providers import registry
from .common import Crew


class Cast:
    """The providers of one project's make, loaded when first asked for, one per (role, name)."""

    def __init__(self, providers: dict[str, str], settings: dict, env: dict, root: Path | None = None,
                 translate: bool = False):
        self.providers, self.settings, self.env, self.root, self.translate = providers, settings, env, root, translate
        self._loaded: dict = {}

    @classmethod
    def of(cls, cfg, env: dict, root: Path | None = None) -> "Cast":
        """The cast of the project whose filmcrew.toml is `cfg` (a project.Config), in folder `root`."""
        return cls(cfg.providers, cfg.provider_settings, env, root, bool(cfg.subtitle_languages))

    def load(self, name: str, role: str | None = None, in_project: bool = True):
        """Provider `name` (playing `role`, for a provider that plays several), with its settings; a provider that
        takes the project folder is given it when `in_project`. Loaded once."""
        key = (role, name, in_project)
        if key not in self._loaded:
            root = str(self.root) if self.root and in_project else None
            self._loaded[key] = registry.load(name, self.settings.get(name), self.env, root, role)
        return self._loaded[key]

    def role(self, role: str):
        """The project's own provider for `role` (``[providers] ROLE = NAME``)."""
        return self.load(self.providers[role], role)

    def writer(self):
        """The writer, as `filmcrew write` loads it (no project folder, no role)."""
        return self.load(self.providers["writer"], in_project=False)

    def crew(self) -> Crew:
        """The crew of a make: the project's provider for each role, the characters' voices and the shots' own
        providers, the last two loaded when first asked for."""
        return Crew(writer=None, illustrator=self.role("illustrator"), animator=self.role("animator"),
                    voice=_Voices(self), composer=self.role("composer"), foley=self.role("foley"),
                    translator=self.role("translator") if self.translate else None, others=_ShotProviders(self))

    def check_names(self, bible) -> None:
        """Every provider named in filmcrew.toml and in the bible's voices exists, each blamed on its own file."""
        known = registry.available()
        for role, name in self.providers.items():
            if name not in known:
                raise ConfigError(f"{Layout.of(self.root).config}: [providers] {role}: unknown provider {name!r}; "
                                  f"available: {', '.join(sorted(known))}")
        for i, ch in enumerate(bible.characters):
            if ch.voice.provider not in known:
                raise ConfigError(f"{Layout.of(self.root).bible}: characters[{i}].voice.provider: unknown provider "
                                  f"{ch.voice.provider!r} for {ch.name}; available: {', '.join(sorted(known))}")

    @staticmethod
    def check_shots(path: Path, ep) -> None:
        """Every provider a shot names in its note exists and plays that role (blamed on the shot's line)."""
        for sh in ep.shots():
            for role in registry.SHOT_ROLES:
                name = getattr(sh, role)
                if name and not registry.plays(name, role):
                    can = registry.for_role(role)
                    raise ScriptError(f"shot {sh.id}: {role}: {name!r} " + ("is not a provider" if name not in
                                      registry.available() else f"does not play the {role}") + f"; use one of "
                                      f"{', '.join(can)}, or take the {role} out of the note for the project's",
                                      path=str(path), line=sh.source_line)


class _Voices(dict):
    """Voice providers by name (bible.yaml names them per character), loaded when a character first asks."""

    def __init__(self, cast: Cast):
        super().__init__()
        self._cast = cast

    def get(self, name, default=None):
        if name not in self:
            self[name] = self._cast.load(name, in_project=False)
        return dict.get(self, name, default)


class _ShotProviders(dict):
    """The providers single shots ask for by name (`[[shot: animator: kling]]`), one per (role, name)."""

    def __init__(self, cast: Cast):
        super().__init__()
        self._cast = cast

    def __call__(self, role: str, name: str):
        if (role, name) not in self:
            self[role, name] = self._cast.load(name, role)
        return self[role, name]


def members(crew: Crew) -> list:
    """Every provider the crew has loaded so far."""
    return [p for p in (crew.writer, crew.illustrator, crew.animator, *crew.voice.values(), crew.composer, crew.foley,
                        crew.translator, *(crew.others or {}).values()) if p is not None]


def networked(crew: Crew) -> set[str]:
    """The names of the crew's providers that call a service over the network (a vendor's model, a server)."""
    return {p.name for p in members(crew)
            if hasattr(p, "base_url") or type(p).__module__.startswith("filmcrew.providers.remote")}


def placement(crew: Crew):
    """Where each task runs on a cluster: a task of a networked provider (a vendor's API: its concurrency lanes,
    job journal and key are this process's), the consistency check (its retake allowance is this make's) and the
    light roles stay on this machine; the others get a CPU on the cluster, and a GPU when their provider says it
    needs one."""
    from ..engine.ray_cluster import DRIVER, hints
    remote = networked(crew)
    gpu = {p.name for p in members(crew) if getattr(p, "gpu", False)}

    def where(task):
        hint = hints(task)
        if task.role == "consistency" or task.provider.name in remote or hint == DRIVER:
            return DRIVER
        return {**hint, **({"num_gpus": 1} if task.provider.name in gpu else {})}
    return where
