"""Takes: each keyframe and each model clip is scored for character consistency, retaken with a new seed when
it fails (up to `max_retakes` a shot, within the budget), and the best take is used.

A shot's *pick* task sits between its first take and what is made from it. It scores take 0, makes take 1,
2, ... while the takes fail (each a task of its own, content-addressed and journaled like any other, made
through `engine.executor.make_now`, so a killed make resumes them and never pays twice), and passes the chosen
take's files on. Its record (pick.json and its ledger entry) holds every take's scores, which one was chosen
and why. A person pins a take or rejects one in `takes/picks.toml` (`filmcrew take PROJECT SHOT --use N`);
a pinned take is never retaken. For a provider that is not a model (the procedural illustrator, a person's
picture) the pick only scores: it is made beside the film and nothing is made from it.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import ledger
from ..consistency.faces import MODEL as FACE_MODEL
from ..consistency.settings import Consistency
from ..engine import atomic
from ..engine.graph import ProviderId, Task
from ..engine.store import Store
from ..engine.layout import Layout
from ..engine.money import Allowance
from ..errors import ConfigError, FilmcrewError
from .common import EpisodeContext

CODE_VERSION = "pick-1"
PICKS = Layout(Path(".")).picks.name  # in takes/: a person's choices, by shot (Layout.picks)
ACCEPT = ("pass", "not measurable", "nobody named")  # what ends the retakes (a picture that cannot be measured
# is not made again: another seed would not make it measurable)


@dataclass
class Check:
    """The consistency check of one make: its settings, the face model (loaded once) and the references it has
    measured. What its retakes may spend is the make's money (`ctx.money.allowance`, engine/money.py)."""
    settings: Consistency
    measured: object  # consistency.score.References (dlib's models, loaded at the first score)
    _encoder: object = None  # consistency.voices.VoiceEncoder, loaded at the first voice measured
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _voices: dict = field(default_factory=dict)  # a store file's path -> its speaker embedding (store files never
    # change: a character's reference line is embedded once a make, not once per line compared with it)

    def voice_embedding(self, wav: Path):
        """The speaker embedding of a voice file in the store (None: under 1 s of voice)."""
        key = str(wav)
        with self._lock:
            if key in self._voices:
                return self._voices[key]
            if self._encoder is None:
                from ..consistency.voices import VoiceEncoder
                self._encoder = VoiceEncoder()
            enc = self._encoder
        e = enc.embed_file(Path(wav))  # (outside the lock: picks of several lines measure at once)
        with self._lock:
            self._voices[key] = e
        return e


def check_for(settings: Consistency, where: str) -> Check | None:
    """The make's check, or None when it is off ([consistency] check = "off", or "auto" without the extra)."""
    from ..consistency import faces
    from ..consistency.score import References
    if settings.check == "off":
        return None
    if not faces.available():
        if settings.check == "on":
            from ..errors import MissingExtraError
            raise MissingExtraError(f"{where}: [consistency] check = \"on\": the face check", "faces")
        return None
    return Check(settings, References())


def load_pins(root: Path) -> dict[str, dict]:
    """takes/picks.toml: {shot id: {"use": N or None, "reject": [N, ...], "round": N}}; a bad file names the
    field and the fix."""
    import tomllib
    p = Layout.of(root).picks
    if not p.exists():
        return {}
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{p}: malformed TOML ({err}); fix that line, or delete the file to drop every pin") from None
    out = {}
    for shot, t in data.items():
        if not isinstance(t, dict):
            raise ConfigError(f"{p}: [{shot}] must be a table (use = N, reject = [N, ...])")
        for k in t:
            if k not in ("use", "reject", "round"):
                raise ConfigError(f"{p}: [{shot}] {k}: unknown field; known fields: reject, round, use")
        use, reject, rnd = t.get("use"), t.get("reject", []), t.get("round", 0)
        if use is not None and (not isinstance(use, int) or isinstance(use, bool) or use < 0):
            raise ConfigError(f"{p}: [{shot}] use = {use!r}: a take number (0 is the first take)")
        if not isinstance(reject, list) or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0
                                                   for n in reject):
            raise ConfigError(f"{p}: [{shot}] reject = {reject!r}: a list of take numbers, such as [0, 2]")
        if use is not None and use in reject:
            raise ConfigError(f"{p}: [{shot}] take {use} is both used and rejected; keep one")
        if not isinstance(rnd, int) or isinstance(rnd, bool) or rnd < 0:
            raise ConfigError(f"{p}: [{shot}] round = {rnd!r}: a whole number")
        out[shot] = {"use": use, "reject": sorted(set(reject)), "round": rnd}
    return out


