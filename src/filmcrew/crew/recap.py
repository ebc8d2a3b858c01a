"""Recaps and cold opens (issue 37): an episode of a series opens with "Previously on..." re-cut from the films of
the episodes before it, as made (no shot is drawn, animated, voiced or paid for again), then its title; with a cold
open, the episode's first scene plays before its title.

What is new in such a film is said, part by part (`Part.new`): the two title cards (drawn here with the subtitle
font, on black, silent) and the re-encode that joins the parts; every other frame and sound is cut from a film
already made, named with its digest and frame range. The re-encode re-compresses the re-used frames (x264 again):
the pixels are the same pictures, not the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from ..engine import atomic
from ..engine.store import sha256  # (recap.sha256: the digest of a film the recap is cut from)
from ..media import ffmpeg, fonts

CARD_S = 1.5  # how long a title card holds
MOST_PER_SHOT_S = 4.0  # a re-used shot plays at most its first 4 s in a recap
PREVIOUSLY = {"en": "Previously on {title}", "fr": "Précédemment dans {title}", "zh": "前情提要：{title}"}
EPISODE = {"en": "Episode {n}: {title}", "fr": "Épisode {n} : {title}", "zh": "第{n}集：{title}"}


@dataclass(frozen=True)
class Part:
    kind: str  # "card", or "film": a range of a made film
    source: str = ""  # the film's path (a film part) or the card's words
    sha256: str = ""  # the film's digest, as it was cut
    start: int = 0  # first frame (30 fps)
    frames: int = 0
    shot: str = ""  # the shot it shows (a film part)
    new: bool = False  # made for this film (a card); False: re-used as made


def previously(timeline: dict, shots: int) -> list[tuple[str, int, int]]:
    """(shot id, start frame, frames) of the last `shots` shots of an episode's cut (its timeline.json), each at
    most MOST_PER_SHOT_S long (its start, where its action begins)."""
    items = [it for it in timeline["items"] if it.get("kind") == "shot"][-shots:] if shots > 0 else []
    most = int(MOST_PER_SHOT_S * timeline.get("fps", 30))
    return [(it["shot"], int(it["start"]), min(int(it["frames"]), most)) for it in items]


def first_scene_end(timeline: dict) -> int:
    """The frame where the episode's first scene ends (its cold open), 0 when it has one scene only."""
    scenes = timeline.get("scenes") or []
    return int(scenes[0]["end"]) if len(scenes) > 1 else 0


def card(text: str, size: tuple[int, int], language: str, path: Path) -> Path:
    """A title card: the words centred in white on black, wrapped to the frame's width."""
    w, h = size
    im = Image.new("RGB", (w, h), (0, 0, 0))
    d = ImageDraw.Draw(im)
    f = fonts.font(max(18, w // 16), language=language)
    words = list(text) if language == "zh" else text.split()
    lines, cur = [], ""
    for word in words:
        trial = (cur + word) if language == "zh" else (f"{cur} {word}".strip())
        if d.textlength(trial, font=f) > w * 0.86 and cur:
            lines.append(cur)
            cur = word
        else:
            cur = trial
    lines.append(cur)
    step = f.size * 1.3
    y = h / 2 - step * len(lines) / 2
    for ln in lines:
        d.text((w / 2, y + step / 2), ln, font=f, fill=(255, 255, 255), anchor="mm")
        y += step
    im.save(path)
    return path


def assemble(parts: list[Part], cards: dict[str, Path], size: tuple[int, int], out: Path, preview: bool) -> None:
    """One MP4 of `parts` in order (H.264 + AAC 48 kHz stereo, 30 fps, `size`), written atomically."""
    args, filters, labels, inputs = [], [], [], {}
    for p in parts:
        key = p.source if p.kind == "film" else str(cards[p.source])
        if key not in inputs:
            inputs[key] = len(inputs)
            args += (["-i", key] if p.kind == "film" else
                     ["-loop", "1", "-framerate", "30", "-t", f"{CARD_S}", "-i", key])
    n_cards = sum(1 for p in parts if p.kind == "card")
    silent = len(inputs)  # one silent track, split for every card
    args += ["-f", "lavfi", "-t", f"{CARD_S}", "-i", "anullsrc=channel_layout=stereo:sample_rate=48000"]
    if n_cards:
        filters.append(f"[{silent}:a]asplit={n_cards}" + "".join(f"[s{j}]" for j in range(n_cards)))
    w, h = size
    fit = f"scale={w}:{h}:force_original_aspect_ratio=decrease,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=30,format=yuv420p"
    j = 0
    for k, p in enumerate(parts):
        i = inputs[p.source if p.kind == "film" else str(cards[p.source])]
        if p.kind == "film":
            filters.append(f"[{i}:v]trim=start_frame={p.start}:end_frame={p.start + p.frames},setpts=PTS-STARTPTS,{fit}[v{k}]")
            filters.append(f"[{i}:a]atrim=start={p.start / 30:.6f}:end={(p.start + p.frames) / 30:.6f},asetpts=PTS-STARTPTS,"
                           f"aresample=48000,aformat=channel_layouts=stereo[a{k}]")
        else:
            filters.append(f"[{i}:v]trim=end_frame={p.frames},setpts=PTS-STARTPTS,{fit}[v{k}]")
            filters.append(f"[s{j}]asetpts=PTS-STARTPTS[a{k}]")
            j += 1
        labels.append(f"[v{k}][a{k}]")
    filters.append("".join(labels) + f"concat=n={len(parts)}:v=1:a=1[v][a]")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.part.mp4")
    ffmpeg.run([*args, "-filter_complex", ";".join(filters), "-map", "[v]", "-map", "[a]",
                "-c:v", "libx264", "-preset", "ultrafast" if preview else "veryfast", "-crf", "26" if preview else "20",
                "-pix_fmt", "yuv420p", *ffmpeg.X264_THREADS, "-c:a", "aac", "-b:a", "192k", "-ar", "48000",
                "-movflags", "+faststart", str(tmp)], f"joining the recap into {out.name}")
    tmp.replace(out)  # (same folder: an atomic rename)


def write_plan(parts: list[Part], path: Path, **about) -> None:
    """What the film is made of, part by part, and what is new in it."""
    new = [asdict(p) for p in parts if p.new]
    atomic.write_text(path, json.dumps({**about, "parts": [asdict(p) for p in parts],
                                        "new": new, "reused_frames": sum(p.frames for p in parts if not p.new),
                                        "new_frames": sum(p.frames for p in parts if p.new)},
                                       indent=1, ensure_ascii=False))
