"""One exception tree. Every message names the file, line or field and the fix."""

from __future__ import annotations


class FilmcrewError(Exception):
    """Base of every error filmcrew raises on purpose; the CLI prints it and exits 2."""

    exit_code = 2


class ConfigError(FilmcrewError):
    """filmcrew.toml or bible.yaml is missing, malformed or has a bad field."""


class ScriptError(FilmcrewError):
    """A screenplay cannot be parsed or refers to something that does not exist."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        where = path or "<screenplay>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line


class ProviderError(FilmcrewError):
    """A provider failed or is not available."""


class MissingExtraError(ProviderError):
    """An optional dependency is missing; the message names the pip command."""

    def __init__(self, what: str, extra: str):
        super().__init__(f"{what} needs an optional extra: pip install 'filmcrew[{extra}]'")
        self.extra = extra


class MediaError(FilmcrewError):
    """ffmpeg failed, or a media file (a take) is not what it should be."""


class TaskError(FilmcrewError):
    """One or more tasks failed; the others were kept."""


class TimelineImportError(FilmcrewError):
    """An edited timeline cannot be read, or holds clips filmcrew cannot place; nothing was changed."""