def save_pins(root: Path, pins: dict[str, dict]) -> Path:
    import tomli_w
    p = Layout.of(root).picks
    empty = {"use": None, "reject": [], "round": 0}
    data = {s: {k: v for k, v in t.items() if v != empty.get(k)} for s, t in sorted(pins.items())}
    atomic.write_text(p, "# takes a person chose (use) or turned down (reject), by shot; `filmcrew take` writes it\n"
                      + tomli_w.dumps({s: t for s, t in data.items() if t}))
    return p


def pick(ctx: EpisodeContext, kind: str, shot, first: Task, refs: dict[str, Task],
         retake: Callable[[int], Task] | None, pins: dict[str, dict]) -> Task:
    """The pick of one shot's `kind` ("keyframe" or "video"): `first` is take 0, `retake(n)` the task of take n
    (None: takes cannot be made again, the pick only scores)."""
    check: Check = ctx.consistency
    names = list(shot.characters)
    pin = pins.get(shot.id, {"use": None, "reject": [], "round": 0})
    params = {"shot": shot.id, "kind": kind, "names": names, "settings": check.settings.key(), "pin": pin,
              "faces": FACE_MODEL, "retakes": retake is not None}
    inputs = {"take": first, **{f"ref:{n}": t for n, t in refs.items()}}
    return Task("consistency", f"{shot.id}.{kind}.pick", CODE_VERSION, ProviderId("filmcrew-consistency", "1"), params,
                _runner(ctx, kind, shot.id, names, retake, pin), inputs=inputs, episode=ctx.episode.number,
                estimate=_expected(ctx, first, retake, pin))


VOICE_CODE_VERSION = "voice-pick-1"


