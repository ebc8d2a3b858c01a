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


def did_you_mean(word: str, choices, cutoff: float = 0.6, show=repr) -> str:
    """"; did you mean 'palette'?" for the choice closest to a misspelt `word` (`show` writes it), or "" when none is
    close: the hint every "unknown key" message carries."""
    import difflib
    near = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=cutoff)
    return f"; did you mean {show(near[0])}?" if near else ""


def read_text(path, error: type[FilmcrewError] = ConfigError, what: str = "") -> str:
    """The UTF-8 text of a file a person wrote, or `error` naming the file, the line and the fix: missing,
    unreadable, binary (NUL bytes) or not UTF-8 (a byte-order mark is allowed and dropped)."""
    from pathlib import Path
    p = Path(path)

    def fail(msg: str, line: int | None = None) -> FilmcrewError:
        if issubclass(error, ScriptError):
            return error(msg, path=str(p), line=line)
        return error(f"{p}{f':{line}' if line else ''}: {msg}")

    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise fail(f"no such file{f' ({what})' if what else ''}") from None
    except IsADirectoryError:
        raise fail("is a folder, not a file") from None
    except OSError as err:
        raise fail(f"cannot be read ({err.strerror})") from None
    if b"\0" in data:
        raise fail("is not a text file (it holds NUL bytes); give a UTF-8 text file", data[:data.index(b"\0")].count(b"\n") + 1)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise fail(f"is not UTF-8 (byte 0x{data[err.start]:02x} at position {err.start}); re-save the file as UTF-8 "
                   f"(in most editors: Save with Encoding, UTF-8)", line) from None


def describe_os_error(err: OSError) -> str:
    """What a failed write means to a person, and what to do: a full disk, a read-only folder, ..."""
    import errno
    where = f"{err.filename}: " if getattr(err, "filename", None) else ""
    text = err.strerror or str(err)
    if err.errno in (errno.ENOSPC, errno.EDQUOT) or "requested and" in str(err):  # numpy's short write has no errno
        return (f"{where}the disk is full ({text}); free some space and run the same command again "
                f"(finished work is kept)")
    if err.errno == errno.EFBIG:
        return (f"{where}a file outgrew what this disk or the file-size limit (ulimit -f) allows ({text}); raise the "
                f"limit or use another disk, then run the same command again (finished work is kept)")
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (f"{where}cannot write here ({text}); make the folder writable (chmod u+w) or copy the project "
                f"somewhere writable, then run the same command again")
    return f"{where}{text}"
