"""Issue 35's done-when, run end to end: a Chinese series voiced by a speech model, one voice per character (one of
them cloned from a person's sample with consent), its talking shots lip-synced, and the consistency report's voice
identity and lip-sync figures.

    .venv/bin/python bench/voiced_series.py                          # 5 x 3-minute episodes, full size
    .venv/bin/python bench/voiced_series.py --episodes 5 --minutes 0.4 --preview   # a small run first

This machine reaches no vendor, so the vendors are the TEST SERVERS of tests/ (fake_minimax_speech.py,
fake_kling.py), run here on local ports; they follow MiniMax's and Kling's published protocols, and what they
return is theirs, not the vendors':

- the speech: the MiniMax test server is run with `speech = "espeak"`: each voice id is said by espeak-ng with its
  own espeak voice and pitch (tests/fake_minimax_speech.ESPEAK). So the voice identity figures measure whether
  filmcrew keeps each character on its own voice id through a series and whether the measure tells espeak voices
  apart; they say nothing of MiniMax's voices. The cloned voice is spoken by the test server with an espeak voice
  picked from the clone's id (it does not copy the sample's timbre), so its similarity to the person's sample
  means nothing here (printed, labelled so).
- the person: the "person's sample" is espeak-ng (cmn+f3) reading a passage: a STAND-IN for a person, and the
  consent is a stand-in's text. What is real: the checks before sending, the upload and clone protocol, the
  record of consent and SHA-256, the ledger and `disclose`.
- lip sync: the Kling test server's lip-synced video is its own test pattern (ffmpeg's testsrc2, the same as the
  video it "animated"); it moves no lips. The sync figures of those shots measure that test pattern, not Kling.
  The other talking shots are animated offline (filmcrew's drawn lips) and measure filmcrew's own drawing.

Keys come from the environment only (the test servers' keys are put in the environment of each `filmcrew`
command). Writes bench/runs/<date>-<commit>-voiced-series[-EPxMIN].json (the scale named when it is not 5 x 3)."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))

PREMISE = "一个外卖骑手必须在七天内证明自己没有偷走富家千金的项链"
PERSON = "a stand-in (espeak-ng cmn+f3 reading a passage; no real person)"
CONSENT = ("I agree that my recorded voice speaks for this character in this series and its trailers, and that "
           "the recording is sent to MiniMax to clone it. (A stand-in's consent: this sample is espeak-ng.)")
PASSAGE = ("大家好，我是苏禾。我在这个镇上住了很多年，认识每一条街道和每一家小店。"
           "每天早上我都会去集市买菜，和邻居们聊聊天。今天的天气很好，阳光照在广场上。"
           "如果你需要帮忙，随时可以来找我，我一定会尽力而为。")
VOICES = {"child": ["lovely_girl"], "f": ["female-shaonv", "female-yujie", "Chinese (Mandarin)_Lyrical_Voice"],
          "m": ["male-qn-qingse", "presenter_male"]}
PARENTHETICALS = ("（生气）", "（哭腔）")  # MiniMax's "angry" and "sad" (providers/remote/speech.emotion_of)


def fc(*args, env: dict, check: bool = True, log: Path | None = None) -> dict:
    """One `filmcrew` command in its own process: its exit status, wall and CPU seconds (its own and its
    children's, from wait4), its output (or the log file it went to)."""
    t0 = time.perf_counter()
    out = open(log, "ab") if log else subprocess.PIPE
    try:
        p = subprocess.Popen([sys.executable, "-m", "filmcrew", *map(str, args)], env=env, stdout=out,
                             stderr=subprocess.STDOUT)
        text = b""
        if not log:
            with p.stdout:
                text = p.stdout.read()
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if log:
            out.close()
    res = {"args": [str(a) for a in args[:1]], "rc": p.returncode, "wall_s": round(time.perf_counter() - t0, 1),
           "cpu_s": round(ru.ru_utime + ru.ru_stime, 1), "max_rss_mib": round(ru.ru_maxrss / 1024),
           "output": text.decode("utf-8", "replace") if not log else f"(in {log})"}
    if check and p.returncode != 0:
        tail = res["output"] if not log else Path(log).read_text(errors="replace")[-4000:]
        raise SystemExit(f"filmcrew {' '.join(map(str, args))} failed ({p.returncode}):\n{tail}")
    return res


def person_sample(path: Path) -> Path:
    """The stand-in for a person's recording: espeak-ng (cmn+f3) reading PASSAGE, a 16 kHz WAV of 10 s or more."""
    raw = subprocess.run(["espeak-ng", "-v", "cmn+f3", "-p", "45", "-s", "140", "--stdout", PASSAGE],
                         capture_output=True, check=True).stdout
    import imageio_ffmpeg
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-i", "-", "-ar", "16000", "-ac", "1",
                    str(path)], input=raw, check=True)
    with wave.open(str(path)) as w:
        assert w.getnframes() / w.getframerate() >= 10, "the stand-in sample must be 10 s or more (MiniMax's minimum)"
    return path