def voice_picks(ctx: EpisodeContext, voices: dict[str, Task], earlier=None) -> dict[str, Task]:
    """line id -> the pick of its voice, for each line a speech model says (a paid job each, so another take can be
    asked for), when the consistency check is on and the speaker encoder's weights are installed.

    Each character's reference is their first line long enough to measure, in the earliest episode that has one
    (`earlier()`: the episodes before this one, as contexts; an episode not written yet is left out), else in this
    one: that line's first take, never retaken (there is nothing to compare it with; lines before it are too short
    to measure). A reference from an earlier episode is that episode's voice task (the same key): a make of this
    episode alone makes it first, if it is not made yet. A later line whose voice is less like the reference than
    consistency/voices.py's THRESHOLD is voiced again (the speech model's next take: `seed` where the vendor has one,
    else the same request sent again, see RemoteSpeaker.request), each take a journaled job under its own key,
    priced and admitted against the budget before it is sent, up to max_retakes; the most alike take is used.
    Cost of the check: one speaker embedding a line and one a take (0.25-0.57 s of CPU each, measured here), the
    reference embedded once a make. A person's voice take (takes/) and an offline voice (espeak-ng, Piper: the same
    sound every time) get no pick: another take would not differ; the consistency report says so of a line that
    drifts."""
    if ctx.consistency is None:
        return {}
    from ..consistency import voices as vmod
    try:
        vmod.weights_path()
    except vmod.Unavailable:
        return {}
    from . import voice

    def paid(t: Task | None) -> bool:  # a speech model's job (not a person's take, nor an offline voice)
        return t is not None and t.estimate is not None and t.provider.name != "human-take"
    if not any(paid(t) for t in voices.values()):
        return {}
    pins = load_pins(ctx.root)
    refs: dict[str, tuple[str, Task]] = {}
    for ectx in (earlier() if earlier is not None else []):
        try:
            theirs = voice.tasks(ectx)
        except FilmcrewError:
            continue  # (an episode whose voices cannot be made here: its own make says why)
        for ln in ectx.episode.lines():
            if ln.speaker not in refs and paid(theirs.get(ln.id)) and voice.seconds_guess(ln) >= vmod.SHORTEST * 1.5:
                refs[ln.speaker] = (ln.id, theirs[ln.id])
    out: dict[str, Task] = {}
    for ln in ctx.episode.lines():
        first = voices.get(ln.id)
        if not paid(first):
            continue  # a person's take, or a voice that is no paid model job: nothing to take again
        if ln.speaker not in refs:
            if voice.seconds_guess(ln) >= vmod.SHORTEST * 1.5:
                refs[ln.speaker] = (ln.id, first)
            continue
        ref_id, ref = refs[ln.speaker]
        pin = pins.get(ln.id, {"use": None, "reject": [], "round": 0})
        retake = (lambda n, _ln=ln: voice.retake_task(ctx, _ln, n))
        s = ctx.consistency.settings
        params = {"line": ln.id, "kind": "voice", "speaker": ln.speaker, "reference": ref_id,
                  "threshold": vmod.THRESHOLD, "max_retakes": s.max_retakes, "pin": pin, "encoder": vmod.MODEL}
        out[ln.id] = Task("consistency", f"{ln.id}.voice.pick", VOICE_CODE_VERSION,
                          ProviderId("filmcrew-consistency", "1"), params,
                          _runner(ctx, "voice", ln.id, [ln.speaker], retake, pin,
                                  scorer=_voice_scorer(ctx, ln.speaker, ref_id), what="voice"),
                          inputs={"take": first, "ref": ref}, episode=ctx.episode.number,
                          estimate=_expected(ctx, first, retake, pin, voices=True))
    return out


def _voice_scorer(ctx: EpisodeContext, speaker: str, ref_id: str):
    """(measure, rank) of a line's voice takes: the speaker embedding's cosine similarity to the reference line's."""
    from ..consistency import voices as vmod
    check: Check = ctx.consistency
    method = f"voice identity: Resemblyzer's speaker encoder, similarity to {ref_id} (same voice at {vmod.THRESHOLD:g})"

    def measure(tctx, n: int, folder: Path) -> dict:
        ref = check.voice_embedding(Path(tctx.inputs["ref"]) / "line.wav")
        e = check.voice_embedding(Path(folder) / "line.wav")
        if ref is None or e is None:
            why = (f"the reference {ref_id} holds" if ref is None else "the line holds") + " under 1 s of voice"
            c = {"similarity": None, "status": "not measurable", "reference": ref_id}
            return {"verdict": "not measurable", "method": method, "reasons": [why], "frames": None,
                    "similarity": None, "characters": {speaker: c}}
        sim = round(vmod.similarity(e, ref), 3)
        ok = sim >= vmod.THRESHOLD
        reasons = [] if ok else [f"{speaker}'s voice drifts: similarity {sim:.3f} to {ref_id}, under {vmod.THRESHOLD:g}"]
        return {"verdict": "pass" if ok else "fail", "method": method, "reasons": reasons, "frames": None,
                "similarity": sim, "characters": {speaker: {"similarity": sim, "status": "same voice" if ok else "unlike",
                                                            "reference": ref_id}}}

    def rank(t: dict) -> tuple:
        return (t["verdict"] != "pass", -(t["similarity"] if t.get("similarity") is not None else -1.0))
    return measure, rank


