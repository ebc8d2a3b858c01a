"""`filmcrew check FILE.mp4 [--contest NAME]`: does a file meet a contest's or platform's rules?

Works on any MP4, made by filmcrew or not. Everything is measured from the file itself (the frames, the
boxes, the audio), never from a header's summary: every sample the index points to must be in the file,
the whole file must decode without an error, the frame rate must be constant, and content credentials
that are present must match the file (a mismatch fails whatever the profile says of C2PA). Except the AI share, which comes from the embedded C2PA manifest or from the
provenance file next to the MP4 (`NAME.provenance.json`, whose recorded SHA-256 must match the file);
when neither exists the report says the share is unknown instead of guessing.

Profiles are JSON files: the built-in ones in `filmcrew/provenance/profiles/`, a user's own in
`~/.config/filmcrew/profiles/` (or `$FILMCREW_PROFILES`), or any file given with `--profile FILE`.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path

from ..errors import ConfigError, FilmcrewError, MediaError, did_you_mean, read_text
from ..engine.store import sha256
from ..media import ffmpeg, mp4
from . import labels

BUILTIN = Path(__file__).parent / "profiles"


@dataclass
class Finding:
    check: str
    status: str  # pass, fail, warn (an advised check that failed), unknown
    required: bool
    detail: str
    value: float | None = None  # the measured figure where one is the point (the AI share)
    evidence: str | None = None  # the AI share's: verified, declared or none (EVIDENCE)


# What stands behind an AI share: "verified", a C2PA manifest bound to the file's bytes, signed by a signer a trust
# list names; "declared", the maker's word (a manifest whose signer is on no trust list given, or an unsigned
# provenance file naming this film's SHA-256); "none", nothing that is this film's.
EVIDENCE = ("verified", "declared", "none")


def profile_dirs() -> list[Path]:
    user = Path(os.environ.get("FILMCREW_PROFILES", Path.home() / ".config" / "filmcrew" / "profiles"))
    return [user, BUILTIN]


def available_profiles() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for d in reversed(profile_dirs()):  # a user's profile of the same name wins
        for p in sorted(d.glob("*.json")) if d.is_dir() else []:
            found[p.stem] = p
    return found


def load_profile(name_or_path: str, path: bool = False) -> dict:
    """A profile by name (built-in or the user's), or from a file (`path`, or a name ending in .json)."""
    p = Path(name_or_path)
    if path and not p.is_file():
        raise ConfigError(f"--profile {p}: no such file; give a JSON profile such as {BUILTIN / 'delivery.json'}")
    if not path and not p.suffix == ".json":
        profiles = available_profiles()
        if name_or_path not in profiles:
            raise ConfigError(f"--contest {name_or_path}: unknown; known: {', '.join(sorted(profiles))} "
                              f"(or add {name_or_path}.json to {profile_dirs()[0]})")
        p = profiles[name_or_path]
    try:
        prof = json.loads(read_text(p))
    except json.JSONDecodeError as err:
        raise ConfigError(f"{p}:{err.lineno}: not a JSON profile ({err.msg}); see the built-in ones in {BUILTIN}") from None
    if not isinstance(prof, dict):
        raise ConfigError(f"{p}: a profile is a JSON object; see the built-in ones in {BUILTIN}")
    validate_profile(prof, str(p))
    return prof


def _num(v) -> bool:
    import math
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _pair(v, lo=None) -> bool:
    return isinstance(v, list) and len(v) == 2 and all(_num(x) and (lo is None or x >= lo) for x in v) and v[0] <= v[1]


LABEL_LEVELS = ("required", "advised", "off")
# every field a profile may have: (what it must be, as a person reads it; the check); the first five are required
PROFILE_FIELDS = {
    "name": ("text", lambda v: isinstance(v, str) and v.strip() != ""),
    "duration_s": ("[shortest, longest] in seconds", lambda v: _pair(v, 0)),
    "aspects": ('a list such as ["9:16"]', lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v)),
    "labels": ('an object such as {"visible": "required"}', lambda v: isinstance(v, dict)),
    "delivery": ("an object (codec, fps, loudness ...)", lambda v: isinstance(v, dict)),
    "title": ("text", lambda v: isinstance(v, str)),
    "min_size": ("[width, height] in pixels", lambda v: isinstance(v, list) and len(v) == 2 and
                 all(isinstance(x, int) and not isinstance(x, bool) and x > 0 for x in v)),
    "ai_share": ('null, or an object such as {"basis": "generated", "min": 0.7}', lambda v: v is None or isinstance(v, dict)),
    "ai_share_evidence": ('"verified" (a signature a trust list names) or "declared" (the maker\'s word is enough)',
                          lambda v: v in ("verified", "declared")),
}
LABEL_FIELDS = {k: (f"one of {', '.join(LABEL_LEVELS)}", lambda v: v in LABEL_LEVELS or v is None)
                for k in ("visible", "aigc", "c2pa")}
