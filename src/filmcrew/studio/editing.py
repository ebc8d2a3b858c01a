"""The studio's pages for editing the film rather than its files (issue 32): Settings (filmcrew.toml, the contest
the film aims at, the vendors' keys), a page per character (look, colours, costume, voice, a sample of it), a
shot's length, framing and transition, and shots added, duplicated, deleted and moved on the storyboard. Each
change writes the same file a person would (filmcrew.toml, story/bible.yaml, story/epNN.fountain), refused when
the file changed since the page was read."""

import hashlib
import io
import re
import urllib.parse
from pathlib import Path
from typing import Annotated

from .. import pipeline, project
from ..engine import atomic
from ..errors import FilmcrewError
from ..web.kit import Refused
from . import pages, settings, shots
from . import project as proj

LOOKS = ("face", "skin", "hair", "hair_colour", "eyes", "build", "age", "aura")


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _norm(v) -> str:
    """A form value as compared: a browser sends a textarea's line ends as CRLF and drops its first newline."""
    return str(v).replace("\r\n", "\n").strip()


def was_field(values: dict) -> str:
    """The hidden `was` field of a form: the values the page showed (as the form sends them), so that a save refused
    because the file changed since can tell the person's own changes from the fields they left as they were."""
    import json
    return json.dumps({k: str(v) for k, v in values.items()}, ensure_ascii=False, sort_keys=True)


def own_changes(f: dict) -> dict | None:
    """The fields of form `f` the person changed on the page (its `was` told what the page showed), or None when
    the form carries no readable `was` (then every field counts as theirs, as before)."""
    import json
    try:
        was = json.loads(f.get("was") or "null")
    except ValueError:
        return None
    if not isinstance(was, dict):
        return None
    return {k: v for k, v in f.items() if k not in ("csrf", "version", "was") and _norm(v) != _norm(was.get(k, "\0"))}


def rewrite_screenplay(studio, sid: str, version: str, again: str, edit) -> tuple:
    """Change the screenplay holding shot `sid` as a text editor would: `edit(text, shot, episode number)` gives the
    new text; refused when the screenplay was saved since the page was read (`again` says what to do). The shot,
    its episode's number and the screenplay's path."""
    sh, n = proj.shot(studio.root, sid)
    if sh is None:
        raise Refused(404, f"{sid!r}: no such shot")
    path = project.episode_path(studio.root, n)
    with studio.save_lock:
        text = path.read_text(encoding="utf-8")
        if version != sha(text):
            raise Refused(409, f"the screenplay was saved since this page was read: reload it and {again} "
                               f"(nothing was changed)")
        atomic.write_text(path, edit(text, sh, n))
    return sh, n, path