def _expected(ctx, first: Task, retake, pin, voices: bool = False):
    """`plan --cost`: the retakes a shot is expected to need (the project's share of failed takes so far, or the
    settings' expected_failures before it has any), times a take's price."""
    if retake is None or first.estimate is None or pin.get("use") is not None:
        return None
    s: Consistency = ctx.consistency.settings

    def est() -> dict:
        e = first.estimate()
        seen = failure_rate(ctx.root, voices)
        rate = seen if seen is not None else s.expected_failures
        n = sum(rate ** k for k in range(1, s.max_retakes + 1))  # take k+1 is made when take k failed too
        return {**e, "amount": round(e["amount"] * n, 6), "retakes": round(n, 3),
                "worst": round(e["amount"] * s.max_retakes, 6)}
    return est


def failure_rate(root: Path, voices: bool = False) -> float | None:
    """The share of this project's scored takes that failed (from the picks in the store), or None: of its
    pictures and clips, or (`voices`) of its lines' voices."""
    from ..engine.store import for_project
    st = for_project(root)
    failed = total = 0
    for p in sorted(st.index.glob("*.pick.json")) if st.index.is_dir() else []:
        if p.name.endswith(".voice.pick.json") != voices:
            continue
        try:
            key = json.loads(p.read_text(encoding="utf-8"))["key"]
            rec = st.record(key) if st.has(key) else {}
        except Exception:  # noqa: BLE001 - an unreadable pick counts for nothing
            continue
        for t in (rec.get("ledger") or {}).get("takes", []):
            total += 1
            failed += t.get("verdict") == "fail"
    return failed / total if total else None


def _face_scorer(ctx: EpisodeContext, kind: str, names: list[str]):
    """(measure(tctx, n, folder) -> the take's scores, rank): a picture's or a clip's faces against the references."""
    from ..consistency.score import rank, score
    check: Check = ctx.consistency

    def measure(tctx, n: int, folder: Path) -> dict:
        refs = {k[4:]: Path(p) for k, p in tctx.inputs.items() if k.startswith("ref:")}
        mine = {k: refs[k] for k in names if k in refs}
        frames, drawn = _pictures(kind, folder, check.settings.frames, ctx.ffmpeg)
        s = score(frames, drawn, names, mine, refs, check.measured, check.settings)
        _crops(tctx.workdir, n, frames, s)
        return s
    return measure, rank


