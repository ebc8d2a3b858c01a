"""The story an agent reads and edits: the screenplay (a whole episode, or one shot's action or one line's words
by id) and the bible's characters. Edits write the same files a text editor would, carry the version (SHA-256)
of the text they started from (refused when the file changed since, as in the studio), are checked as `filmcrew
script check` checks them before anything is written, and are refused while a make of the project runs (what it
pays for is what was planned)."""

from __future__ import annotations

import threading

import yaml

from .. import pipeline, project
from ..engine import atomic
from ..engine.lock import holder
from ..errors import ConfigError, ScriptError
from ..story.screenplay import replace_action
from .folder import version

_save = threading.Lock()


class Stale(ConfigError):
    """The file changed since the version the edit started from."""


def episode_number(root, episode: int) -> int:
    cfg = project.load_config(root)
    if not isinstance(episode, int) or not 1 <= episode <= cfg.episodes:
        raise ConfigError(f"{root.name} has episode(s) 1 to {cfg.episodes}; there is no episode {episode}")
    return episode


def read_screenplay(root, episode: int = 1) -> dict:
    n = episode_number(root, episode)
    path = project.episode_path(root, n)
    if not path.exists():
        raise ConfigError(f"{root.name}: episode {n} is not written yet; call write first")
    text = path.read_text(encoding="utf-8")
    cfg = project.load_config(root)
    rel = str(path.relative_to(root))
    report = project.script_report(text, rel, cfg.language, project.known_characters(root))
    shots = []
    if not report["errors"]:
        ep = pipeline.load_episode(root, n, project.load_bible(root), cfg.language)
        for sc in ep.scenes:
            for sh in sc.shots:
                shots.append({"id": sh.id, "scene": sc.id, "action": sh.action, "camera": sh.camera,
                              "characters": list(sh.characters), "source_line": sh.source_line,
                              "lines": [{"id": ln.id, "speaker": ln.speaker, "text": ln.text} for ln in sh.lines],
                              **({"seed": sh.seed} if sh.seed else {}),
                              **({"illustrator": sh.illustrator} if sh.illustrator else {}),
                              **({"animator": sh.animator} if sh.animator else {})})
    return {"project": root.name, "episode": n, "file": rel, "version": version(path), "text": text,
            "shots": shots, "problems": report["errors"], "runtime_seconds": report.get("runtime_seconds")}


def _not_making(root) -> None:
    from . import jobs
    rec = jobs.running(root)
    if rec is not None and rec["kind"] == "make":
        raise ConfigError(f"{root.name}: job {rec['id']} ({rec['command']}) is running; edits wait until it ends or is "
                          f"cancelled, so that what it pays for is what its plan showed")
    who = holder(root)
    if who is not None:
        raise ConfigError(f"{root.name}: a make is running (pid {who.get('pid', '?')}); edits wait until it ends or is "
                          f"cancelled, so that what it pays for is what its plan showed")


def replace_dialogue(text: str, source_line: int, old: str, new: str) -> str:
    """The screenplay `text` with the dialogue that starts on `source_line` (1-based) saying `new` instead of `old`
    (its character cue and parenthetical kept); ScriptError when it no longer says `old`."""
    lines = text.split("\n")
    a = source_line - 1
    if not 0 <= a < len(lines) or not lines[a].strip():
        raise ScriptError("that line is no longer where it was; read the screenplay again", line=source_line)
    b = a
    while b + 1 < len(lines) and lines[b + 1].strip() and not lines[b + 1].strip().startswith("("):
        b += 1
    said = " ".join(" ".join(lines[a:b + 1]).split())
    if said != " ".join(old.split()):
        raise ScriptError("the line changed since it was read; read the screenplay again", line=source_line)
    new = " ".join(str(new).split())
    if not new:
        raise ScriptError("a line needs words; to cut it, edit the whole episode's text", line=source_line)
    if "[[" in new or "]]" in new or new.startswith(("(", "!", "@", "#", "~", ">", ".")):
        raise ScriptError("a line is plain words: no [[notes]], and not something Fountain reads as another element",
                          line=source_line)
    indent = lines[a][:len(lines[a]) - len(lines[a].lstrip())]
    return "\n".join(lines[:a] + [indent + new] + lines[b + 1:])


