"""The short calls on projects: list and create them, check a film against a contest, the disclosure pack, the
hand-off to editors, a human take for a line. Each calls the same domain function as the command line."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from .. import pipeline, project
from ..crew.common import out_name
from ..errors import ConfigError
from ..providers import registry
from . import confirm, jobs
from ..engine.layout import Layout


def list_projects(projects) -> dict:
    rows = []
    for name in projects.names():
        root = projects.root(name)
        try:
            cfg = project.load_config(root)
        except ConfigError as err:
            rows.append({"name": name, "error": projects.clean(str(err))})
            continue
        rows.append({"name": name, "premise": cfg.premise, "format": cfg.format, "episodes": cfg.episodes,
                     "minutes": cfg.minutes, "aspect": cfg.aspect, "language": cfg.language,
                     "written": not pipeline.story_missing(root, cfg),
                     "films": sorted(f"out/{p.name}" for p in (root / "out").glob("ep*.mp4")),
                     "running": (jobs.running(root) or {}).get("id")})
    return {"projects": rows}


def new_project(projects, name: str, premise: str, format: str = "short", episodes: int = 1, minutes: float = 1.5,
                aspect: str = "9:16", language: str = "en", style: str = "storybook", seed: int = 1,
                providers: dict | None = None) -> dict:
    root = projects.root(name, exists=False)
    chosen = dict(project.DEFAULT_PROVIDERS)
    known = registry.available()
    for role, prov in (providers or {}).items():
        if role not in project.ROLES:
            raise ConfigError(f"providers: {role!r} is not a role; roles are {', '.join(project.ROLES)}")
        if prov not in known:
            raise ConfigError(f"providers: {role}: unknown provider {prov!r}; available: {', '.join(sorted(known))}")
        chosen[role] = prov
    cfg = project.create(root, project.Config(premise=premise, format=format, episodes=episodes if format == "series" else 1,
                                              minutes=minutes, aspect=aspect, language=language, style=style, seed=seed,
                                              providers=chosen), "new_project")
    return {"project": name, "format": cfg.format, "episodes": cfg.episodes, "minutes": cfg.minutes, "aspect": cfg.aspect,
            "language": cfg.language, "providers": cfg.providers,
            "next": "write writes the screenplay and the bible from the premise (offline, free); a model provider's "
                    "settings ([providers.NAME]: base_url, model, the key's variable) go in filmcrew.toml by a person"}


def film(root: Path, episode: int, preview: bool) -> Path:
    _, (ctx,) = pipeline.contexts(root, {}, episode, preview=preview)
    p = root / "out" / f"{out_name(ctx)}.mp4"
    if not p.exists():
        raise ConfigError(f"{root.name}: out/{p.name} is not made yet; make it first (make with preview={preview})")
    return p


def check(root: Path, episode: int, preview: bool, contest: str, decode: bool) -> dict:
    from ..provenance import check as checker
    path = film(root, episode, preview)
    profile = checker.load_profile(contest or "delivery")
    findings = checker.run(path, profile, decode=decode)
    passed = checker.passed(findings)
    return {"project": root.name, "film": str(path.relative_to(root)), "profile": profile["name"],
            "title": profile.get("title", ""), "passed": passed,
            "checks": [asdict(f) for f in findings],
            "failed": [f.check for f in findings if f.required and f.status != "pass"],
            "profiles": sorted(checker.available_profiles())}


def disclose(root: Path) -> dict:
    from ..provenance import disclose as pack
    cfg = project.load_config(root)
    written = pack.write(root, cfg)
    built = pack.build(root, cfg)
    spend: dict = {}
    for ep in built["episodes"]:
        for cur, v in (ep.get("spend") or {}).items():
            spend[cur] = round(spend.get(cur, 0.0) + float(v), 6)
    return {"project": root.name, "files": [str(Path(p).relative_to(root)) for p in written],
            "episodes": [{k: e.get(k) for k in ("episode", "film", "ai_share", "spend")} for e in built["episodes"]],
            "tools": built["tools"], "human_contributions": built["human_contributions"],
            "cost": {"spent": confirm.spent(root), "in_films": spend}}


def export(root: Path, env: dict, episode: int | None, preview: bool, formats: list[str]) -> dict:
    from ..engine.executor import execute
    from ..handoff import export as exporter
    from ..handoff import jianying
    asked = list(formats or ["otio", "fcp7", "fcpx", "edl", "fountain", "stems"])
    bad = [f for f in asked if f not in exporter.FORMATS]
    if bad:
        raise ConfigError(f"{bad[0]!r} is not an export format; formats: {', '.join(exporter.FORMATS)}")
    if "jianying" in asked and not jianying.available():
        raise ConfigError("the JianYing draft needs pip install 'filmcrew[jianying]' on the server's machine")
    _, ctxs = pipeline.contexts(root, env, episode, preview=preview)
    graphs = [pipeline.episode_graph(c) for c in ctxs]
    st = Layout.of(root).store()
    unmade = [c.episode.id for c, g in zip(ctxs, graphs) if not st.made(g.final)]
    if unmade:
        raise ConfigError(f"{root.name}: {', '.join(unmade)} not made yet (preview={preview}); make it first")
    execute(st, [t for g in graphs for t in (*g.plays, *g.media.values())], workers=2)  # the clips, lips drawn in
    files = []
    for ctx, g in zip(ctxs, graphs):
        files += [str(Path(p).relative_to(root)) for p in exporter.export(root, st, ctx, g, asked)]
    return {"project": root.name, "formats": asked, "files": files}


def dub_line(projects, root: Path, line: str, file: str) -> dict:
    from ..handoff import dub
    take = projects.inside(root, file)
    dest, info = dub.dub(root, line, take)
    return {"project": root.name, "line": line, "take": str(dest.relative_to(root)), **info,
            "fit": dub.fit_note(info), "next": "make uses it (its voice, the subtitles and the mix are made again)"}


def lines(root: Path, episode: int | None) -> list[dict]:
    from ..handoff import dub
    return dub.listing(root, episode)


__all__ = ["list_projects", "new_project", "check", "disclose", "export", "dub_line", "film"]
