"""Wire the crew roles into one task graph per episode, and the project-level verbs.

Roles don't import each other; this module connects their tasks.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import ledger, project
from .crew import (animator, common, composer, editor, finisher, foley, illustrator, lipsync, references, takes,
                   translator, voice)
from .crew.cast import Cast, placement
from .crew.common import Crew, EpisodeContext
from .engine import atomic
from .engine.graph import Task
from .engine import money
from .engine.layout import Layout
from .errors import ConfigError, ScriptError, read_text
from .media import ffmpeg
from .model import ASPECTS, FPS
from .provenance import share
from .providers.base import WriteRequest
from .story import cut as cut_mod
from .story import changes as story_changes
from .story import fountain, screenplay


def story_missing(root: Path, cfg: project.Config) -> list[Path]:
    files = [Layout.of(root).bible] + [project.episode_path(root, n) for n in range(1, cfg.episodes + 1)]
    return [p for p in files if not p.exists()]


def write_story(root: Path, cfg: project.Config, env: dict, force: bool = False) -> list[Path]:
    """Write the bible and screenplays that are missing (all of them with force). Never touches others."""
    missing = story_missing(root, cfg) if not force else \
        [Layout.of(root).bible] + [project.episode_path(root, n) for n in range(1, cfg.episodes + 1)]
    if not missing:
        return []
    writer = Cast.of(cfg, env).writer()
    draft = writer.write(WriteRequest(premise=cfg.premise, format=cfg.format, episodes=cfg.episodes, minutes=cfg.minutes,
                                      language=cfg.language, seed=cfg.seed, genre=cfg.genre, style=cfg.style))
    written = []
    bible_path = Layout.of(root).bible
    rec_path = Layout.of(root).writer_record
    old = json.loads(rec_path.read_text()) if rec_path.exists() else {}
    # the changes the writer's episodes make go into the bible's changes:; a person's own are never overwritten
    rewritten = {ep.number for ep in draft.episodes if project.episode_path(root, ep.number) in missing}
    try:
        on_disk = project.load_bible(root) if bible_path.exists() else None
    except ConfigError:
        if bible_path not in missing:
            raise
        on_disk = None  # rewritten with --force: a bible that no longer reads has no change to keep
    bible, _notes = story_changes.merge(on_disk, draft.bible, old.get("changes", {}), rewritten, bible_path in missing)
    for note in _notes:
        logging.getLogger("filmcrew.writer").warning("%s", note)
    if bible_path in missing or (on_disk is not None and bible != on_disk):
        project.save_bible(root, bible)
        written.append(bible_path)
    for ep in draft.episodes:
        p = project.episode_path(root, ep.number)
        if p in missing:
            text = screenplay.episode_to_fountain(ep, title=f"{draft.bible.title}: {ep.title}" if cfg.format == "series"
                                                  else draft.bible.title, credit=f"written by {writer.name}")
            atomic.write_text(p, text)
            written.append(p)
    # what the writer wrote, per shot action and line, so a later human edit counts as human (provenance/share.py)
    hashes = dict(old.get("written", {}))
    for ep in draft.episodes:
        p = project.episode_path(root, ep.number)
        if p in written:
            parsed, _ = screenplay.to_episode(fountain.parse(read_text(p, ScriptError), str(p)), number=ep.number,
                                              language=cfg.language, path=str(p))
            hashes[str(ep.number)] = share.written_hashes(parsed)
    rec = {"role": "writer", "provider": writer.name, "version": writer.version, "model": writer.model,
           "digital_source_type": writer.source_type, "premise": cfg.premise, "seed": cfg.seed,
           "files": sorted(set(old.get("files", [])) | {str(p.relative_to(root)) for p in written}), "written": hashes,
           "changes": story_changes.writers_after(bible, old.get("changes", {}), draft.bible)}
    atomic.write_text(rec_path, json.dumps(ledger.scrub(rec), indent=1, ensure_ascii=False))
    return written


def load_episode(root: Path, number: int, bible, language: str):
    path = project.episode_path(root, number)
    if not path.exists():
        raise ConfigError(f"{path}: missing; run `filmcrew write {root}` to write it")
    text = read_text(path, ScriptError)
    elements = fountain.parse(text, str(path))
    ep, _ = screenplay.to_episode(elements, number=number, language=language,
                                  known_characters=[c.name for c in bible.characters], path=str(path), strict=True)
    if not ep.shots():
        raise ScriptError("no shots: write at least one scene heading and action paragraph", path=str(path), line=1)
    for line, problem in project.undrawable(ep):
        raise ScriptError(problem, path=str(path), line=line)
    return ep


@dataclass
class EpisodeGraph:
    final: Task
    all: list[Task]
    plays: list[Task] = field(default_factory=list)  # per item of the cut, the task whose clip.mp4 it plays
    media: dict = field(default_factory=dict)  # shot id -> its clip with lips, for editing programs (export makes it)
    checks: list = field(default_factory=list)  # the consistency scores made beside the film (nothing uses them)
    by_artifact: dict = field(init=False, repr=False)

    def __post_init__(self):
        self.by_artifact = {t.artifact: t for t in self.all}

    @property
    def targets(self) -> list[Task]:
        """What a make makes: the film, and the checks beside it."""
        return [self.final, *self.checks]

    def task(self, artifact: str) -> Task:
        """The task that makes `artifact` (e.g. "ep01.mix", "ep01.timeline", "ep01-s02-l03.voice")."""
        return self.by_artifact[artifact]


def episode_graph(ctx: EpisodeContext) -> EpisodeGraph:
    refs = references.tasks(ctx)
    retake_keys: dict = {}
    keys = illustrator.tasks(ctx, refs, retakes=retake_keys)
    checks, picked_keys = _keyframe_picks(ctx, keys, refs, retake_keys)
    voices = voice.tasks(ctx)
    voice_picks = takes.voice_picks(ctx, voices, lambda: _earlier(ctx))  # a speech model's line whose voice drifts is
    # retaken (crew/takes.py), against the character's first line in the series
    first_voices, voices = voices, {**voices, **voice_picks}
    scratch = voice.scratch_tasks(ctx)
    timings = editor.timing_tasks(ctx, voices, scratch)
    by_model = {sh.id for sh in ctx.episode.shots() if animator.remote(ctx, sh)}  # (each shot's own animator)
    pictures: dict = {}  # the shots whose segments draw their own frames (the clip is then made on demand)
    clips = animator.tasks(ctx, picked_keys, timings, only={sh.id for sh in ctx.episode.shots()} - by_model,
                           pictures=pictures)
    if by_model:
        retake_videos: dict = {}
        picked = None
        if ctx.consistency is not None:
            pins, who = takes.load_pins(ctx.root), _character_refs(ctx, refs)
            picked = (lambda sh, v: takes.pick(ctx, "video", sh, v, who[sh.id], retake_videos[sh.id], pins))
        clips.update(animator.remote_tasks(ctx, picked_keys, timings, refs, retakes=retake_videos, picked=picked,
                                           only=by_model))
    own_clips = animator.take_tasks(ctx, timings)  # a person's own clip replaces a shot's (nothing is sent for it)
    clips.update(own_clips)
    picks = [t.inputs["video"] for t in clips.values() if t.inputs.get("video") is not None
             and t.inputs["video"].role == "consistency"]  # the best take of each video job, when checked
    videos = [v.inputs["take"] if v.role == "consistency" else v  # a video model's jobs, and
              for v in (t.inputs["video"] for t in clips.values() if "video" in t.inputs)]
    before_videos = [v.inputs["duration"] for v in videos] + list(  # the durations and frames they are keyed by
        {id(f): f for v in videos for n, f in v.inputs.items() if n in ("first", "last")}.values())
    lipsyncs = lipsync.tasks(ctx, clips, voices, timings, own=set(own_clips))  # [[shot: lipsync: NAME]]
    cues = composer.tasks(ctx)
    beds = foley.tasks(ctx)
    fx = foley.effect_tasks(ctx)
    translations = translator.tasks(ctx)
    timeline = editor.tasks(ctx, voices, timings, translations)
    the_cut = editor.the_cut(ctx)
    sources = editor.source_tasks(ctx, the_cut)
    segs, trans = finisher.segment_tasks(ctx, the_cut, clips, sources, voices, timings, pictures, translations)
    sounds = {sh.id: clips[sh.id] for sh in ctx.episode.shots()  # a video model's own sound
              if sh.id not in own_clips and getattr(ctx.crew.for_shot("animator", sh), "keeps_sound", False)}
    mix = finisher.mix_task(ctx, timeline, voices, cues, beds, fx, sounds)
    final = finisher.final_task(ctx, segs, trans, mix, timeline, translations)
    return EpisodeGraph(final=final, all=[*refs.values(), *keys.values(), *checks, *first_voices.values(), *voice_picks.values(), *scratch.values(), *timings.values(),
                                          *before_videos, *videos, *picks, *lipsyncs.values(), *clips.values(), *cues.values(),
                                          *beds.values(), *fx.values(), *translations.values(), timeline, *sources.values(), *segs, *trans.values(), mix, final],
                        plays=[clips[it.shot] if it.kind == "shot" else sources[k] for k, it in enumerate(the_cut.items)],
                        media=finisher.media_tasks(ctx, clips, voices, timings),
                        checks=[c for c in checks if c.artifact.endswith(".pick") and c not in picked_keys.values()])


def _earlier(ctx: EpisodeContext) -> list[EpisodeContext]:
    """The episodes before ctx's, as contexts of their own (where a character's voice reference may be:
    crew/takes.py voice_picks); an episode not written yet, or one that does not parse, is left out."""
    from dataclasses import replace
    out = []
    for n in range(1, ctx.episode.number):
        try:
            out.append(replace(ctx, episode=load_episode(ctx.root, n, ctx.bible, ctx.language), cut=None))
        except (ConfigError, ScriptError):
            continue
    return out


def _character_refs(ctx: EpisodeContext, refs: dict[str, Task]) -> dict[str, dict[str, Task]]:
    """{shot id: {character name: a reference}}: every character's of the episode (as before states), those the
    shot shows in the state they are in at that shot."""
    every: dict[str, Task] = {}
    for sid, t in refs.items():
        name = sid.split("@", 1)[0]
        if ctx.bible.character(name) is not None:
            every.setdefault(name, t)
    return {sh.id: {**every, **common.shot_refs(ctx, refs, sc, sh, places=False)}
            for sc in ctx.episode.scenes for sh in sc.shots}


def _keyframe_picks(ctx: EpisodeContext, keys: dict[str, Task], refs: dict[str, Task],
                    retake_keys: dict) -> tuple[list[Task], dict[str, Task]]:
    """(every keyframe pick, the keyframe each shot's clip is made from). A model's keyframe is picked among
    its takes, and the clip is made from the pick; any other keyframe is only scored, beside the film."""
    if ctx.consistency is None:
        return [], keys
    pins, who = takes.load_pins(ctx.root), _character_refs(ctx, refs)
    out = dict(keys)
    picks = []
    for sh in ctx.episode.shots():
        p = takes.pick(ctx, "keyframe", sh, keys[sh.id], who[sh.id], retake_keys.get(sh.id), pins)
        picks.append(p)
        if sh.id in retake_keys:
            out[sh.id] = p
    return picks, out


def contexts(root: Path, env: dict, episode: int | None = None, preview: bool = False,
             aspect: str | None = None, burn: str | None = None) -> tuple[project.Config, list[EpisodeContext]]:
    root = Path(root)
    cfg = project.load_config(root)
    if aspect and aspect not in ASPECTS:
        raise ConfigError(f"--aspect {aspect}: use one of {', '.join(ASPECTS)}")
    main_burn = burn_language(cfg, cfg.burn)  # [film] burn: the film's own (checked with the config)
    drawn = burn_language(cfg, burn) if burn else main_burn
    burn_tag = burn if burn and drawn != main_burn else ""  # --burn: a delivery beside the film, named for it
    bible = project.load_bible(root)
    cast = Cast.of(cfg, env, root)
    cast.check_names(bible)
    crew = cast.crew()
    check = takes.check_for(cfg.consistency, str(Layout.of(root).config))
    wallet = money.Purse.of(root, cfg)  # one for the whole make: every episode's retakes draw on the same allowance
    W, H = ASPECTS[aspect or cfg.aspect]
    if preview:
        W, H = W // 2, H // 2
    numbers = [episode] if episode else list(range(1, cfg.episodes + 1))
    for n in numbers:
        if not 1 <= n <= cfg.episodes:
            raise ConfigError(f"--episode {n}: the project has episodes 1 to {cfg.episodes}")
    ctxs = []
    for n in numbers:
        ep = load_episode(root, n, bible, cfg.language)
        Cast.check_shots(project.episode_path(root, n), ep)
        limit = cfg.minutes * 60
        for shot in ep.shots():
            if shot.duration_frames and shot.duration_frames / float(FPS) > limit:
                raise ScriptError(f"shot {shot.id} is set to {shot.duration_frames / float(FPS):g} s, longer than the whole film "
                                  f"({cfg.minutes:g} min in {project.CONFIG_NAME}); a shot lasts at most {limit:g} s: "
                                  f"shorten it in its [[shot: ...]] note", path=str(project.episode_path(root, n)),
                                  line=shot.source_line)
        ctxs.append(EpisodeContext(root=root, bible=bible, episode=ep, size=(W, H), seed=cfg.seed, language=cfg.language,
                                   style=cfg.style, preview=preview, crew=crew, ffmpeg=ffmpeg.executable(), labels=cfg.labels,
                                   subtitle_languages=tuple(cfg.subtitle_languages),
                                   aspect_tag=aspect.replace(":", "x") if aspect and aspect != cfg.aspect else "",
                                   burn=drawn, burn_tag=burn_tag,
                                   cut=cut_mod.load(root, n, [s.id for s in ep.shots()]), consistency=check,
                                   money=wallet))
    return cfg, ctxs


def burn_language(cfg: project.Config, burn: str | None) -> str:
    """The burned-in subtitles of a delivery (--burn, [film] burn): "" for the film's own language (the film as it
    always was), "none", or one of [film] subtitle_languages; any other is refused, naming the setting and the fix."""
    if not burn or burn == cfg.language:
        return ""
    if burn == "none" or burn in cfg.subtitle_languages:
        return burn
    have = ", ".join([cfg.language, *cfg.subtitle_languages, "none"])
    raise ConfigError(f"--burn {burn}: {burn!r} is not among [film] subtitle_languages "
                      f"({', '.join(cfg.subtitle_languages) or 'none set'}) in {project.CONFIG_NAME}; add \"{burn}\" to "
                      f"subtitle_languages (with a translator under [providers]) and make again, or burn one of: {have}")


def worker_targets(spec: dict) -> list[Task]:
    """The make's tasks, rebuilt from the project on a cluster worker (engine.ray_cluster, by this function's
    name). A worker process is an entry point of its own: the environment it reads (API keys) is its own."""
    _cfg, ctxs = contexts(Path(spec["root"]), dict(os.environ), spec.get("episode"), spec.get("preview", False),
                          spec.get("aspect"), spec.get("burn"))
    return [t for c in ctxs for t in episode_graph(c).targets]


def executor(root: Path, cfg: project.Config, crew: Crew, name: str | None, address: str | None, workers: int,
             episode: int | None = None, preview: bool = False, aspect: str | None = None, burn: str | None = None):
    """The executor a make runs on: the --executor given (an --address alone means ray), else [run] executor;
    None for the local pool."""
    name = name or ("ray" if address else cfg.run.executor)
    if name == "local":
        return None
    if name != "ray":
        raise ConfigError(f"--executor {name}: use local or ray")
    from .engine.ray_cluster import RayExecutor
    spec = {"root": str(Path(root).resolve()), "episode": episode, "preview": preview, "aspect": aspect, "burn": burn}
    return RayExecutor(address or cfg.run.address or None, f"{__name__}:worker_targets", spec, placement(crew), workers)


class RefusedBefore(ConfigError):
    """A planned paid job is the same request a vendor's moderation refused before; nothing was sent."""