def add_routes(app, face, studio, render, edits, needs_film, conflict_page):
    """The routes, on the studio's app (`render`, `edits` and `needs_film` as app.py's; `conflict_page(request,
    path, theirs, mine, back)` answers a save refused because the file changed)."""
    from fastapi import File, Form, Query, Request, UploadFile
    from fastapi.responses import Response

    root = studio.root
    face.templates_env.env.globals.update(diff_lines=pages.diff_lines)  # the editor's conflict: a line diff
    config_path = root / project.CONFIG_NAME
    Version = Annotated[str, Form(max_length=64)]
    ShotId = Annotated[str, Form(max_length=64)]

    def form_conflict(request, path: str, theirs: str, mine, back: str, action: str, fields: dict, norm=None):
        """A form's save refused because the file changed since the page was read: the person's changes applied to
        the file as it is now (`mine(theirs)`: its text, or None when they cannot be) shown as a line diff against
        it, with "Keep mine" (the same form again, over the file as it is now) and "Take theirs" (the page again).
        `norm(theirs)`: the file as the page writes it (YAML's layout), so the diff shows only what differs."""
        try:
            text = mine(theirs)
            shown = norm(theirs) if norm else theirs
        except (FilmcrewError, Refused, ValueError, KeyError, TypeError, StopIteration):
            text = None
        if text is None:
            return conflict_page(request, path, theirs, None, back)
        keep = {k: v for k, v in fields.items() if k not in ("csrf", "version")}
        return render(request, "conflict.html", 409, tab="", path=path, theirs=theirs, back=back, mine=text, shown=shown,
                      action=action, fields=keep, version=sha(theirs),
                      message=("bad", f"{path} was saved elsewhere since this page was read: nothing was changed. "
                                      f"Below, your changes over the file as it is now."))

    # ---- settings --------------------------------------------------------------------------------------------
    def settings_shown() -> tuple[dict, dict, str, project.Config]:
        """The settings page's values of filmcrew.toml as it is now (the film's fields, the providers' tables),
        the text they were read from, and the settings read from it."""
        text = config_path.read_text(encoding="utf-8")
        cfg = project.load_config(root)
        v = {"premise": cfg.premise, "format": cfg.format, "episodes": cfg.episodes, "minutes": cfg.minutes,
             "aspect": cfg.aspect, "language": cfg.language, "style": cfg.style, "genre": cfg.genre,
             "contest": cfg.contest, "budget": "" if cfg.budget is None else f"{cfg.budget:g}",
             "currency": cfg.currency, **{f"p_{r}": cfg.providers.get(r, "") for r in settings.ROLE_LABELS}}
        chosen = sorted({n for n in cfg.providers.values() if n not in project.DEFAULT_PROVIDERS.values()})
        return v, {n: settings.provider_table_text(text, n) for n in chosen}, text, cfg

    def settings_page(request, status: int = 200, message=None, values: dict | None = None):
        from ..providers import registry
        v, tables, text, cfg = settings_shown()
        was = was_field({**v, **{f"t_{n}": t for n, t in tables.items()}})
        v.update(values or {})
        roles = [(r, label, registry.for_role(r)) for r, label in settings.ROLE_LABELS.items()]
        warn = settings.warnings(v["contest"], float(v["minutes"] or 0), v["aspect"], int(v["episodes"] or 1))
        return render(request, "settings.html", status, tab="/settings", v=v, roles=roles, tables=tables,
                      rules=settings.all_rules(), warn=warn, keys=settings.key_status(cfg, proj.env()),
                      kept_in=settings.keys.where(), version=sha(text), message=message, was=was,
                      styles=settings.STYLES, shapes=settings.SHAPES, languages=settings.LANGUAGES)

    @app.get("/settings", dependencies=needs_film)
    def settings_get(request: Request):
        return settings_page(request)

    @app.post("/settings", dependencies=edits)
    async def settings_post(request: Request):
        form = await request.form()
        f = {k: (form.get(k) if isinstance(form.get(k), str) else "") for k in form.keys()}
        if any(len(x) > 4000 for k, x in f.items() if k != "was") or len(f) > 80 or len(f.get("was", "")) > 60000:
            raise Refused(400, "a setting is at most 4000 characters")
        version = f.get("version", "")

        def stale(theirs: str):
            """Only what the person changed on the page goes over the file as it is now (the fields they left as the
            page showed them take the file's values): "Keep mine" never undoes someone else's change."""
            own = own_changes(f)
            merged = f
            if own is not None:
                v, tables, _, _ = settings_shown()
                now = {**{k: str(x) for k, x in v.items()}, **{f"t_{n}": t for n, t in tables.items()}}
                merged = {**now, **own, "was": was_field(now)}

            def mine(text):
                film, providers, tables, budget, currency = values(merged)
                return settings.apply(text, film, providers, tables, budget, currency)
            return form_conflict(request, project.CONFIG_NAME, theirs, mine, "/settings", "/settings", merged)

        def number(name: str, kind=float, required=True, f=f):
            raw = (f.get(name) or "").strip()
            if not raw and not required:
                return None
            try:
                return kind(raw)
            except ValueError:
                raise Refused(400, f"{name}: {raw!r} is not a number") from None
        def values(f=f):
            film = {"premise": (f.get("premise") or "").strip(), "format": f.get("format", "short"),
                    "episodes": number("episodes", int, f=f), "minutes": number("minutes", f=f), "aspect": f.get("aspect", ""),
                    "language": f.get("language", ""), "style": (f.get("style") or "").strip(),
                    "genre": (f.get("genre") or "").strip(), "contest": f.get("contest", "")}
            if film["format"] == "short":
                film["episodes"] = 1
            providers = {r: f.get(f"p_{r}", "") for r in settings.ROLE_LABELS if f"p_{r}" in f}
            tables = {k[2:]: v for k, v in f.items() if k.startswith("t_")}
            return (film, providers, tables, number("budget", required=False, f=f),
                    (f.get("currency") or "USD").strip().upper())
        if version != sha(config_path.read_text(encoding="utf-8")):  # a stale page first: nothing else matters
            return stale(config_path.read_text(encoding="utf-8"))
        film, providers, tables, budget, currency = values()
        with studio.save_lock:
            text = config_path.read_text(encoding="utf-8")
            if version != sha(text):
                return stale(text)
            try:
                new = settings.apply(text, film, providers, tables, budget, currency)
                settings.check_text(new)
            except FilmcrewError as err:
                return settings_page(request, 400, ("bad", f"nothing was saved: {err}"),
                                     {**{k: v for k, v in f.items()}, "budget": f.get("budget", "")})
            if new != text:
                atomic.write_text(config_path, new)
        warn = settings.warnings(film["contest"], film["minutes"], film["aspect"])
        said = "your settings are saved" + (f"; but {warn[0]}" if warn else "")
        return face.redirect(request, "/settings", said=said)

    @app.post("/settings/key", dependencies=edits)
    def settings_key(request: Request, name: Annotated[str, Form(max_length=64)],
                     value: Annotated[str, Form(max_length=4096)] = "",
                     forget: Annotated[str, Form(max_length=8)] = ""):
        """A vendor's key entered in the page: kept in the keyring (or the user's 0600 file), never in the project."""
        cfg = project.load_config(root)
        if name not in settings.known_key_names(cfg):
            raise Refused(400, f"{name!r}: not a key any provider reads")
        if forget == "1":
            settings.keys.forget(name)
            return face.redirect(request, "/settings", said=f"{name} is forgotten")
        if not value.strip():
            raise Refused(400, f"{name}: paste the key in the field first")
        try:
            where = settings.keys.put(name, value)
        except ValueError as err:
            raise Refused(400, str(err)) from None
        return face.redirect(request, "/settings", said=f"{name} is kept in {where}")

    # ---- characters ------------------------------------------------------------------------------------------
    def bible_path() -> Path:
        return root / "story" / "bible.yaml"

    def character_of(name: str):
        bible = project.load_bible(root)
        ch = bible.character(name)
        if ch is None:
            raise Refused(404, f"{name!r}: no such character in story/bible.yaml")
        return bible, ch

    @app.get("/characters", dependencies=needs_film)
    def characters(request: Request):
        bible = project.load_bible(root)
        return render(request, "characters.html", tab="/characters", bible=bible)

    def character_shown(ch, voices: list) -> dict:
        """The character form's fields as its page shows them (character.html), as the browser sends them back."""
        out = {"description": ch.description, "costume": ch.costume}
        for k, v in ch.look.items():
            out[f"look_{k}"] = str(v).lower() if k in project.COLOUR_LOOKS and _hex(v) else v
        for i, c in enumerate(p for p in ch.palette if _hex(p)):
            out[f"palette_{i}"] = c.lower()
        provider = ch.voice.provider if ch.voice.provider in voices else (voices[0] if voices else "")
        out.update(voice_provider=provider, voice_voice=ch.voice.voice, voice_speed=ch.voice.speed,
                   voice_pitch=ch.voice.pitch)
        return out

    @app.get("/character", dependencies=needs_film)
    def character(request: Request, name: Annotated[str, Query(min_length=1, max_length=80)]):
        from ..providers import registry
        bible, ch = character_of(name)
        text = bible_path().read_text(encoding="utf-8")
        colours = {k: v for k, v in ch.look.items() if k in project.COLOUR_LOOKS and _hex(v)}
        words = {k: v for k, v in ch.look.items() if k not in colours}
        from ..handoff.clone import CLONERS
        from ..provenance import cloned_voices
        cloned = next((r for r in reversed(cloned_voices.records(root)) if r.get("character") == ch.name
                       and r.get("voice_id") == ch.voice.voice), None)
        voices = registry.for_role("voice")
        return render(request, "character.html", tab="/characters", ch=ch, colours=colours, words=words,
                      palette=[p for p in ch.palette if _hex(p)], voices=voices,
                      version=sha(text), line=_a_line(ch.name), cloned=cloned, cloners=CLONERS,
                      was=was_field(character_shown(ch, voices)))

    @app.post("/character", dependencies=edits)
    async def character_post(request: Request):
        import yaml

        from ..providers import registry
        form = await request.form()
        f = {k: (form.get(k) if isinstance(form.get(k), str) else "") for k in form.keys()}
        if any(len(x) > 2000 for k, x in f.items() if k != "was") or len(f) > 60 or len(f.get("was", "")) > 40000:
            raise Refused(400, "a field is at most 2000 characters")
        _, ch = character_of(f.get("name", ""))
        name = ch.name  # (as the bible spells it: the page's 'ivo' is IVO)
        back = f"/character?name={urllib.parse.quote(name)}"

        def changed(text: str) -> str:
            """The bible's `text` with the page's changes to this character (Refused naming the field)."""
            data = yaml.safe_load(text)
            entry = next((c for c in data["characters"] if str(c.get("name")).strip().upper() == name.upper()), None)
            if entry is None:
                raise Refused(404, f"{name!r}: no such character in story/bible.yaml (nothing was saved)")
            for k in ("description", "costume"):
                if k in f:
                    entry[k] = f[k].strip()
            look = dict(entry.get("look") or {})
            for k in LOOKS:
                if f"look_{k}" in f and (f[f"look_{k}"].strip() or k in look):
                    look[k] = f[f"look_{k}"].strip()
            entry["look"] = look
            pal = [f[k] for k in sorted((k for k in f if k.startswith("palette_")), key=lambda k: int(k[8:]) if
                                        re.fullmatch(r"[0-9]{1,4}", k[8:]) else 0)]  # (not str.isdigit: '²')
            if pal:
                entry["palette"] = pal
            voice = dict(entry.get("voice") or {})
            was = voice.get("provider")
            for k, kind in (("provider", str), ("voice", str), ("speed", float), ("pitch", float)):
                if f"voice_{k}" in f and f[f"voice_{k}"].strip():
                    try:
                        voice[k] = kind(f[f"voice_{k}"].strip())
                    except ValueError:
                        raise Refused(400, f"voice {k}: {f[f'voice_{k}']!r} is not a number") from None
            entry["voice"] = voice
            if voice.get("provider") != was and voice.get("provider") not in registry.for_role("voice"):  # (else every
                # page of the film would fail on the bible's unknown provider)
                raise Refused(400, f"voice provider: {str(voice['provider'])[:80]!r} does not speak lines; choose one "
                                   f"of {', '.join(registry.for_role('voice'))} (nothing was saved)")
            try:
                project.bible_from_dict(data, "story/bible.yaml")
            except FilmcrewError as err:
                raise Refused(400, f"nothing was saved: {err}") from None
            return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
        with studio.save_lock:
            text = bible_path().read_text(encoding="utf-8")
            if f.get("version") != sha(text):
                own = own_changes(f)  # only the person's own changes go over the bible as it is now
                if own is not None:
                    if any(k.startswith("palette_") for k in own):  # the costume's colours go as one list
                        own.update({k: v for k, v in f.items() if k.startswith("palette_")})
                    f.clear()
                    f.update({"name": name, **own})
                return form_conflict(request, "story/bible.yaml", text, changed, back, "/character", f,
                                     norm=lambda t: yaml.safe_dump(yaml.safe_load(t), allow_unicode=True,
                                                                   sort_keys=False, width=100))
            atomic.write_text(bible_path(), changed(text))
        return face.redirect(request, back, said=f"{name} is changed: the shots they are in are made again at the "
                                                 f"next make")

    # ---- a person's voice cloned for a character, with their consent (issue 35; handoff/clone.py) ----------------
    CLONE_FIELDS = {"consent": "their consent", "person": "who gave the recording", "provider": "the vendor",
                    "voice_id": "the voice id", "example": "“I, Lin Mei, agree that my voice speaks for LIN in this "
                                                         "film and its trailers”"}

    @app.post("/character/clone", dependencies=edits, max_body_size=50 * 1024 * 1024)
    def character_clone(request: Request, name: Annotated[str, Form(min_length=1, max_length=80)],
                        person: Annotated[str, Form(max_length=200)] = "",
                        consent: Annotated[str, Form(max_length=2000)] = "",
                        agree: Annotated[str, Form(max_length=8)] = "",
                        provider: Annotated[str, Form(max_length=64)] = "",
                        voice_id: Annotated[str, Form(max_length=200)] = "",
                        sample: Annotated[UploadFile | None, File()] = None):
        """A recording of a person uploaded with their name and consent: checked, sent to the vendor that clones,
        bound to the character and recorded (as `filmcrew voice clone` does)."""
        import re
        import tempfile

        from ..engine.layout import Layout
        from ..handoff.clone import CLONERS, clone_voice
        _, ch = character_of(name)
        back = f"/character?name={urllib.parse.quote(ch.name)}#clone"
        if agree != "1":
            raise Refused(400, "tick that the person agreed to this use of their voice (nothing was sent)")
        if provider and provider not in CLONERS:
            raise Refused(400, f"{provider!r} does not clone voices; choose {', '.join(CLONERS)}")
        upload = sample.filename if sample is not None and sample.filename else "the recording"
        data = sample.file.read() if sample is not None else b""
        if not data:
            raise Refused(400, "no recording uploaded: choose an audio file of the person speaking (nothing was sent)")
        ext = Path(upload).suffix.lower()
        ext = ext if re.fullmatch(r"\.[a-z0-9]{1,5}", ext) else ".wav"
        folder = Layout.of(root).studio / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        with studio.save_lock, tempfile.TemporaryDirectory(dir=folder) as d:
            path = Path(d) / f"sample{ext}"
            path.write_bytes(data)
            try:
                out = clone_voice(root, ch.name, path, person, consent, proj.env(), provider=provider or None,
                                  voice_id=voice_id.strip() or None, fields=CLONE_FIELDS)
            except FilmcrewError as err:
                raise Refused(400, pages.plain(str(err).replace(str(path), upload), root)) from None
        rec = out["record"]
        said = (f"{ch.name.title()} now speaks with {rec['person']}'s cloned voice ({rec['provider']}); their consent "
                f"and the recording's fingerprint are recorded in story/cloned-voices.json" +
                "".join(f"; {n}" for n in out["notes"]))
        return face.redirect(request, back, said=said)

    def _a_made_line(name: str):
        """The sound of one of the character's lines as the preview speaks it now (their voice as it is set), once
        made; None before."""
        from ..engine.layout import Layout
        _, (ctx,) = pipeline.contexts(root, proj.env(), 1, preview=True)
        g, st = pipeline.episode_graph(ctx), Layout.of(root).store()
        for ln in ctx.episode.lines():
            t = g.by_artifact.get(f"{ln.id}.voice")
            if ln.speaker == name and t is not None and proj._made(st, t) and (st.path(t.key) / "line.wav").is_file():
                return st.path(t.key) / "line.wav"
        return None

    def _a_line(name: str) -> str:
        cfg = project.load_config(root)
        for n in range(1, cfg.episodes + 1):
            try:
                ep = pipeline.load_episode(root, n, project.load_bible(root), cfg.language)
            except FilmcrewError:
                continue
            for sh in ep.shots():
                for ln in sh.lines:
                    if ln.speaker == name:
                        return ln.text
        return f"I am {name.title()}."

    @app.get("/character/sample", dependencies=needs_film)
    def character_sample(name: Annotated[str, Query(min_length=1, max_length=80)]):
        """One of the character's lines, spoken by their voice with the project's voice provider (a WAV)."""
        import wave

        import numpy as np

        from ..providers import registry
        from ..providers.base import SpeakRequest
        _, ch = character_of(name)
        cfg = project.load_config(root)
        try:
            prov = registry.load(ch.voice.provider, cfg.provider_settings.get(ch.voice.provider), proj.env())
            audio, rate = prov.speak(SpeakRequest(text=_a_line(ch.name), voice=ch.voice, language=cfg.language))
        except FilmcrewError as err:
            made = _a_made_line(ch.name)  # a vendor's voice speaks only in a make (each line a paid, journaled job)
            if made is not None:
                return Response(made.read_bytes(), media_type="audio/wav", headers={"Cache-Control": "no-store"})
            if "job ticket" in str(err):
                raise Refused(409, f"{ch.voice.provider} is a vendor's voice: each line it says is a paid job of a "
                                   f"make, so a sample is one of {ch.name.title()}'s lines once the preview is made "
                                   f"with this voice") from None
            raise Refused(409, f"{ch.voice.provider} could not speak: {pages.plain(err, root)}") from None
        a = np.asarray(audio, np.float32)
        a = a if a.ndim == 1 else a.mean(axis=1)
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(int(rate))
            w.writeframes((np.clip(a, -1, 1) * 32767).astype("<i2").tobytes())
        return Response(buf.getvalue(), media_type="audio/wav", headers={"Cache-Control": "no-store"})

    # ---- a shot's settings, and shots added, duplicated, deleted, moved -------------------------------------
    def edit_episode(sid: str, version: str, change) -> tuple:
        """(the episode's number, the screenplay's path) after `change(text, episode, shot)` wrote it."""
        def edit(text, sh, n):
            cfg = project.load_config(root)
            ep = pipeline.load_episode(root, n, project.load_bible(root), cfg.language)
            try:
                return change(text, ep, sh)
            except FilmcrewError as err:
                raise Refused(400, str(err)) from None
        _, n, path = rewrite_screenplay(studio, sid, version, "do it again", edit)
        return n, path

    @app.post("/shot/settings", dependencies=edits)
    def shot_settings(request: Request, shot: ShotId, version: Version,
                      seconds: Annotated[float | None, Form(ge=0.5, le=60)] = None,
                      camera: Annotated[str, Form(max_length=32)] = "",
                      transition: Annotated[str, Form(max_length=32)] = ""):
        from ..model import frames_to_seconds

        def change(text, ep, sh):  # only what the person changed is written
            now = frames_to_seconds(sh.duration_frames) if sh.duration_frames else None
            if seconds is not None and (now is None or abs(round(seconds, 3) - now) > 0.01):
                text = shots.set_field(text, sh.source_line, "seconds", round(seconds, 3))
            if camera and camera != sh.camera:
                text = shots.set_field(text, sh.source_line, "camera", camera)
            if transition and transition != sh.transition:
                text = shots.set_field(text, sh.source_line, "transition", transition)
            return text
        _, path = edit_episode(shot, version, change)
        return face.redirect(request, f"/shot?id={urllib.parse.quote(shot)}",
                             said=f"{path.name}: the shot's length, framing and transition are written in its note")

    @app.post("/board/shot", dependencies=edits)
    def board_shot(request: Request, shot: ShotId, version: Version, do: Annotated[str, Form(max_length=16)]):
        """A shot added after this one, duplicated, deleted, or moved up or down in its scene."""
        ops = {"add": lambda t, ep, sh: shots.add(t, ep, sh.id), "duplicate": lambda t, ep, sh: shots.duplicate(t, ep, sh.id),
               "delete": lambda t, ep, sh: shots.delete(t, ep, sh.id), "up": lambda t, ep, sh: shots.move(t, ep, sh.id, -1),
               "down": lambda t, ep, sh: shots.move(t, ep, sh.id, 1)}
        if do not in ops:
            raise Refused(400, f"{do!r}: add, duplicate, delete, up or down")
        n, path = edit_episode(shot, version, ops[do])
        said = {"add": "a new shot is added after it: open it to say what we see",
                "duplicate": "the shot is duplicated", "delete": "the shot is deleted",
                "up": "the shot is moved up", "down": "the shot is moved down"}[do]
        return face.redirect(request, f"/board?ep={n}", said=f"{pages.shot_words(shot)}: {said} ({path.name})")

    # ---- the timeline ------------------------------------------------------------------------------------------
    from ..handoff import importer
    CUT_BY, CUT_SOURCE = "a person, on the studio's timeline", "the studio's timeline"

    def episode_of(ep: int) -> int:
        cfg = project.load_config(root)
        if ep > cfg.episodes:
            raise Refused(404, f"episode {ep}: the film has {cfg.episodes} episode(s)")
        return ep

    def cut_version(n: int) -> str:
        """The timeline page's version: the screenplay and the kept cut it was read from (either saved since: stale)."""
        from ..story import cut as cut_mod
        text = project.episode_path(root, n).read_text(encoding="utf-8")
        kept = cut_mod.path(root, n)
        return sha(text + "\n\0" + (kept.read_text(encoding="utf-8") if kept.exists() else ""))

    @app.get("/timeline", dependencies=needs_film)
    def timeline(request: Request, ep: Annotated[int, Query(ge=1, le=999)] = 1):
        """The episode's cut as blocks sized by what plays of each shot: dragged (or moved with the buttons and
        the keyboard) into another order, trimmed at either end, left out or put back, played at once from the
        clips already made; "Keep this cut" writes it as the project's cut, as an imported edit is kept."""
        from ..story.screenplay import estimated_shot_seconds
        n = episode_of(ep)
        cfg = project.load_config(root)
        cards, _ = proj.board(root, n, True)
        by_id = {c.id: c for c in cards}
        episode = pipeline.load_episode(root, n, project.load_bible(root), cfg.language)
        made = importer.made_lengths(root, proj.env(), n)
        frames = {sh.id: made.get(sh.id) or sh.duration_frames or round(estimated_shot_seconds(sh, cfg.language) * 30)
                  for sh in episode.shots()}
        cut = importer.current_cut(root, proj.env(), n)
        editable = all(it.kind == "shot" for it in cut.items)

        def block(sid: str, a: int, b, out: bool = False) -> dict:
            total = max(frames.get(sid, 1), 1)
            b = total if b is None else min(b, total)
            a = min(a, b - 1)
            c = by_id.get(sid)
            return {"id": sid, "name": pages.shot_words(sid), "total": total, "a": max(a, 0), "b": b, "out": out,
                    "made": sid in made, "clip": c.clip if c else "",
                    "keyframe": (c.keyframe or c.earlier) if c else ""}
        blocks = [block(it.shot, it.src_in, it.src_out) for it in cut.items if it.kind == "shot"]
        used = {x["id"] for x in blocks}
        blocks += [block(sh.id, 0, None, out=True) for sh in episode.shots() if sh.id not in used]
        seconds = sum((x["b"] - x["a"]) / 30 for x in blocks if not x["out"])
        return render(request, "timeline.html", tab="/board", n=n, blocks=blocks, total=seconds, kept=cut.human,
                      editable=editable, version=cut_version(n), wide=cfg.aspect == "16:9")

    def parse_cut(raw: str) -> list[tuple[str, int, int | None]]:
        out = []
        for k, part in enumerate(x for x in raw.split(";") if x.strip()):
            bits = part.strip().split(":")
            try:  # frames as the page writes them: 0 to 999999 in ASCII digits (not '1_0', '٣', ' 5', 10**30)
                if len(bits) != 3 or not re.fullmatch(r"[0-9]{1,6}", bits[1]) or not re.fullmatch(r"[0-9]{0,6}", bits[2]):
                    raise ValueError
                out.append((bits[0], int(bits[1]), int(bits[2]) if bits[2] else None))
            except ValueError:
                raise Refused(400, f"cut: block {k + 1} ({part[:40]!r}) is not SHOT:FIRST:END; reload the page "
                                   f"(nothing was changed)") from None
        if not out:
            raise Refused(400, "cut: no shot in it; put at least one shot back on the timeline (nothing was changed)")
        return out

    @app.post("/timeline/keep", dependencies=edits)
    def timeline_keep(request: Request, version: Version, cut: Annotated[str, Form(max_length=20000)],
                      ep: Annotated[int, Form(ge=1, le=999)] = 1):
        """The timeline's order and trims kept as the episode's cut (cut/epNN.json, as `filmcrew import` writes it)."""
        n = episode_of(ep)
        shots_in = parse_cut(cut)
        with studio.save_lock:
            if version != cut_version(n):
                raise Refused(409, "the screenplay or the cut was saved since this page was read: reload the timeline "
                                   "and cut again (nothing was changed)")
            made = importer.made_lengths(root, proj.env(), n)
            seen = set()
            for k, (sid, a, b) in enumerate(shots_in):
                if sid in seen:  # (the timeline shows each shot once)
                    raise Refused(400, f"cut: block {k + 1} ({pages.shot_words(sid)[:80]}) is in the cut twice: reload "
                                       f"the timeline and cut again (nothing was changed)")
                seen.add(sid)  # a trim past a made clip's end (the page never sends one)
                total = made.get(sid)
                if total is not None and (a >= total or (b is not None and b > total)):
                    raise Refused(400, f"cut: block {k + 1} ({pages.shot_words(sid)}) plays frames {a} to {b} of a "
                                       f"clip of {total}: reload the timeline and trim again (nothing was changed)")
            try:
                report = importer.keep_cut(root, proj.env(), n, shots_in, by=CUT_BY, source=CUT_SOURCE)
            except FilmcrewError as err:
                raise Refused(400, pages.plain(err, root)) from None
        lines = len(report.lines)
        said = (f"your cut is kept ({len(shots_in)} shots, {len(report.edits or [])} change(s) from the screenplay's "
                f"order and lengths)" + (f"; {lines} line(s) a trim cuts into still play whole" if lines else "") +
                ": the next make follows it")
        return face.redirect(request, f"/timeline?ep={n}", said=said)

    @app.post("/timeline/reset", dependencies=edits)
    def timeline_reset(request: Request, version: Version, ep: Annotated[int, Form(ge=1, le=999)] = 1):
        """Back to the screenplay's own cut (the kept one stays beside it as cut/epNN.json.bak)."""
        n = episode_of(ep)
        with studio.save_lock:
            if version != cut_version(n):
                raise Refused(409, "the screenplay or the cut was saved since this page was read: reload the timeline "
                                   "(nothing was changed)")
            importer.reset(root, n)
        return face.redirect(request, f"/timeline?ep={n}", said="back to the screenplay's cut: the next make follows it")


def _hex(v) -> bool:
    import re
    return isinstance(v, str) and bool(re.fullmatch(r"#[0-9a-fA-F]{6}", v.strip()))


__all__ = ["add_routes"]


def neighbours(root: Path, sid: str) -> tuple[str, str]:
    """The shots before and after shot `sid` in its episode ("" at either end), read from the screenplay alone."""
    import re
    m = re.match(r"^ep(\d{2})-", sid)
    if not m:
        return "", ""
    cfg = project.load_config(root)
    ids = [sh.id for sh in pipeline.load_episode(root, int(m.group(1)), project.load_bible(root), cfg.language).shots()]
    if sid not in ids:
        return "", ""
    i = ids.index(sid)
    return (ids[i - 1] if i > 0 else ""), (ids[i + 1] if i + 1 < len(ids) else "")
