"""Small pure helpers the studio's templates use (the pages themselves are Jinja2 templates in templates/)."""

from __future__ import annotations


def job_lines(jobs: list[dict]) -> list[str]:
    """A card's remote jobs in words: "animating (kling, 35%), sent 40 s ago", "failed: the vendor refused the
    picture (moderation): why"."""
    out = []
    for j in jobs:
        kind = j["artifact"].split(".", 1)[1] if "." in j["artifact"] else ""
        verb = "animating" if kind.startswith(("video", "clip")) else "drawing" if kind.startswith("keyframe") else (
            "speaking" if kind.startswith("voice") else "at the vendor")
        if j["state"] in ("submitting", "submitted"):
            prog = f", {j['progress']:.0%}" if isinstance(j.get("progress"), (int, float)) else ""
            line = f"{verb} ({j['provider']}{prog}): sent {j['since']} s ago" + (
                f", {j['detail']}" if j["detail"] else "")
        elif j["state"] in ("failed", "refused"):
            line = "failed: " + plain(j["detail"] or f"{j['provider']} {j['state']} it")
        elif j["state"] == "fetched":
            line = f"{THINGS.get(kind, (kind,))[0]} back from {j['provider']}"
        else:
            line = f"{verb} ({j['provider']}): {j['words']}" + (f", {plain(j['detail'])}" if j["detail"] else "")
        out.append(line)
    return out


RUN_WORDS = {"make": "make of the film", "make-preview": "make of the preview", "write": "writing of the story",
             "export": "export", "export-preview": "export of the preview"}


def share_words(share) -> str:
    """A film's AI share in words: "AI share: picture 100%, voice 80%" ("" when the film has none)."""
    s = (share or {}).get("ai_share") or {}
    parts = [f"{k} {v:.0%}" for k, v in s.items() if isinstance(v, (int, float))]
    return "AI share: " + ", ".join(parts) if parts else ""


TRACK_WORDS = {"picture": ("Picture", "the shots' pictures and clips, by seconds on screen"),
               "dialogue": ("Voices", "the spoken lines, by seconds"),
               "music": ("Music", "the score, by seconds"),
               "effects": ("Sound effects", "ambience and effects, by seconds"),
               "screenplay": ("Screenplay and subtitles", "the screenplay's words; the subtitles are its lines as "
                                                          "written, so they follow it")}


def _pct(v: float) -> str:
    return "all" if v >= 0.9995 else f"{v:.0%}" if v >= 0.005 else "under 1%"


def person_share(share: dict | None) -> list[dict]:
    """The person's share of each track of a film, in words, from its provenance's AI share (the record that
    `filmcrew disclose` reads): [{"track", "what", "words", "human"}] in the order picture, voices, music, effects, screenplay. Empty when the film
    has no record."""
    tracks = ((share or {}).get("tracks") or {})
    rows = []
    for name in ("picture", "dialogue", "music", "effects", "screenplay"):
        t = tracks.get(name)
        if not isinstance(t, dict):
            continue
        label, what = TRACK_WORDS[name]
        h, tr, al = (float(t.get(k) or 0) for k in ("human", "trained", "algorithmic"))
        parts = ([f"{_pct(h)} by you"] if h else []) + ([f"{_pct(tr)} by AI models"] if tr else []) + \
                ([f"{_pct(al)} by filmcrew's own algorithms (no trained model)"] if al else [])
        total = t.get("total") or 0
        size = f"{total:.1f} s" if t.get("units") == "seconds" else f"{total:g} {t.get('units') or ''}".strip()
        rows.append({"track": label, "what": f"{what}; {size}", "human": h,
                     "words": ", ".join(parts) if parts else "nothing in it yet"})
    return rows


def human_words(artifacts: list) -> list[str]:
    """What the person made or edited themselves, in words (the provenance's artifacts whose ledger says a person
    made them: takes, an edited cut)."""
    from ..provenance import share
    out = []
    for a in artifacts or []:
        lg = a.get("ledger") or {}
        if share.kind(lg.get("digital_source_type", "")) != "human":
            continue
        what = artifact_words(a.get("artifact", ""))
        how = {"timeline": "your cut", "voice": "your voice take", "keyframe": "your picture",
               "clip": "your clip"}.get(str(a.get("artifact", "")).rsplit(".", 1)[-1], "yours")
        out.append(f"{what}: {how}")
    return out