def edit_screenplay(root, episode: int, version_id: str, text: str | None = None, shot: str | None = None,
                    action: str | None = None, line: str | None = None, words: str | None = None) -> dict:
    """Write the episode's whole `text`, or one shot's `action`, or one line's `words`; refused on a stale
    `version_id`, on a text with problems, and while a make runs. The new version and what changed."""
    n = episode_number(root, episode)
    path = project.episode_path(root, n)
    if not path.exists():
        raise ConfigError(f"{root.name}: episode {n} is not written yet; call write first")
    asked = [x for x in (text is not None, shot is not None, line is not None) if x]
    if len(asked) != 1:
        raise ConfigError("edit_screenplay changes one thing: the whole `text`, or one `shot` (with its new `action`), "
                          "or one `line` (with its new `words`)")
    _not_making(root)
    cfg = project.load_config(root)
    with _save:
        disk = path.read_text(encoding="utf-8")
        if version_id != version(path):
            raise Stale(f"{path.relative_to(root)} changed since version {str(version_id)[:12]}... was read (it is "
                        f"{version(path)[:12]}... now); nothing was written: read_screenplay again and redo the edit")
        if text is not None:
            new, what = text.replace("\r\n", "\n"), "the whole episode"
        else:
            ep = pipeline.load_episode(root, n, project.load_bible(root), cfg.language)
            if shot is not None:
                sh = next((s for s in ep.shots() if s.id == shot), None)
                if sh is None or action is None:
                    raise ConfigError(f"{shot!r}: no such shot in episode {n}" if sh is None else
                                      "give the shot's new `action` (what we see: the prompt its picture is made from)")
                new, what = replace_action(disk, sh.source_line, sh.action, action), f"the action of {shot}"
            else:
                ln = next((x for x in ep.lines() if x.id == line), None)
                if ln is None or words is None:
                    raise ConfigError(f"{line!r}: no such line in episode {n}" if ln is None else
                                      "give the line's new `words`")
                new, what = replace_dialogue(disk, ln.source_line, ln.text, words), f"the words of {line}"
        rel = str(path.relative_to(root))
        report = project.script_report(new, rel, cfg.language, project.known_characters(root))
        if report["errors"]:
            raise ScriptError(f"{rel}: the edit leaves problems, so nothing was written: " + "; ".join(report["errors"][:5]))
        atomic.write_text(path, new)
    return {"project": root.name, "episode": n, "file": rel, "changed": what, "version": version(path),
            "next": "plan shows what the change re-makes (only what depends on it); make makes it"}


def read_bible(root) -> dict:
    path = root / "story" / "bible.yaml"
    bible = project.load_bible(root)
    return {"project": root.name, "file": "story/bible.yaml", "version": version(path),
            "bible": project.bible_to_dict(bible), "text": path.read_text(encoding="utf-8")}


CHARACTER_FIELDS = ("role", "description", "want", "flaw", "look", "palette", "costume", "voice")


def edit_character(root, name: str, changes: dict, version_id: str) -> dict:
    """Change one character of the bible (`changes`: any of role, description, want, flaw, look, palette, costume,
    voice); checked as the bible is checked when read; refused on a stale version and while a make runs."""
    path = root / "story" / "bible.yaml"
    if not isinstance(changes, dict) or not changes:
        raise ConfigError(f"give the character's changes: any of {', '.join(CHARACTER_FIELDS)}")
    bad = [k for k in changes if k not in CHARACTER_FIELDS]
    if bad:
        raise ConfigError(f"{bad[0]}: not a character field you can change here; fields: {', '.join(CHARACTER_FIELDS)} "
                          f"(a new character or another name: edit the screenplay and the bible's text)")
    _not_making(root)
    with _save:
        if version_id != version(path):
            raise Stale(f"story/bible.yaml changed since version {str(version_id)[:12]}... was read; nothing was "
                        f"written: read_bible again and redo the edit")
        d = project.bible_to_dict(project.load_bible(root))
        who = next((c for c in d["characters"] if c["name"] == str(name).strip().upper()), None)
        if who is None:
            raise ConfigError(f"{name!r}: no such character; the bible's characters are "
                              f"{', '.join(c['name'] for c in d['characters'])}")
        for k, v in changes.items():
            who[k] = {**who[k], **v} if k in ("look", "voice") and isinstance(v, dict) else v
        bible = project.bible_from_dict(yaml.safe_load(yaml.safe_dump(d, allow_unicode=True)), "story/bible.yaml")
        project.save_bible(root, bible)
    return {"project": root.name, "character": who["name"], "changed": sorted(changes), "version": version(path),
            "next": "plan shows what the change re-makes (the character's reference and the shots that show them)"}


__all__ = ["read_screenplay", "edit_screenplay", "read_bible", "edit_character", "replace_dialogue", "Stale"]