def write_project(root: Path, episodes: int, minutes: float, seed: int, env: dict, mm_url: str,
                  kling_url: str) -> dict:
    """new + write a Chinese series, the speech and video test servers as providers, each character's voice a
    distinct MiniMax voice id (by the bible's gender and age), a parenthetical emotion on two lines an episode.
    Returns {character: voice id}."""
    import yaml
    fc("new", root, "--premise", PREMISE, "--format", "series", "--episodes", episodes, "--minutes", minutes,
       "--lang", "zh", "--seed", seed, env=env)
    fc("write", root, "--quiet", env=env)
    toml = root / "filmcrew.toml"
    toml.write_text(toml.read_text(encoding="utf-8")
                    + f'\n[providers.minimax-speech]\nbase_url = "{mm_url}"\napi_key_env = "MINIMAX_API_KEY"\n'
                    f'max_concurrent = 2\n'
                    f'\n[providers.kling]\nbase_url = "{kling_url}"\nmodel = "kling-v2-6"\nmode = "std"\n'
                    f'access_key_env = "KLING_ACCESS_KEY"\nsecret_key_env = "KLING_SECRET_KEY"\nmax_concurrent = 3\n'
                    f'poll_every = 0.1\n'
                    f'\n[providers.kling-lipsync]\nbase_url = "{kling_url}"\npoll_every = 0.1\n', encoding="utf-8")
    bp = root / "story" / "bible.yaml"
    bible = yaml.safe_load(bp.read_text(encoding="utf-8"))
    used: set[str] = set()
    voices = {}
    for ch in bible["characters"]:
        look = ch.get("look") or {}
        pool = VOICES["child"] if look.get("age") == "child" else VOICES.get(look.get("gender"), [])
        vid = next((v for v in pool + [v for vs in VOICES.values() for v in vs] if v not in used), None)
        if vid is None:
            raise SystemExit(f"more characters ({len(bible['characters'])}) than distinct test voices")
        used.add(vid)
        ch["voice"] = {"provider": "minimax-speech", "voice": vid, "speed": 1.0, "pitch": 0}
        voices[ch["name"]] = vid
    bp.write_text(yaml.safe_dump(bible, allow_unicode=True, sort_keys=False), encoding="utf-8")
    names = set(voices)
    for ep in sorted((root / "story").glob("ep*.fountain")):  # an emotion on the first two lines of each episode
        lines = ep.read_text(encoding="utf-8").split("\n")
        cues = [i for i, t in enumerate(lines) if t.strip() in names and i + 1 < len(lines)
                and lines[i + 1].strip() and not lines[i + 1].strip().startswith(("(", "（"))]
        for k, i in enumerate(sorted(cues[:2], reverse=True)):
            lines.insert(i + 1, PARENTHETICALS[(len(cues[:2]) - 1 - k) % 2])
        ep.write_text("\n".join(lines), encoding="utf-8")
    return voices


VOICE_OVER = "这是画外音。"  # a voice-over line planted in a lip-synced shot