def take_words(artifact: str, pick: dict) -> str:
    """A card's consistency pick in words: "keyframe: take 1 of 2, why"."""
    what = artifact.rsplit(".", 1)[0].split(".", 1)[1]
    return f"{what}: take {pick.get('chosen')} of {len(pick.get('takes', []))}, {pick.get('why', '')}"


def scores(pick: dict) -> str:
    """The chosen take's consistency, per character: a face's distance to its reference (lower is closer; the
    check's threshold is in filmcrew.toml), or a drawn figure's palette overlap ("" without a chosen take)."""
    take = next((t for t in pick.get("takes", []) if t.get("take") == pick.get("chosen")), None)
    if not take:
        return ""
    parts = []
    for name, c in (take.get("characters") or {}).items():
        if c.get("distance") is not None:
            parts.append(f"{name} {c.get('status')} {c['distance']:.2f}")
        elif c.get("palette") is not None:
            parts.append(f"{name} {c.get('status')} palette {c['palette']:.2f}")
        else:
            parts.append(f"{name} {c.get('status')}")
    return "; ".join(parts)


__all__ = ["job_lines", "share_words", "take_words", "scores"]


# ---- words, not task ids (issue 32) ---------------------------------------------------------------------------
import re as _re  # noqa: E402

TASK_ID = _re.compile(r"\b(ep\d{2})(?:-s(\d{2}))?(?:-(sh|l)(\d{2}))?\.([a-z][a-z.]*[a-z])\b")
SHOT_WORDS = _re.compile(r"^ep(\d{2})-s(\d{2})-sh(\d{2})$")
THINGS = {  # an artifact's kind in words: (one, many)
    "keyframe": ("picture", "pictures"), "clip": ("clip", "clips"), "video": ("video", "videos"),
    "voice": ("voice", "voices"), "segment": ("finished shot", "finished shots"),
    "transition": ("transition", "transitions"), "keyframe.pick": ("picture check", "picture checks"),
    "video.pick": ("video check", "video checks"), "reference": ("character sheet", "character sheets"),
    "score": ("music", "music"), "ambience": ("sound", "sounds"), "timeline": ("the edit", "the edit"),
    "final": ("the film", "the film"), "subtitles": ("subtitles", "subtitles"), "mix": ("the sound mix", "the sound mix"),
    "timing": ("timing", "timings")}
ROLE_VERBS = {"illustrator": "drawing", "animator": "animating", "voice": "speaking", "composer": "composing",
              "foley": "making the sounds", "editor": "editing", "finisher": "finishing", "reference": "sketching",
              "consistency": "checking", "translator": "translating", "writer": "writing"}
REASONS = {"new": "new", "inputs": "what it is made from changed", "params": "its settings changed",
           "code": "the crew's tools changed", "provider": "another provider", "pending": "after what it needs"}
STATE_WORDS = {"fresh": "made", "to make": "to make", "running": "at the vendor", "failed": "failed",
               "in the make": "in the make", "waiting for you": "waiting for you"}
# the pace of each role here (seconds a task), when no earlier make of the project says better
PACE = {"illustrator": 0.8, "animator": 1.2, "voice": 1.6, "composer": 1.5, "foley": 1.0, "editor": 0.5,
        "finisher": 3.2, "reference": 0.6, "consistency": 1.5, "translator": 2.0}


def shot_words(sid: str) -> str:
    """'ep01-s02-sh03' -> 'scene 2, shot 3' (the id itself when it is not a shot's)."""
    m = SHOT_WORDS.match(sid or "")
    return f"scene {int(m.group(2))}, shot {int(m.group(3))}" if m else (sid or "")


CUT_PART = _re.compile(r"^ep\d{2}\.cut(\d+)\.(segment|transition)$")  # a kept cut's own parts (story/cut.py)


def artifact_words(artifact: str) -> str:
    """'ep01-s01-sh02.keyframe' -> 'the picture of scene 1, shot 2'; 'ep01-s01-l03.voice' -> 'the voice of line 3
    (scene 1)'; 'ep01.final' -> 'the film'; 'ep01.cut002.segment' -> 'part 3 of your cut'."""
    c = CUT_PART.match(artifact or "")
    if c:
        n = int(c.group(1)) + 1
        return f"part {n} of your cut" if c.group(2) == "segment" else f"the transition after part {n} of your cut"
    m = TASK_ID.fullmatch(artifact or "")
    if not m:
        return artifact
    _, scene, kind, num, what = m.groups()
    one = THINGS.get(what, (what.replace(".", " "),))[0]
    the = one if one.startswith("the ") else f"the {one}"
    if kind == "sh":
        return f"{the} of scene {int(scene)}, shot {int(num)}"
    if kind == "l":
        return f"{the} of line {int(num)} (scene {int(scene)})"
    if scene:
        return f"{the} of scene {int(scene)}"
    return the