def _runner(ctx: EpisodeContext, kind: str, shot_id: str, names: list[str], retake, pin: dict, scorer=None,
            what: str = "faces"):
    from ..engine.executor import make_now
    from ..engine.jobs import Journal
    check: Check = ctx.consistency
    measure, rank = scorer or _face_scorer(ctx, kind, names)

    def run(tctx) -> dict:
        # what retakes may spend: asked when the pick runs, after the make was admitted (no purse: no limit)
        allowance = ctx.money.allowance if ctx.money is not None else Allowance(None, "USD", 0.0)
        st = tctx.store
        folders = {0: Path(tctx.inputs["take"])}
        tasks = {0: tctx.task.inputs["take"]}
        takes: list[dict] = []
        use, reject = pin.get("use"), set(pin.get("reject", []))
        limit = 1 + check.settings.max_retakes + len(reject) if retake is not None else 1
        chosen, why, stopped, n = None, "", None, 0
        while True:
            s = measure(tctx, n, folders[n])
            rec = st.record(tasks[n].key).get("ledger", {})
            takes.append({"take": n, "artifact": tasks[n].artifact, "key": tasks[n].key, "seed": tasks[n].seed,
                          "rejected": n in reject, "cost": rec.get("cost"), **s})
            if use is not None:
                if n == use:
                    chosen, why = n, "pinned by a person (takes/picks.toml)"
                    break
            elif n not in reject and s["verdict"] in ACCEPT:
                chosen, why = n, {"pass": "it passed the check", "nobody named": "the shot names no character",
                                  "not measurable": "it cannot be measured (" + "; ".join(s["reasons"]) + ")"}[s["verdict"]]
                break
            if retake is None:
                stopped = "this provider's takes cannot be made again"
                break
            nxt = retake(n + 1)
            if use is not None:  # a pinned take is one made before: never paid for here
                if not (st.has(nxt.key) and st.damage(nxt.key) is None):
                    raise ConfigError(f"{ctx.layout.picks}: [{shot_id}] use = {use}: there is no take "
                                      f"{use} of {shot_id} (takes made: 0 to {n}); pin one of those")
            else:
                if n + 1 >= limit:
                    stopped = f"max_retakes ({check.settings.max_retakes}) reached"
                    break
                sent = st.has(nxt.key) or Journal.of(ctx.root).paid(nxt.key)  # (resumed)
                if not sent and not allowance.reserve(nxt.estimate() if nxt.estimate else None):
                    stopped = (f"the budget leaves {allowance.left():.2f} {allowance.currency}, less than "
                               f"another take")
                    break
            try:
                folders[n + 1], tasks[n + 1] = make_now(st, nxt), nxt
            except FilmcrewError as err:  # a refused or failed retake: the takes made so far still stand
                stopped = f"take {n + 1} failed: {err}"
                break
            n += 1
        if chosen is None:
            pool = [t for t in takes if not t["rejected"]]
            if not pool:
                raise ConfigError(f"{ctx.layout.picks}: every take of {shot_id} is rejected and no "
                                  f"other may be made ({stopped}); un-reject one (`filmcrew take {ctx.root} {shot_id} "
                                  f"--clear`) or raise max_retakes")
            best = min(pool, key=rank)
            chosen = best["take"]
            why = f"the best of {len(takes)} take(s) ({stopped})"
        for f in Path(folders[chosen]).iterdir():  # (linked where the disk allows: store files never change)
            if f.name != "record.json" and f.is_file():
                try:
                    os.link(f, Path(tctx.workdir) / f.name)
                except OSError:
                    shutil.copy2(f, Path(tctx.workdir) / f.name)
        rec = st.record(tasks[chosen].key).get("ledger", {})
        summary = [{k: t[k] for k in ("take", "artifact", "seed", "verdict", "method", "reasons", "rejected", "frames")}
                   | {"characters": {n: {k: v for k, v in c.items() if k not in ("embedding", "hist")}
                                     for n, c in t["characters"].items()}} for t in takes]
        extra_cost = _sum_costs(t["cost"] for t in takes if t["take"] > 0)
        out = {"shot": shot_id, "kind": kind, "chosen": chosen, "why": why, "stopped": stopped, "names": names,
               "settings": check.settings.key(), "takes": takes}
        atomic.write_text(Path(tctx.workdir) / "pick.json", json.dumps(out, indent=1, ensure_ascii=False))
        # the pick makes no picture: it scores and passes one take on, which its entry names (the take's own
        # maker and source type stay with that take, so the AI share and the credentials count it once)
        return ledger.entry(made_by="algorithm:filmcrew-consistency", source_type=ledger.ALGORITHMIC,
                            prompt=f"the {kind} take of {shot_id} that best keeps its characters' {what}",
                            extra={"takes": summary, "chosen": chosen, "why": why, "stopped": stopped,
                                   "picked_by": "algorithm:filmcrew-consistency" if use is None else "human",
                                   "chosen_take": {"artifact": tasks[chosen].artifact, "key": tasks[chosen].key,
                                                   **{k: rec.get(k) for k in ("made_by", "model", "prompt",
                                                                              "digital_source_type")}},
                                   **({"cost": extra_cost} if extra_cost else {})})
    return run


def _pictures(kind: str, folder: Path, count: int, ffmpeg: str):
    """(the pictures to score, the folder for the drawn check): a keyframe's layers flattened; or `count` frames
    of a model's clip, first to last."""
    from PIL import Image
    if kind == "keyframe":
        from ..providers.procedural_art import flatten
        from .illustrator import layers
        return [flatten(layers(folder)).convert("RGB")], folder
    from ..media import ffmpeg as ff
    video = Path(folder) / "model.mp4"
    p = ff.probe(video)
    last = max(0.0, p.duration - 1.5 / (p.fps or 24))
    times = [last * k / (count - 1) for k in range(count)] if count > 1 else [0.0]
    return [Image.fromarray(ff.frame_at(video, t, (p.width, p.height))) for t in times], None