SHARE_FIELDS = {"basis": ("generated or trained", lambda v: v in ("generated", "trained")),
                "min": ("a share from 0 to 1, such as 0.7", lambda v: _num(v) and 0 <= v <= 1),
                "note": ("text", lambda v: isinstance(v, str))}
DELIVERY_FIELDS = {
    "video_codec": ("a codec name such as h264", lambda v: isinstance(v, str)),
    "profile": ("a codec profile such as High", lambda v: isinstance(v, str)),
    "pix_fmt": ("a pixel format such as yuv420p", lambda v: isinstance(v, str)),
    "fps": ("[lowest, highest] frames a second", lambda v: _pair(v, 0)),
    "audio_codec": ("a codec name such as aac", lambda v: isinstance(v, str)),
    "audio_rate": ("a sample rate such as 48000", lambda v: isinstance(v, int) and not isinstance(v, bool) and v > 0),
    "faststart": ("true or false", lambda v: isinstance(v, bool)),
    "lufs": ("a loudness in LUFS such as -14", lambda v: _num(v) and -70 <= v <= 0),
    "lufs_tolerance": ("a number of LU such as 1", lambda v: _num(v) and v >= 0),
    "max_true_peak": ("a level in dBTP such as -1", lambda v: _num(v) and v <= 3),
}


def validate_profile(prof: dict, where: str) -> None:
    """Every field of a profile against what it may be (known fields only, with their types and ranges), so a
    wrong one is named here instead of failing deep inside a check."""
    def fields(obj: dict, spec: dict, prefix: str, required=()) -> None:
        for k in required:
            if k not in obj:
                raise ConfigError(f"{where}: missing field {prefix}{k!r}; see the built-in profiles in {BUILTIN}")
        for k, v in obj.items():
            if k not in spec:
                hint = did_you_mean(k, spec, show=lambda c: prefix + c)
                raise ConfigError(f"{where}: unknown field {prefix}{k}{hint} (known: {', '.join(spec)})")
            shape, good = spec[k]
            if not good(v):
                raise ConfigError(f"{where}: {prefix}{k}: {json.dumps(v)[:60]} must be {shape}; see the built-in "
                                  f"profiles in {BUILTIN}")

    fields(prof, PROFILE_FIELDS, "", ("name", "duration_s", "aspects", "labels", "delivery"))
    fields(prof["labels"], LABEL_FIELDS, "labels.")
    fields(prof["delivery"], DELIVERY_FIELDS, "delivery.", ("video_codec", "pix_fmt", "fps", "audio_codec",
                                                             "audio_rate", "lufs", "lufs_tolerance", "max_true_peak"))
    if prof.get("ai_share") is not None:
        fields(prof["ai_share"], SHARE_FIELDS, "ai_share.", ("min",))


def _aspect(w: int, h: int) -> str:
    r = Fraction(w, h)
    for name, (aw, ah) in {"9:16": (9, 16), "16:9": (16, 9), "1:1": (1, 1), "4:3": (4, 3), "3:4": (3, 4)}.items():
        if abs(float(r) - aw / ah) < 0.01:
            return name
    return f"{r.numerator}:{r.denominator}"


def _share_figures(figures) -> bool:
    """Whether `figures` are an AI share as filmcrew writes it: {"ai_share": {"generated": 0..1, "trained": 0..1}}."""
    share = figures.get("ai_share") if isinstance(figures, dict) else None
    return isinstance(share, dict) and all(_num(share.get(k)) and 0 <= share[k] <= 1 for k in ("generated", "trained"))