def plant_voice_over(root: Path, env: dict) -> str:
    """Add a voice-over line (its speaker's cue with "(V.O.)") after the last line of episode 1's first talking
    shot of at most 4 s as the screenplay estimates it (else its shortest talking shot), said by that line's speaker, who is in the shot: Kling's lip sync must not get it.
    Returns the shot's id."""
    from filmcrew import pipeline
    from filmcrew.crew import lipsync
    from filmcrew.story import screenplay
    _, ctxs = pipeline.contexts(root, env, 1, False)
    talking = [s for s in ctxs[0].episode.shots() if lipsync.on_screen(s)]
    sh = next((s for s in talking if screenplay.estimated_shot_seconds(s, "zh") <= 4), None) or \
        min(talking, key=lambda s: screenplay.estimated_shot_seconds(s, "zh"))
    ep = root / "story" / f"{ctxs[0].episode.id}.fountain"
    lines = ep.read_text(encoding="utf-8").split("\n")
    k = sh.lines[-1].source_line - 1
    while k < len(lines) and lines[k].strip():
        k += 1
    lines[k:k] = ["", f"{sh.lines[-1].speaker} (V.O.)", VOICE_OVER]
    ep.write_text("\n".join(lines), encoding="utf-8")
    return sh.id


def mark_talking_shots(root: Path, env: dict, per_episode: int, must: tuple[str, ...] = ()) -> list[dict]:
    """Give `per_episode` talking shots of each episode (shots with a line spoken on screen, estimated at most 6 s:
    Kling lip-syncs 5 and 10 s videos, and the voices may speak slower than the estimate; the shots in `must` first) to Kling with Kling's lip sync: `[[shot: animator:
    kling; lipsync: kling-lipsync]]`. Returns [{episode, shot, on_screen lines, off-screen lines}]."""
    from filmcrew import pipeline
    from filmcrew.crew import lipsync
    from filmcrew.story import screenplay
    _, ctxs = pipeline.contexts(root, env, None, False)
    marked = []
    for ctx in ctxs:
        ep = root / "story" / f"{ctx.episode.id}.fountain"
        text = ep.read_text(encoding="utf-8")
        lang = "zh"
        talking = [s for s in ctx.episode.shots() if lipsync.on_screen(s)
                   and screenplay.estimated_shot_seconds(s, lang) <= 6]
        step = max(1, len(talking) // max(1, per_episode))
        chosen = [s for s in ctx.episode.shots() if s.id in must and lipsync.on_screen(s)]
        chosen += [s for s in talking[::step] if s not in chosen]
        for sh in chosen[:per_episode]:
            text = screenplay.set_shot_note(text, sh.source_line, "animator", "kling")
            text = screenplay.set_shot_note(text, sh.source_line, "lipsync", "kling-lipsync")
            seen = {ln.id for ln in lipsync.on_screen(sh)}
            marked.append({"episode": ctx.episode.id, "shot": sh.id, "on_screen": sorted(seen),
                           "off_screen": [ln.id for ln in sh.lines if ln.id not in seen]})
        ep.write_text(text, encoding="utf-8")
    return marked


def clone_target(root: Path, env: dict, names: list[str]) -> str:
    """The character whose voice is cloned: the one with the second most lines (the protagonist keeps a
    system voice), in the bible's order on a tie."""
    from filmcrew import pipeline
    _, ctxs = pipeline.contexts(root, env, None, False)
    count = {n: 0 for n in names}
    for ctx in ctxs:
        for ln in ctx.episode.lines():
            if ln.speaker in count:
                count[ln.speaker] += 1
    ranked = sorted(names, key=lambda n: (-count[n], names.index(n)))
    return ranked[1] if len(ranked) > 1 and count[ranked[1]] else ranked[0]


def voice_over_check(root: Path, env: dict, preview: bool, shot: str, sent: list[bytes]) -> dict:
    """What the lip-sync job of `shot` was sent: its audio (the store's voices.wav, and whether the Kling test
    server received those bytes), and its loudness (RMS) where each of the shot's lines plays in it: the
    on-screen lines' spans voiced, the voice-over's silent."""
    import hashlib

    import numpy as np
    from filmcrew import pipeline
    from filmcrew.engine.layout import Layout
    from filmcrew.media import ffmpeg
    st = Layout.of(root).store()
    _, ctxs = pipeline.contexts(root, env, int(shot[2:4]), preview)
    ctx = ctxs[0]
    g = pipeline.episode_graph(ctx)
    wav = st.path(g.task(f"{shot}.lipsync").key) / "voices.wav"
    a, rate = ffmpeg.read_wav(wav)
    mono = a.mean(axis=1)
    tl = json.loads((st.path(g.task(f"{ctx.episode.id}.timeline").key) / "timeline.json").read_text(encoding="utf-8"))
    item = next(it for it in tl["items"] if it["kind"] == "shot" and it["shot"] == shot)
    sh = next(s for s in ctx.episode.shots() if s.id == shot)
    spans = {}
    for ln in tl["lines"]:
        if ln.get("item") != item["item"]:
            continue
        a0 = (int(ln["start"]) - item["start"] + int(item.get("src_in", 0))) * rate // 30  # (the clip's frame 0)
        a1 = a0 + int(ln["frames"]) * rate // 30
        seg = mono[max(0, a0):max(0, a1)]
        is_vo = next((x for x in sh.lines if x.id == ln["line"]), None)
        spans[ln["line"]] = {"voice_over": bool(is_vo and "V.O" in (is_vo.extension or "").upper()),
                             "rms": round(float(np.sqrt(np.mean(seg ** 2))) if len(seg) else 0.0, 5)}
    digest = hashlib.sha256(wav.read_bytes()).hexdigest()
    return {"shot": shot, "received_by_test_server": digest in {hashlib.sha256(b).hexdigest() for b in sent},
            "lines": spans}


def unmark_lipsync(root: Path, env: dict, shots: list[str]) -> None:
    """Take `lipsync: kling-lipsync` off these shots' notes (their animator stays Kling: its video is paid)."""
    from filmcrew import pipeline
    from filmcrew.story import screenplay
    _, ctxs = pipeline.contexts(root, env, None, False)
    for ctx in ctxs:
        ep = root / "story" / f"{ctx.episode.id}.fountain"
        text = ep.read_text(encoding="utf-8")
        for sh in ctx.episode.shots():
            if sh.id in shots:
                text = screenplay.set_shot_note(text, sh.source_line, "lipsync", "")
        ep.write_text(text, encoding="utf-8")


def journal_figures(root: Path) -> dict:
    """Jobs in the journal: how many reached a vendor (spent), per kind, and their money per currency."""
    from filmcrew.engine import jobs as jstate
    recs = list(jstate.Journal.of(root).records())
    spent = [r for r in recs if r.get("state") in jstate.SPENT]
    kinds: dict[str, int] = {}
    money: dict[str, float] = {}
    for r in spent:
        kind = r["label"].rsplit(".", 1)[-1]
        kinds[kind] = kinds.get(kind, 0) + 1
        cost = r.get("actual") if r.get("actual") is not None else (r.get("estimate") or {}).get("amount", 0)
        cur = (r.get("estimate") or {}).get("currency", "?")
        money[cur] = round(money.get(cur, 0) + float(cost or 0), 6)
    return {"records": len(recs), "spent": len(spent), "by_kind": kinds, "money": money,
            "lipsync_jobs": sorted(r["label"].rsplit(".", 1)[0] for r in spent if r["label"].endswith(".lipsync"))}


def distinctness(root: Path, env: dict, preview: bool, sample: Path, cloned: str, per_character: int = 6) -> dict:
    """How far apart the characters' voices are: the median similarity between two characters' lines (up to
    `per_character` lines each, Resemblyzer's encoder as consistency/voices.py runs it), and the cloned character's
    lines against the person's sample (meaningless on the test server, which does not copy the sample's timbre)."""
    import numpy as np
    from filmcrew import pipeline
    from filmcrew.consistency.voices import VoiceEncoder
    from filmcrew.engine.layout import Layout
    enc = VoiceEncoder()
    st = Layout.of(root).store()
    _, ctxs = pipeline.contexts(root, env, None, preview)
    files: dict[str, list[Path]] = {}
    for ctx in ctxs:
        g = pipeline.episode_graph(ctx)
        for ln in ctx.episode.lines():
            t = g.by_artifact.get(f"{ln.id}.voice")
            if t is not None and st.made(t) and len(files.setdefault(ln.speaker, [])) < per_character * 2:
                files[ln.speaker].append(st.path(t.key) / "line.wav")
    emb = {}
    for name, ps in files.items():
        es = [e for e in (enc.embed_file(p) for p in ps) if e is not None][:per_character]
        emb[name] = es
    names = sorted(emb)
    pairs = {}
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            sims = [float(np.dot(x, y)) for x in emb[a] for y in emb[b]]
            if sims:
                pairs[f"{a} / {b}"] = {"median": round(float(np.median(sims)), 3), "max": round(max(sims), 3)}
    within = {}
    for a in names:
        sims = [float(np.dot(x, y)) for i, x in enumerate(emb[a]) for y in emb[a][i + 1:]]
        if sims:
            within[a] = {"median": round(float(np.median(sims)), 3), "min": round(min(sims), 3)}
    ref = enc.embed_file(sample)
    to_sample = [round(float(np.dot(e, ref)), 3) for e in emb.get(cloned, [])] if ref is not None else []
    return {"lines_per_character": {n: len(emb[n]) for n in names}, "between_characters": pairs,
            "within_character": within,
            "cloned_to_sample": {"character": cloned, "similarities": to_sample,
                                 "meaning": "none here: the test server speaks a clone with an espeak voice of its "
                                            "own, not the sample's timbre"}}


def run(work: Path, episodes: int = 5, minutes: float = 3.0, preview: bool = False, seed: int = 11,
        talking_per_episode: int = 2, jobs: int = 2, second_make: bool = True, distinct: bool = True,
        log=print) -> dict:
    """The whole run in `work` (a new folder): the result as a dict (see the module's docstring)."""
    from fake_kling import AK, SK, FakeKling
    from fake_minimax_speech import KEY, FakeMiniMaxSpeech
    work.mkdir(parents=True, exist_ok=True)
    root = work / "series"
    env = {**os.environ, "FILMCREW_HOME": os.environ.get("FILMCREW_HOME") or str(work / "home"),
           "MINIMAX_API_KEY": KEY, "KLING_ACCESS_KEY": AK, "KLING_SECRET_KEY": SK}
    pv = ["--preview"] if preview else []
    res: dict = {"scale": {"episodes": episodes, "minutes": minutes, "preview": preview, "seed": seed,
                           "language": "zh"},
                 "vendors": "TEST SERVERS (tests/fake_minimax_speech.py with speech='espeak', tests/fake_kling.py) "
                            "on local ports, following MiniMax's and Kling's published protocols; no vendor reached"}
    with FakeMiniMaxSpeech() as mm, FakeKling() as kl:
        mm.speech = "espeak"
        kl.work = 0.5
        voices = write_project(root, episodes, minutes, seed, env, mm.url, kl.url)
        cloned = clone_target(root, env, list(voices))
        sample = person_sample(work / "person-sample.wav")
        import hashlib
        clone = fc("voice", "clone", root, cloned, sample, "--person", PERSON, "--consent", CONSENT, env=env)
        log(clone["output"].strip())
        import yaml
        bible = yaml.safe_load((root / "story" / "bible.yaml").read_text(encoding="utf-8"))
        voices = {c["name"]: c["voice"]["voice"] for c in bible["characters"]}
        res["voices"] = {n: {"voice_id": v, "cloned": n == cloned,
                             "test_server_speaks_it_as": (__import__("fake_minimax_speech").ESPEAK.get(v)
                                                          or "a clone voice of CLONE_VOICES")}
                         for n, v in voices.items()}
        res["clone"] = {"character": cloned, "person": PERSON, "sample_seconds": None,
                        "sample_sha256": hashlib.sha256(sample.read_bytes()).hexdigest(),
                        "uploads": len(mm.uploads), "clones_at_vendor": len(mm.clones)}
        with wave.open(str(sample)) as w:
            res["clone"]["sample_seconds"] = round(w.getnframes() / w.getframerate(), 2)
        narrated = plant_voice_over(root, env)
        marked = mark_talking_shots(root, env, talking_per_episode, (narrated,))
        res["talking_shots_marked"] = marked
        log(f"{len(marked)} talking shot(s) given to Kling with lip sync: {', '.join(m['shot'] for m in marked)}")
        plan = fc("plan", root, *pv, "--cost", env=env)
        res["plan_tail"] = plan["output"].strip().splitlines()[-6:]
        logs = work / "make.log"
        t_cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        log(f"make ({episodes} x {minutes} min{', preview' if preview else ''}; log {logs}) ...")
        first = fc("make", root, *pv, "--quiet", "--jobs", jobs, env=env, log=logs, check=False)
        res["lipsync_refused_too_long"] = []
        if first["rc"] != 0:  # a shot whose voices came out longer than Kling's clip: refused before sending
            refused = sorted(set(re.findall(r"(ep\d+-s\d+-sh\d+)\.lipsync: shot \S+: it lasts ([\d.]+) s",
                                            logs.read_text(encoding="utf-8", errors="replace"))))
            if not refused:
                raise SystemExit(f"make failed:\n{logs.read_text(errors='replace')[-4000:]}")
            log(f"  lip sync refused before sending (the shot is longer than Kling's clip): {refused}; those shots "
                f"keep Kling's video without lip sync, as the message asks a person to decide")
            unmark_lipsync(root, env, [r[0] for r in refused])
            res["lipsync_refused_too_long"] = [{"shot": r[0], "seconds": float(r[1])} for r in refused]
            marked = [m for m in marked if m["shot"] not in {r[0] for r in refused}]
            res["talking_shots_lip_synced"] = marked
            retry = fc("make", root, *pv, "--quiet", "--jobs", jobs, env=env, log=logs)
            first = {"wall_s": round(first["wall_s"] + retry["wall_s"], 1), "cpu_s": round(first["cpu_s"] + retry["cpu_s"], 1),
                     "max_rss_mib": max(first["max_rss_mib"], retry["max_rss_mib"]), "attempts": 2}
        log(f"  first make: {first['wall_s']} s wall, {first['cpu_s']} s CPU, peak {first['max_rss_mib']} MiB")
        sent = {"speech_requests": len(mm.requests), "lipsync_requests": len(kl.lipsyncs),
                "video_requests": len(kl.submits)}
        res["first_make"] = {k: first[k] for k in ("wall_s", "cpu_s", "max_rss_mib")} | sent
        res["journal"] = journal_figures(root)
        if second_make:
            again = fc("make", root, *pv, "--quiet", "--jobs", jobs, env=env, log=logs)
            res["second_make"] = {k: again[k] for k in ("wall_s", "cpu_s")} | {
                "speech_requests_sent": len(mm.requests) - sent["speech_requests"],
                "lipsync_requests_sent": len(kl.lipsyncs) - sent["lipsync_requests"],
                "video_requests_sent": len(kl.submits) - sent["video_requests"],
                "journal_spent_after": journal_figures(root)["spent"]}
            log(f"  second make: {again['wall_s']} s wall; sent {res['second_make']['speech_requests_sent']} speech, "
                f"{res['second_make']['video_requests_sent']} video, {res['second_make']['lipsync_requests_sent']} "
                f"lip-sync requests")
        t_cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        res["test_servers_cpu_s"] = round((t_cpu1.ru_utime + t_cpu1.ru_stime - t_cpu0.ru_utime - t_cpu0.ru_stime)
                                          - first["cpu_s"] - res.get("second_make", {}).get("cpu_s", 0), 1)
        # what the lip-sync requests carried: the shot each was for (the job's label), its audio's length
        res["lipsync_sent"] = [{"video_id": q.get("video_id"), "mode": q.get("mode"),
                                "audio_bytes": len(q.get("audio", b""))} for q in kl.lipsyncs]
        log("consistency ...")
        res["voice_over_in_a_lip_synced_shot"] = voice_over_check(root, env, preview, narrated,
                                                                  [q.get("audio", b"") for q in kl.lipsyncs]) \
            if narrated in {m["shot"] for m in marked} else {"shot": narrated, "refused": "its lip sync was refused: longer than Kling's clip"}
        cons = fc("consistency", root, *pv, env=env, check=False)
        log(f"  consistency: {cons['wall_s']} s wall, {cons['cpu_s']} s CPU")
        res["consistency_cli"] = {"rc": cons["rc"], "wall_s": cons["wall_s"], "cpu_s": cons["cpu_s"],
                                  "output": cons["output"].strip().splitlines()}
        disc = fc("disclose", root, env=env)
        res["disclose_rc"] = disc["rc"]
        if distinct:
            t0 = time.perf_counter()
            res["distinctness"] = distinctness(root, env, preview, sample, cloned)
            res["distinctness"]["seconds"] = round(time.perf_counter() - t0, 1)
    res.update(figures(root, preview, marked, cloned, {r["shot"] for r in res["lipsync_refused_too_long"]}))
    return res


def figures(root: Path, preview: bool, marked: list[dict], cloned: str, video_only: set = frozenset()) -> dict:
    """The report's voice and lip-sync figures, provenance's spend and cloned voice, `disclose`'s words."""
    import statistics
    rep = json.loads((root / "out" / "consistency.json").read_text(encoding="utf-8"))
    voices = {}
    for name, c in (rep.get("voices") or {}).get("characters", {}).items():
        sims = [r["similarity"] for r in c["lines"] if r["similarity"] is not None and r["line"] != c["reference"]]
        voices[name] = {"lines": len(c["lines"]), "measured": len(c["lines"]) - len(c["not_measurable"]),
                        "reference": c["reference"], "min": min(sims) if sims else None,
                        "median": round(statistics.median(sims), 3) if sims else None,
                        "flagged": c["unlike"], "not_measurable": len(c["not_measurable"])}
    kling = {m["shot"] for m in marked}
    sync = [{"episode": s.get("episode"), "shot": s["shot"], "by": "kling lip sync (TEST SERVER's video)"
             if s["shot"] in kling else "kling video without lip sync (TEST SERVER's video)" if s["shot"] in video_only
             else "offline animator (drawn lips)", "method": s["method"], "score": s["score"],
             "lag": s["lag"], "verdict": s["verdict"]} for s in (rep.get("lipsync") or {}).get("shots", [])]
    spend: dict[str, float] = {}
    artifacts_cloned = 0
    clone_ledger = None
    for p in sorted((root / "out").glob("ep*.preview.provenance.json" if preview else "ep[0-9][0-9].provenance.json")):
        prov = json.loads(p.read_text(encoding="utf-8"))
        for cur, amt in (prov.get("spend") or {}).items():
            spend[cur] = round(spend.get(cur, 0) + amt, 6)
        for a in prov.get("artifacts", []):
            if a.get("role") == "voice" and "cloned_voice" in (a.get("ledger") or {}):
                artifacts_cloned += 1
                clone_ledger = a["ledger"]["cloned_voice"]
    rec = json.loads((root / "story" / "cloned-voices.json").read_text(encoding="utf-8"))["clones"]
    md = (root / "out" / "disclosure.md").read_text(encoding="utf-8")
    said = [ln.strip() for ln in md.splitlines() if "clone" in ln.lower()]
    return {"voice_identity": voices, "voices_method": (rep.get("voices") or {}).get("method")
            or (rep.get("voices") or {}).get("unavailable"),
            "lip_sync": sync, "lip_sync_method": (rep.get("lipsync") or {}).get("method"),
            "spend_in_provenance": spend, "spend_in_provenance_note": "the episodes' provenance spend added up: a "
            "line said alike in two episodes is one job (one key, made once) and counts in each episode's spend; the "
            "journal's figure is what was paid",
            "cloned_voice": {"record": rec, "lines_in_provenance_naming_it": artifacts_cloned,
                             "ledger_entry": clone_ledger, "disclose_says": said}}


def show(res: dict) -> None:
    print(f"\n== {res['scale']['episodes']} x {res['scale']['minutes']} min Chinese series"
          f"{' (preview)' if res['scale']['preview'] else ''}; vendors: {res['vendors']}")
    print("voices (test server: espeak-ng per voice id):")
    for n, v in res["voices"].items():
        print(f"  {n}: {v['voice_id']}{' (CLONED from ' + PERSON + ')' if v['cloned'] else ''}")
    print("voice identity (filmcrew consistency; similarity to the character's reference line):")
    for n, v in res["voice_identity"].items():
        print(f"  {n}: {v['measured']}/{v['lines']} lines measured, min {v['min']}, median {v['median']}, "
              f"flagged {len(v['flagged'])}{' ' + ','.join(v['flagged']) if v['flagged'] else ''}, "
              f"not measurable {v['not_measurable']}")
    if res.get("distinctness"):
        d = res["distinctness"]
        print("between characters (median similarity of their lines; the same voice is about 0.9):")
        for k, v in d["between_characters"].items():
            print(f"  {k}: median {v['median']}, max {v['max']}")
        print(f"  cloned {d['cloned_to_sample']['character']}'s lines to the person's sample: "
              f"{d['cloned_to_sample']['similarities']} ({d['cloned_to_sample']['meaning']})")
    print("lip sync per talking shot (Kling's shots: the TEST SERVER's video, which moves no lips):")
    for s in res["lip_sync"]:
        print(f"  {s['shot']}: {s['by']}: {s['verdict']}"
              + (f" (score {s['score']:.2f}, lag {s['lag']:+d}, {s['method']})" if s["score"] is not None
                 else f" ({s['method']})"))
    f, j = res["first_make"], res["journal"]
    print(f"make: {f['wall_s']} s wall, {f['cpu_s']} s CPU (filmcrew's processes), peak {f['max_rss_mib']} MiB; "
          f"test servers' CPU {res['test_servers_cpu_s']} s")
    print(f"jobs paid: {j['spent']} ({j['by_kind']}); money (journal: what was paid) {j['money']}; the episodes' "
          f"provenance spend added up {res['spend_in_provenance']} (a line shared by episodes counts in each)")
    if "second_make" in res:
        s = res["second_make"]
        print(f"second make: {s['wall_s']} s wall; requests sent: speech {s['speech_requests_sent']}, video "
              f"{s['video_requests_sent']}, lip sync {s['lipsync_requests_sent']}; jobs in journal {s['journal_spent_after']}")
    v = res["voice_over_in_a_lip_synced_shot"]
    if res.get("lipsync_refused_too_long"):
        print(f"lip sync refused before sending, the shot longer than Kling's clip: {res['lipsync_refused_too_long']}")
    if "lines" in v:
        print(f"the lip-sync audio of {v['shot']} (a voice-over planted in it), RMS per line's span: "
              + ", ".join(f"{k}{' (V.O.)' if x['voice_over'] else ''} {x['rms']}" for k, x in v["lines"].items())
              + f"; received by the test server: {v['received_by_test_server']}")
    c = res["cloned_voice"]
    print(f"cloned voice: {c['record'][0]['character']} <- {c['record'][0]['person']}; sample sha256 "
          f"{c['record'][0]['sample']['sha256'][:16]}...; {c['lines_in_provenance_naming_it']} lines' ledger entries "
          f"name it; disclose says: {' | '.join(c['disclose_says'][:3])}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--episodes", type=int, default=5)
    ap.add_argument("--minutes", type=float, default=3.0)
    ap.add_argument("--preview", action="store_true")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--talking", type=int, default=2, help="talking shots lip-synced by Kling per episode")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--work", help="the folder to make it in (default: a new temporary one, kept)")
    ap.add_argument("--no-save", action="store_true")
    a = ap.parse_args()
    work = Path(a.work) if a.work else Path(tempfile.mkdtemp(prefix="voiced-series-"))
    t0 = time.perf_counter()
    res = run(work, a.episodes, a.minutes, a.preview, a.seed, a.talking, a.jobs)
    res["total_wall_s"] = round(time.perf_counter() - t0, 1)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                            text=True).stdout.strip()
    res["commit"], res["work"] = commit, str(work)
    res["machine"] = f"{os.cpu_count()} CPUs, load average at the end {os.getloadavg()[0]:.2f} (shared machine)"
    show(res)
    if not a.no_save:
        scale = "" if (a.episodes, a.minutes, a.preview) == (5, 3.0, False) else \
            f"-{a.episodes}x{a.minutes:g}min{'-preview' if a.preview else ''}"
        out = HERE / "runs" / f"{datetime.date.today().isoformat()}-{commit}-voiced-series{scale}.json"
        out.write_text(json.dumps(res, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
