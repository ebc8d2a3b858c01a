"""What an agent can read by URI (MCP resources), and the three prompts that start a session.

    filmcrew://projects                              the projects (JSON)
    filmcrew://{project}/screenplay/{episode}        an episode's Fountain text (episode: 1, 2, ...)
    filmcrew://{project}/bible                       story/bible.yaml
    filmcrew://{project}/plan                        what a preview make would do and cost (JSON; no token issued)
    filmcrew://{project}/film/{film}                 out/FILM.mp4 (film: ep01, ep01.preview)
    filmcrew://{project}/subtitles/{film}            out/FILM.srt
    filmcrew://{project}/provenance/{film}           out/FILM.provenance.json
    filmcrew://{project}/consistency                 the consistency report (out/consistency.json, or built)
"""

from __future__ import annotations

import json
import re

from .. import pipeline, project
from ..crew import reports
from ..errors import FilmcrewError
from . import actions, confirm
from ..engine.layout import Layout

FILM = re.compile(r"^ep\d{2}(\.\d+x\d+)?(\.preview)?$")
MAX_FILM = 64 * 1024 * 1024  # a film larger than this is not sent through MCP (its path is named instead)


def register(server, projects, env: dict, ResourceError) -> None:  # noqa: N803 - the SDK's exception class
    def read(fn):
        try:
            return fn()
        except FilmcrewError as err:
            raise ResourceError(projects.clean(str(err))) from None
        except OSError as err:
            raise ResourceError(projects.clean(f"{err.strerror}: {err.filename}")) from None

    def out_file(name: str, film: str, suffix: str):
        if not FILM.match(film):
            raise FilmcrewError(f"{film!r} is not a film's name; films are named like ep01 or ep01.preview")
        p = projects.root(name) / "out" / f"{film}{suffix}"
        if not p.is_file():
            raise FilmcrewError(f"{name}: out/{p.name} is not made yet")
        return p

    def as_json(obj) -> str:
        return json.dumps(obj, ensure_ascii=False, indent=1)

    @server.resource("filmcrew://projects", name="projects", title="The projects", mime_type="application/json")
    def all_projects() -> str:
        return read(lambda: as_json(actions.list_projects(projects)))

    @server.resource("filmcrew://{name}/screenplay/{episode}", name="screenplay", title="An episode's screenplay",
                     mime_type="text/plain")
    def screenplay(name: str, episode: str) -> str:
        def get():
            root = projects.root(name)
            if not episode.isdigit():
                raise FilmcrewError(f"{episode!r}: an episode is a number (1, 2, ...)")
            p = project.episode_path(root, int(episode))
            if not p.is_file():
                raise FilmcrewError(f"{name}: episode {int(episode)} is not written")
            return p.read_text(encoding="utf-8")
        return read(get)

    @server.resource("filmcrew://{name}/bible", name="bible", title="The story bible", mime_type="application/yaml")
    def bible(name: str) -> str:
        def get():
            p = projects.root(name) / "story" / "bible.yaml"
            if not p.is_file():
                raise FilmcrewError(f"{name}: the bible is not written")
            return p.read_text(encoding="utf-8")
        return read(get)

    @server.resource("filmcrew://{name}/plan", name="plan", title="What a preview make would do and cost",
                     mime_type="application/json")
    def plan(name: str) -> str:
        return read(lambda: projects.clean(as_json(confirm.quote(projects.root(name), env, True, None, issue=False))))

    @server.resource("filmcrew://{name}/film/{film}", name="film", title="A made film", mime_type="video/mp4")
    def film(name: str, film: str) -> bytes:
        def get():
            p = out_file(name, film, ".mp4")
            if p.stat().st_size > MAX_FILM:
                raise FilmcrewError(f"{name}: out/{p.name} is {p.stat().st_size // 2**20} MiB, too large to send "
                                    f"through MCP; it is in the project's out/ folder")
            return p.read_bytes()
        return read(get)

    @server.resource("filmcrew://{name}/subtitles/{film}", name="subtitles", title="A film's subtitles (SRT)",
                     mime_type="application/x-subrip")
    def subtitles(name: str, film: str) -> str:
        return read(lambda: out_file(name, film, ".srt").read_text(encoding="utf-8"))

    @server.resource("filmcrew://{name}/provenance/{film}", name="provenance", title="A film's provenance (ledger, "
                     "AI share, spend)", mime_type="application/json")
    def provenance(name: str, film: str) -> str:
        return read(lambda: projects.clean(out_file(name, film, ".provenance.json").read_text(encoding="utf-8")))

    @server.resource("filmcrew://{name}/consistency", name="consistency", title="The consistency report",
                     mime_type="application/json")
    def consistency(name: str) -> str:
        def get():
            root = projects.root(name)
            p = root / "out" / "consistency.json"
            if p.is_file():
                return p.read_text(encoding="utf-8")
            cfg, ctxs = pipeline.contexts(root, env, None, True)
            if not ctxs or ctxs[0].consistency is None:
                raise FilmcrewError("the consistency check is off: pip install 'filmcrew[faces]' turns it on")
            rep, unmade = reports.consistency_report(root, Layout.of(root).store(), cfg, ctxs,
                                                      [pipeline.episode_graph(c) for c in ctxs])
            return as_json({**rep, "not_made_yet": unmade})
        return read(lambda: projects.clean(get()))


def prompts(server) -> None:
    @server.prompt(name="make-a-short", title="Make a short from a premise")
    def make_a_short(premise: str, minutes: str = "1", language: str = "en") -> str:
        return (f"Make a short film with filmcrew from this premise: {premise!r} ({minutes} minute(s), language "
                f"{language}). Steps: new_project (a short folder name), write (then job_status with wait_seconds "
                f"until it finishes), read_screenplay and improve what reads badly with edit_screenplay, plan "
                f"(preview), make (preview, wait_seconds 120), storyboard to look at the shots, check the film. "
                f"If plan shows paid jobs, show me their cost and ask me before passing the confirm token to make.")

    @server.prompt(name="fix-consistency", title="Fix the shots that fail the consistency check")
    def fix_consistency(project: str) -> str:
        return (f"In the filmcrew project {project!r}, find the shots whose chosen take fails the character "
                f"consistency check (storyboard: fails_consistency, and the consistency scores of each take; the "
                f"resource filmcrew://{project}/consistency has the report). For each: pick a passing take with "
                f"use_take if there is one; else retake_shot (another seed, or another illustrator), or make the "
                f"character's description clearer with edit_character. Any retake that costs money: show me its cost "
                f"and ask me before confirming. Then make and look again.")

    @server.prompt(name="make-eligible", title="Make this film eligible for a contest")
    def make_eligible(project: str, contest: str = "iqiyi-2025") -> str:
        return (f"Make the filmcrew project {project!r} eligible for the contest {contest!r}: check the film against "
                f"it (check with contest={contest!r}; the preview fails the codec rules by design, so check the "
                f"full-size film: plan and make with preview=false), read each failed rule and what was measured, "
                f"change what the rule is about (the length: edit_screenplay; the AI share: dub_line with a person's "
                f"takes, edit the screenplay by hand), make again and check again until it passes. The AI labels "
                f"cannot be switched off. Show me the cost of any paid make before confirming it.")


__all__ = ["register", "prompts"]