def _ai_share(path: Path, manifest, trusted) -> tuple[dict | None, str, str]:
    """(figures, where they came from, evidence: one of EVIDENCE) from the C2PA manifest store (or the error
    reading it) or the provenance file beside the MP4. `trusted()` reads the store again against the trust list
    (None when no list was given). A provenance file counts only when it names this film's SHA-256."""
    from . import credentials
    store = manifest if not isinstance(manifest, FilmcrewError) else None
    figures = credentials.share_in_manifest(store)
    if figures and _share_figures(figures):
        info = credentials.verify_manifest(store)
        if not info["valid"]:
            return None, f"the C2PA manifest does not hold for this file ({info['detail']})", "none"
        signer = credentials.signer_name(store)
        checked = trusted()
        if checked is not None and checked.get("validation_state") == "Trusted":
            return figures, f"the C2PA manifest, signed by {signer} (on the trust list)", "verified"
        why = "on no trust list given" if checked is None else "not on the trust list"
        return figures, f"the C2PA manifest, signed by {signer} ({why}: the maker's word)", "declared"
    side = path.with_name(path.name[: -len(path.suffix)] + ".provenance.json")
    if side.exists():
        try:
            prov = json.loads(side.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None, f"{side.name} is not JSON", "none"
        if not isinstance(prov, dict):
            return None, f"{side.name} is not a provenance record (not a JSON object)", "none"
        if not isinstance(prov.get("sha256"), str):
            return None, f"{side.name} is not this film's: it does not name the film's SHA-256", "none"
        if prov["sha256"] != sha256(path):
            return None, f"{side.name} is not this film's: it names another file's SHA-256", "none"
        if not _share_figures(prov.get("ai_share")):
            return None, f"{side.name} holds no AI share as filmcrew writes it (generated and trained shares)", "none"
        return prov["ai_share"], f"{side.name} (unsigned: the maker's word)", "declared"
    return None, "no C2PA manifest and no provenance file", "none"


def _integrity(path: Path, p, decode: bool) -> tuple[list[Finding], int | None]:
    """Every sample indexed is in the file, the file decodes without an error (unless `decode` is False),
    and the video's frame durations are all the same. With the video frames decoded (None if not)."""
    out = []
    try:
        lay = mp4.layout(path) if path.suffix.lower() in (".mp4", ".mov", ".m4v") else None
    except MediaError as err:
        return [Finding("integrity", "fail", True, str(err).replace(f"{path}: ", ""))], None
    video = next((t for t in lay.tracks if t.kind == "vide"), None) if lay else None
    problems = []
    if lay and not lay.fragmented:
        for t in lay.tracks:
            gone = t.missing(lay.size)
            if gone:
                problems.append(f"{gone} of {t.samples} {'video' if t.kind == 'vide' else 'audio' if t.kind == 'soun' else t.kind} "
                                f"samples the index points to are not in the file ({lay.size} bytes): it is truncated")
    decoded = None
    if decode:
        frames, errors = ffmpeg.decode(path)
        decoded = frames
        if errors:
            problems.append(f"{len(errors)} decoding error(s), first: {errors[0]}")
        if video and video.samples and frames < video.samples:
            problems.append(f"{frames} of {video.samples} frames decoded")
    how = ("every indexed sample present" if lay and not lay.fragmented else "fragmented MP4: checked by decoding"
           if lay else f"not an MP4 container ({path.suffix or 'no extension'}: no sample index to check): checked by "
                       f"decoding")
    how += f", {decoded} frames decoded without an error" if decode else " (not decoded: --no-decode)"
    out.append(Finding("integrity", "fail" if problems else "pass", True, "; ".join(problems) if problems else how))
    if video and video.timescale:
        durations = sorted(video.frame_durations())
        if len(durations) > 1:
            shown = ", ".join(f"{d / video.timescale * 1000:.2f}" for d in durations[:4])
            out.append(Finding("constant_rate", "fail", True,
                               f"variable frame rate: frames last {shown}{' ...' if len(durations) > 4 else ''} ms; "
                               f"re-encode at a constant rate (ffmpeg -fps_mode cfr -r {p.fps:g})"))
        elif durations:
            out.append(Finding("constant_rate", "pass", True,
                               f"every frame lasts {durations[0]}/{video.timescale} s"))
    return out, decoded


def run(path: Path, profile: dict, decode: bool = True, trust_anchors: str | None = None) -> list[Finding]:
    """Every check of `profile` on the file at `path`. `trust_anchors`: PEM certificates of the authorities whose
    signers make an AI share "verified" (a contest's, a festival's own)."""
    path = Path(path)
    if not isinstance(profile, dict):
        raise ConfigError(f"a contest profile is a JSON object, not {type(profile).__name__}; see {BUILTIN}")
    validate_profile(profile, f"profile {str(profile.get('name'))[:40]!r}")  # (one from a festival's database too)
    out: list[Finding] = []

    def add(check: str, ok: bool | None, required: bool, detail: str, value: float | None = None,
            evidence: str | None = None) -> None:
        status = "unknown" if ok is None else ("pass" if ok else ("fail" if required else "warn"))
        out.append(Finding(check, status, required, detail, value, evidence))

    try:
        p = ffmpeg.probe(path)
    except MediaError as err:
        return [Finding("readable", "fail", True, str(err))]
    found, decoded = _integrity(path, p, decode)
    out += found
    lo, hi = profile["duration_s"]
    dur, note = p.duration, ""
    if decoded is not None and p.fps and decoded / p.fps < p.duration - 0.5:  # the header promises more than is there
        dur, note = decoded / p.fps, f" of pictures in the file (its header says {p.duration:.1f} s)"
    add("duration", lo <= dur <= hi, True, f"{dur:.1f} s{note}; allowed {lo} to {hi} s")

    read: dict = {}

    def manifest():
        """The C2PA manifest store, read (and the whole file validated) at most once; the error if unreadable."""
        if "store" not in read:
            from . import credentials
            try:
                read["store"] = credentials.read_manifest(path)
            except FilmcrewError as err:
                read["store"] = err
        return read["store"]

    share = profile.get("ai_share")
    if share:
        def trusted():
            if not trust_anchors:
                return None
            from . import credentials
            try:
                return credentials.read_manifest(path, trust_anchors)
            except FilmcrewError:
                return None
        figures, source, evidence = _ai_share(path, manifest(), trusted)
        need = profile.get("ai_share_evidence", "declared")
        if figures is None:
            add("ai_share", False, True, f"no evidence: {source}; cannot show the {share['min']:.0%} the rules ask for",
                evidence="none")
        else:
            basis = share.get("basis", "generated")
            val = figures["ai_share"][basis]
            enough = evidence == "verified" or need == "declared"
            add("ai_share", val >= share["min"] and enough, True,
                f"{val:.0%} {basis} (trained models: {figures['ai_share']['trained']:.0%}), {evidence}: from {source}; "
                f"at least {share['min']:.0%} required" + ("" if enough else ", verified by a signature on the trust "
                                                                             "list") + f"; method {figures.get('method', '?')}",
                value=round(float(val), 4), evidence=evidence)

    lab = profile["labels"]
    if lab.get("visible"):
        req = lab["visible"] == "required"
        hits: list = []
        for t in (0.1, 1.0, 1.9):  # the same label must be there from the start through 2 s
            first = hits[0] if hits else None
            if hits and not first:
                hits.append(None)
                continue
            try:
                hits.append(labels.detect_label(ffmpeg.frame_at(path, t, (p.width, p.height)), only=(first["language"], first["corner"])
                                                if first else None) if t < p.duration else None)
            except MediaError:
                hits.append(None)
        if all(hits):
            small = [h for h in hits if h["text_height"] < 0.048]
            add("visible_label", not small, req,
                f"'{labels.WORDING[hits[0]['language']]}' at the {hits[0]['corner']} through the first 2 s, text "
                f"{hits[0]['text_height']:.1%} of the short side" + (" (under the 5% minimum)" if small else ""))
        else:
            seen = [t for t, h in zip((0.1, 1.0, 1.9), hits) if h]
            add("visible_label", False, req,
                "no visible AI label detected over the first 2 s" + (f" (seen only at {seen} s)" if seen else "")
                + "; the checker recognises AI生成 / Généré par IA / AI-generated in a sans font at a corner")
    if lab.get("aigc"):
        req = lab["aigc"] == "required"
        try:
            tag = labels.read_aigc(path)
            add("aigc_tag", True, req, f"one AIGC tag, keys in order, Label {tag['Label']}, producer {tag['ContentProducer']}")
        except labels.LabelError as err:
            add("aigc_tag", False, req, str(err).replace(f"{path}: ", ""))
    if lab.get("c2pa"):
        from . import credentials
        req = lab["c2pa"] == "required"
        store = manifest()
        if isinstance(store, FilmcrewError):  # a manifest is there but cannot be read: tampered or broken
            add("c2pa", False, True, str(store))
        else:
            info = credentials.verify_manifest(store)
            # credentials that are present must hold, whatever the profile asks of C2PA: a hash mismatch
            # means the file is not what was signed
            add("c2pa", info["valid"], req or bool(store), info["detail"])

    aspect = _aspect(p.width, p.height)
    add("aspect", aspect in profile["aspects"], True, f"{p.width}x{p.height} is {aspect}; allowed {', '.join(profile['aspects'])}")
    if profile.get("min_size"):
        mw, mh = profile["min_size"]
        add("resolution", p.width >= mw and p.height >= mh, True, f"{p.width}x{p.height}; at least {mw}x{mh}")
    d = profile["delivery"]
    codec = p.video_codec == d["video_codec"] and (not d.get("profile") or p.profile == d["profile"])
    preview = "" if codec or not Path(path).name.endswith(".preview.mp4") else \
        ("; this is a preview film (`make --preview` encodes for speed, ultrafast): make the film without --preview "
         "to deliver it")
    add("video_codec", codec, True, f"{p.video_codec} {p.profile}; wanted {d['video_codec']} {d.get('profile', '')}".rstrip()
        + preview)
    add("pixel_format", p.pix_fmt == d["pix_fmt"], True, f"{p.pix_fmt}; wanted {d['pix_fmt']}")
    add("colour", p.colorspace == "bt709", False,  # advised: a player guesses the colours of an untagged file
        "BT.709, tagged" if p.colorspace == "bt709" else
        f"{'untagged' if not p.colorspace else p.colorspace + ' matrix'}; HD delivery expects BT.709, tagged (players "
        f"guess an untagged file's colours): re-encode with the colour converted and tagged")
    f_lo, f_hi = d["fps"]
    add("frame_rate", f_lo - 0.01 <= p.fps <= f_hi + 0.01, True, f"{p.fps:g} fps; allowed {f_lo:g} to {f_hi:g}")
    add("audio", p.audio_codec == d["audio_codec"] and p.audio_rate == d["audio_rate"], True,
        f"{p.audio_codec or 'no audio'} {p.audio_rate or ''} Hz; wanted {d['audio_codec']} {d['audio_rate']} Hz")
    soft = subtitle_tracks(path)
    add("subtitles", bool(soft), False,  # advised: a soft track a player can turn on, or a platform can index
        ("soft tracks: " + ", ".join(f"{t['language']} ({t['codec']}{', ' + t['title'] if t['title'] else ''})"
                                     for t in soft)) if soft else
        "no soft subtitle track (burned-in subtitles cannot be turned off, translated or indexed): add the .srt as "
        "mov_text tracks")
    if d.get("faststart"):
        add("faststart", p.faststart, True, "moov before mdat" if p.faststart else "moov after mdat: remux with -movflags +faststart")
    if p.audio_codec:
        loud = ffmpeg.loudness(path)
        i, tp = loud["integrated_lufs"], loud["true_peak_dbtp"]
        add("loudness", abs(i - d["lufs"]) <= d["lufs_tolerance"], True,
            f"{i:.1f} LUFS integrated; wanted {d['lufs']} ±{d['lufs_tolerance']}")
        add("true_peak", tp <= d["max_true_peak"], True, f"{tp:.1f} dBTP; at most {d['max_true_peak']}")
    return out


def subtitle_tracks(path: Path) -> list[dict]:
    """The subtitle streams of a media file as ffmpeg reports them: each one's language (ISO 639-2, "und" when
    untagged), codec and title, in stream order."""
    import re
    import subprocess
    err = subprocess.run([ffmpeg.executable(), "-hide_banner", "-nostdin", "-i", str(path)], capture_output=True
                         ).stderr.decode("utf-8", "replace")
    out = []
    lines = err.splitlines()
    for k, ln in enumerate(lines):
        m = re.match(r"\s*Stream #\d+:\d+(?:\[\w+\])?(?:\((\w+)\))?: Subtitle: (\w+)", ln)
        if not m:
            continue
        title = ""
        for more in lines[k + 1:k + 6]:  # its metadata block, until the next stream
            if re.match(r"\s*Stream #", more):
                break
            t = re.match(r"\s*(?:title|handler_name)\s*:\s*(.*)", more)
            if t:
                title = t.group(1).strip()
        out.append({"language": m.group(1) or "und", "codec": m.group(2), "title": title})
    return out


def passed(findings: list[Finding]) -> bool:
    return all(f.status == "pass" or not f.required for f in findings)


def report_json(path: Path, profile: dict, findings: list[Finding]) -> str:
    return json.dumps({"file": str(path), "profile": profile["name"], "passed": passed(findings),
                       "checks": [asdict(f) for f in findings]}, ensure_ascii=False, indent=1)


def report_text(path: Path, profile: dict, findings: list[Finding]) -> str:
    mark = {"pass": "ok  ", "fail": "FAIL", "warn": "warn", "unknown": "??  "}
    lines = [f"{path} against {profile['name']}: {profile.get('title', '')}"]
    lines += [f"  {mark[f.status]} {f.check:<14} {f.detail}" for f in findings]
    lines.append("PASSED" if passed(findings) else "FAILED: " + ", ".join(f.check for f in findings
                                                                          if f.required and f.status != "pass"))
    return "\n".join(lines)