def why_words(why: str) -> str:
    """A card's 'ep01-s01-sh01.keyframe: new' -> 'picture: new' (its own shot is the card's: not named)."""
    art, _, reason = why.partition(": ")
    m = TASK_ID.fullmatch(art)
    if not m:
        return plain(why)
    what = THINGS.get(m.group(5), (m.group(5).replace(".", " "),))[0]
    if m.group(3) == "l":
        what = f"{what} of line {int(m.group(4))}"
    return f"{what}: {REASONS.get(reason, plain(reason))}"


def plain(text: str, root=None) -> str:
    """A message as a person reads it: task ids in words, the project's paths relative to it, a temporary path as
    "a temporary file", no shell command (the studio has a button or a page for each), a missing key said as
    the Settings page's."""
    s = str(text or "")
    if root is not None:
        s = s.replace(str(root).rstrip("/") + "/", "")
    s = _re.sub(r"(?<![\w.])/(?:tmp|var|private|run)/[^\s:;,'\")]+", "a temporary file", s)
    s = _re.sub(r"(?<![\w.])(?:/[\w.@+-]+){2,}", lambda m: m.group(0).rsplit("/", 1)[-1], s)
    s = _re.sub(r"\s*\((?:e\.g\. )?`[^`]*`\)", "", s)
    s = _re.sub(r"(?:,? or |; |, |\s)?(?:run |with |use |try )?`(?:filmcrew|pip|python|export|set)\b[^`]*`[^;.]*", "", s)
    s = _re.sub(r"\(?pip install [^)]*\)?", "(an optional part of filmcrew that is not installed here)", s)
    s = _re.sub(r"set the environment variables? ([A-Z0-9_]+(?:(?:, | and | or )[A-Z0-9_]+)*)",
                r"enter the key \1 on the Settings page", s)
    if "moderation" in s.lower() and "refused" in s.lower() and "the vendor refused" not in s:
        what = "the picture" if any(w in s for w in ("keyframe", "image", "picture")) else "the request"
        s = f"the vendor refused {what} (moderation): {s}"
    s = _re.sub(r"\bep\d{2}\.cut\d+\.(?:segment|transition)\b", lambda m: artifact_words(m.group(0)), s)
    s = TASK_ID.sub(lambda m: artifact_words(m.group(0)), s)
    s = _re.sub(r"\bep(\d{2})-s(\d{2})-sh(\d{2})\b", lambda m: shot_words(m.group(0)), s)
    return _re.sub(r"\s{2,}", " ", s).strip(" ;,")


def event_words(e: dict, root=None) -> str:
    """A make's event in words: 'drawing scene 1, shot 2', 'animating scene 1, shot 2 (kling, 40%)', 'failed: ...'."""
    kind = e.get("type")
    art = e.get("artifact") or ""
    about = artifact_words(art)
    verb = ROLE_VERBS.get(e.get("role") or "", e.get("role") or "working")
    if kind == "task_started":
        return f"{verb}: {about}"
    if kind == "task_ended":
        out = e.get("outcome")
        secs = f" ({e['seconds']:.1f} s)" if isinstance(e.get("seconds"), (int, float)) else ""
        if out == "failed":
            return f"failed: {about}: {plain(e.get('error', ''), root)}"
        return f"{'made' if out in ('made', 'ran', 'done', None) else out}: {about}{secs}"
    if kind == "job":
        st = e.get("state") or ""
        prog = f", {e['progress']:.0%}" if isinstance(e.get("progress"), (int, float)) else ""
        what = "animating" if ".video" in art or ".clip" in art else "drawing" if ".keyframe" in art else "at the vendor"
        if st in ("failed", "refused"):
            return f"failed: {about}: {plain(e.get('detail', ''), root)}"
        if st == "fetched":
            return f"back from {e.get('provider')}: {about}"
        return f"{what} ({e.get('provider')}{prog}): {about}" + (f", {e['detail']}" if e.get("detail") else "")
    if kind == "run_ended":
        return "the make is over"
    return ""