def _crops(workdir: Path, n: int, frames: list, s: dict) -> None:
    """Each named character's face (or figure) as the check saw it, for the report: crop-TAKE-NAME.png."""
    import re
    for name, c in s["characters"].items():
        if "box" not in c:
            continue
        x0, y0, x1, y1 = c["box"]
        im = frames[c.get("frame", 0)]
        pad = int(0.25 * max(x1 - x0, y1 - y0))
        crop = im.crop((max(0, x0 - pad), max(0, y0 - pad), min(im.width, x1 + pad), min(im.height, y1 + pad)))
        crop.thumbnail((160, 160))
        crop.save(Path(workdir) / f"crop-{n}-{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}.png")


def _sum_costs(costs) -> dict | None:
    total, cur = 0.0, None
    for c in costs:
        if isinstance(c, dict) and c.get("currency"):
            cur = c["currency"]
            total += float(c.get("actual") if c.get("actual") is not None else c.get("estimate") or 0.0)
    return {"estimate": round(total, 6), "actual": None, "currency": cur} if cur else None


# ---- a person's choice among a shot's takes (the studio, `filmcrew take`, the MCP server) -----------------

def pin_take(root: Path, st: Store, graphs: list, shot: str, use: int | None = None, reject=(), retake: bool = False,
             clear: bool = False, preview: bool = False) -> Path:
    """Pin a shot's take (`use`), reject takes, ask for the check again (`retake`: more takes where it fails, within
    max_retakes and the budget) or drop its pins (`clear`), in takes/picks.toml; the next make follows it."""
    found = shot_takes(st, graphs, shot)
    pins = load_pins(root)
    pin = dict(pins.get(shot, {"use": None, "reject": [], "round": 0}))
    made = max((len(rec["takes"]) for _, rec in found if rec), default=0)
    if use is not None:
        if not 0 <= use < made:
            raise ConfigError(f"{shot} has takes 0 to {made - 1}; there is no take {use}" if made else
                              f"{shot} has no takes {'in the preview ' if preview else ''}yet: run `filmcrew make "
                              f"{root}{' --preview' if preview else ''}` first"
                              + ("" if preview else " (for the takes of a --preview make, add --preview)"))
        pin["use"], pin["reject"] = use, [n for n in pin["reject"] if n != use]
    for n in reject:
        if not 0 <= n < made:
            raise ConfigError(f"{shot} has takes 0 to {made - 1}; there is no take {n}")
        pin["reject"] = sorted(set(pin["reject"]) | {n})
        if pin["use"] == n:
            pin["use"] = None
    if retake:
        pin["round"], pin["use"] = pin.get("round", 0) + 1, None
    if clear:
        pin = {"use": None, "reject": [], "round": pin.get("round", 0)}
    pins[shot] = pin
    return save_pins(root, pins)


def shot_takes(st: Store, graphs: list, shot_id: str) -> list[tuple[Task, dict | None]]:
    """(pick task, its pick.json or None when not made) of a shot: its keyframe's, and its clip's for a video
    model; an error names the shots when there is no such shot."""
    found = [(g.by_artifact[a], g) for g in graphs for a in (f"{shot_id}.keyframe.pick", f"{shot_id}.video.pick",
                                                             f"{shot_id}.voice.pick") if a in g.by_artifact]
    if not found:
        shots = [t.artifact.split(".")[0] for g in graphs for t in g.all if t.artifact.endswith(".keyframe.pick")]
        if not shots:
            raise ConfigError("the consistency check is off, so there are no takes to choose: pip install "
                              "'filmcrew[faces]' (and [consistency] check is not \"off\")")
        raise ConfigError(f"no shot {shot_id!r}; the shots are {', '.join(shots[:6])}{', ...' if len(shots) > 6 else ''}")
    return [(t, json.loads((st.path(t.key) / "pick.json").read_text(encoding="utf-8")) if st.made(t) else None)
            for t, _ in found]