def refusals(root: Path, ctxs: list, items: list) -> list[str]:
    """One message for each planned paid job whose same request (the same key) a vendor's moderation refused
    before, with the shot's line and the vendor's reason: it is not sent again until the request changes."""
    from .engine.graph import Pending
    from .engine.jobs import Journal
    j = Journal.of(root)
    shots = {sh.id: (ctx.episode.id, sh) for ctx in ctxs for sh in ctx.episode.shots()}
    out = []
    for it in items:
        t = it.task
        if t.estimate is None:
            continue
        try:
            rec = j.read(t.key)
        except Pending:
            continue
        if not rec or rec.get("state") != "refused":
            continue
        ep, sh = shots.get(t.artifact.split(".")[0], (None, None))
        line = (f"{Layout.of(root).story / f'{ep}.fountain'}:{sh.source_line}: shot {sh.id}" if sh is not None
                else t.artifact)
        out.append(f"{line}: {rec.get('provider', 'the vendor')}'s moderation refused this same request "
                   f"({t.artifact}) before: {rec.get('error', '')}; it is not sent again. Change the shot's action or "
                   f"camera, the character's description or the seed (a new request), or `filmcrew jobs {root} "
                   f"--forget {t.key[:12]}` to send it unchanged")
    return out


def refuse_refused(root: Path, ctxs: list, items: list) -> None:
    """RefusedBefore, before anything is sent, when a planned job is a request refused before."""
    found = refusals(root, ctxs, items)
    if found:
        raise RefusedBefore("\n".join(found))