def plan_words(items: list, costs, paces: dict | None = None) -> dict:
    """The plan in a sentence: '5 voices, 5 pictures, 5 clips, music, the edit; about 90 s here; 6.000 CNY to
    pay' (`items`: the plan's items; `costs`: money.costs of them; `paces`: seconds a task by role)."""
    from collections import Counter
    kinds = Counter()
    for i in items:
        what = i.task.artifact.split(".", 1)[1] if "." in i.task.artifact else i.task.artifact
        what = _re.sub(r"^cut\d+\.", "", what)  # a kept cut's parts are the edit's, as a shot's segment is
        what = _re.sub(r"^ep\d{2}(?:-s\d{2})?\.", "", what)  # a character's sheet in a later state is a sheet
        kinds[what] += 1
    order = ["voice", "keyframe", "clip", "video", "reference", "keyframe.pick", "video.pick", "score", "ambience",
             "timeline", "segment", "transition", "final"]
    parts = []
    for what in sorted(kinds, key=lambda w: order.index(w) if w in order else len(order)):
        one, many = THINGS.get(what, (what.replace(".", " "), what.replace(".", " ") + "s"))
        if what in ("segment", "transition", "final", "timeline", "timing", "mix", "mixpart", "mixscore", "scratch"):
            continue
        if one.startswith("the ") or what in ("score",):
            parts.append(one if what != "score" or kinds[what] == 1 else f"music for {kinds[what]} scenes")
        elif what in ("segment", "transition", "final", "timeline"):
            continue  # the edit and its finishing: said as "the edit"
        else:
            parts.append(f"{kinds[what]} {one if kinds[what] == 1 else many}")
    if any(w in kinds for w in ("segment", "transition", "final", "timeline", "timing", "mix", "mixpart", "mixscore")):
        parts.append("the edit")
    pace = {**PACE, **(paces or {})}
    seconds = sum(pace.get(i.task.role, 1.0) for i in items)
    remote = sum(1 for i in items if i.task.estimate is not None)
    when = (f"about {max(5, int(round(seconds / 5.0)) * 5)} s here" if items else "")
    if remote:
        when += f" and the vendors' time for {remote} job(s)"
    if costs is None:
        money = ""
    elif costs.to_pay:
        money = ", ".join(f"{v:.3f} {k}" for k, v in costs.to_pay.items()) + " to pay"
    else:
        money = "nothing to pay"
    if costs is not None and costs.paid:
        money += "; already paid: " + ", ".join(f"{v:.3f} {k}" for k, v in costs.paid.items())
    said = "; ".join(x for x in (", ".join(parts), when, money) if x) if items else "nothing to make: all is made"
    return {"sentence": said, "seconds": seconds, "money": money}


def paces(root) -> dict:
    """Seconds a task by role, from the project's earlier makes (their events), where there are some."""
    from collections import defaultdict

    from ..engine import events
    took = defaultdict(list)
    for path in events.runs(root)[-5:]:
        for e in events.read(path)[0]:
            if e.get("type") == "task_ended" and isinstance(e.get("seconds"), (int, float)) and e.get("role"):
                took[e["role"]].append(float(e["seconds"]))
    return {r: sum(v) / len(v) for r, v in took.items() if v}


def check_note(root) -> str:
    """Why a card has no takes: the consistency check is off here (the extra is missing, or the project turns it
    off), or '' when it runs and simply has not yet."""
    from .. import project
    from ..consistency.faces import available
    cfg = project.load_config(root)
    if cfg.consistency.check == "off":
        return "The consistency check is off for this film ([consistency] check = \"off\" in the settings)."
    if not available():
        return ("Takes and retakes need the consistency check, which is not installed here (the 'faces' part "
                "of filmcrew).")
    return ""


def diff_lines(theirs: str, mine: str, context: int = 2) -> list[tuple[str, str]]:
    """A line diff of the file as it is now (`theirs`) and the person's text (`mine`): ("same" | "del" | "add" |
    "skip", line); "del" is only in theirs, "add" only in mine, "skip" stands for unchanged lines left out."""
    import difflib
    a, b = (theirs or "").split("\n"), (mine or "").split("\n")
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            run = a[i1:i2]
            if len(run) > 2 * context + 1:
                head = run[:context] if out else []
                tail = run[-context:] if i2 < len(a) or j2 < len(b) else []
                out += [("same", x) for x in head]
                out.append(("skip", f"… {len(run) - len(head) - len(tail)} unchanged line(s) …"))
                out += [("same", x) for x in tail]
            else:
                out += [("same", x) for x in run]
            continue
        out += [("del", x) for x in a[i1:i2]]
        out += [("add", x) for x in b[j1:j2]]
    return out
