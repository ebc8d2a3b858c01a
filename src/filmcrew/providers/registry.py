"""Find providers through the ``filmcrew.providers`` entry-point group.

The built-in manifest is the fallback when the package metadata is not installed
(e.g. running from a source tree). A broken plugin is reported, not fatal: only
asking for that provider raises.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from importlib.metadata import entry_points

from ..errors import ConfigError, ProviderError, did_you_mean

BUILTIN = {
    "story-engine": "filmcrew.writer.engine:StoryEngine",
    "openai-chat": "filmcrew.providers.openai_chat:OpenAIChatWriter",
    "procedural": "filmcrew.providers.procedural_art:ProceduralIllustrator",
    "camera-moves": "filmcrew.providers.camera_moves:CameraMoveAnimator",
    "piper": "filmcrew.providers.piper_voice:PiperVoiceProvider",
    "espeak-ng": "filmcrew.providers.espeak_voice:EspeakVoiceProvider",
    "openai-speech": "filmcrew.providers.openai_speech:OpenAISpeechProvider",
    "midi": "filmcrew.providers.midi_composer:MidiComposer",
    "synth-foley": "filmcrew.providers.synth_foley:SynthFoley",
    "openai-images": "filmcrew.providers.remote.openai_images:OpenAIImagesIllustrator",
    "seedream": "filmcrew.providers.remote.seedream:SeedreamIllustrator",
    "comfyui": "filmcrew.providers.remote.comfyui:comfyui",
    "kling": "filmcrew.providers.remote.kling:KlingAnimator",
    "seedance": "filmcrew.providers.remote.seedance:SeedanceAnimator",
    "veo": "filmcrew.providers.remote.veo:VeoAnimator",
    "hailuo": "filmcrew.providers.remote.hailuo:HailuoAnimator",
    "runway": "filmcrew.providers.remote.runway:RunwayAnimator",
    "minimax-music": "filmcrew.providers.remote.minimax_music:MiniMaxComposer",
    "minimax-speech": "filmcrew.providers.remote.minimax_speech:MiniMaxSpeech",
    "volcengine-speech": "filmcrew.providers.remote.volcengine_speech:VolcengineSpeech",
    "elevenlabs": "filmcrew.providers.remote.elevenlabs_speech:ElevenLabsSpeech",
    "kling-lipsync": "filmcrew.providers.remote.kling_lipsync:KlingLipSync",
}


_PLUGINS: dict[tuple, dict[str, str]] = {}  # {sys.path: the plugins installed on it}


def _plugins() -> dict[str, str]:
    """The `filmcrew.providers` entry points, read once a process for the import path it has: reading them scans
    every installed distribution's metadata (10 ms a time here), and a make asked 43 times before its first task
    (0.4 s of a one-line edit's: issue 36). A plugin installed while a process runs (a studio left open) is seen
    after a restart, as Python's own imports would need."""
    key = tuple(sys.path)
    if key not in _PLUGINS:
        _PLUGINS.clear()
        _PLUGINS[key] = {ep.name: ep.value for ep in entry_points(group="filmcrew.providers")}
    return _PLUGINS[key]


def available() -> dict[str, str]:
    return {**BUILTIN, **_plugins()}


SHOT_ROLES = {"illustrator": "draw", "animator": "animate"}  # the roles a shot may give another provider, and
# the method a provider of that role has ([[shot: illustrator: NAME]], [[shot: animator: NAME]])
OPT_IN_ROLES = {"lipsync": "lipsync"}  # roles only a shot's note asks for ([[shot: lipsync: NAME]]): the project
# has no provider of its own for them (crew/lipsync.py checks the names at plan)


ROLE_METHODS = {**SHOT_ROLES, **OPT_IN_ROLES, "writer": "write", "voice": "speak", "composer": "compose", "foley": "ambience",
                "translator": "translate"}  # every role a provider plays, and the method that plays it


def plays(name: str, role: str) -> bool:
    """Whether provider `name` can play `role` (one of ROLE_METHODS), judged from its class without building it (no
    settings or keys are needed): a class with the role's method, or a factory that lists the role in `roles`."""
    targets = available()
    if name not in targets:
        return False
    try:
        obj = _load_target(targets[name])
    except Exception:  # noqa: BLE001 - a broken plugin plays nothing (asking for it says why)
        return False
    if inspect.isclass(obj):
        return callable(getattr(obj, ROLE_METHODS[role], None))
    return role in getattr(obj, "roles", ())


def for_role(role: str) -> list[str]:
    """The providers that can play `role`, by name."""
    return sorted(n for n in available() if plays(n, role))


def _load_target(target: str):
    module, _, attr = target.partition(":")
    mod = importlib.import_module(module)
    return getattr(mod, attr)


def load(name: str, settings: dict | None = None, env: dict | None = None, project: str | None = None,
         role: str | None = None):
    """Instantiate provider ``name`` with its ``[providers.NAME]`` settings. A provider whose constructor takes
    ``project`` is given the project folder (to find files named in its settings, e.g. a workflow), and one
    that takes ``role`` the role it plays (one name may serve two roles: comfyui)."""
    targets = available()
    if name not in targets:
        raise ConfigError(f"filmcrew.toml: [providers]: unknown provider {name!r}; available: {', '.join(sorted(targets))}")
    try:
        cls = _load_target(targets[name])
    except ProviderError:
        raise
    except Exception as err:
        raise ProviderError(f"provider {name!r} ({targets[name]}) is broken: {type(err).__name__}: {err}") from err
    kwargs = dict(settings or {})
    accepts = inspect.signature(cls).parameters
    if project is not None and "project" in accepts:
        kwargs["project"] = project
    if role is not None and "role" in accepts:
        kwargs["role"] = role
    from .keys import environment  # the environment first, then the keys a person entered (providers/keys.py)
    try:
        return cls(**kwargs, env=environment(env))
    except TypeError as err:
        import re
        m = re.search(r"unexpected keyword argument '(\w+)'", str(err))
        if m is None:
            raise ConfigError(f"filmcrew.toml: [providers.{name}]: {err}") from err
        known = _settings_of(cls)
        raise ConfigError(f"filmcrew.toml: [providers.{name}] {m.group(1)}: unknown setting"
                          + did_you_mean(m.group(1), known)
                          + f" ({name} reads: {', '.join(known) or 'no settings'})") from None


def _settings_of(cls) -> list[str]:
    """The settings a provider's constructor reads, along its classes (a subclass passes **settings on)."""
    out: list[str] = []
    for c in (inspect.getmro(cls) if inspect.isclass(cls) else (cls,)):
        init = c.__init__ if inspect.isclass(c) else c
        try:
            params = inspect.signature(init).parameters
        except (TypeError, ValueError):
            continue
        out += [k for k, p in params.items() if k not in ("self", "env", "project", "role") and k not in out
                and p.kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)]
    return out
