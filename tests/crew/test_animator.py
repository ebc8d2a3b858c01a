"""Living shots: characters breathe and blink, and the speaker's mouth moves with the loudness of their own voice
(tracked by the animator, drawn by the finisher)."""
import subprocess

import numpy as np
import pytest

from filmcrew.crew.finisher import _lay_lips
from filmcrew.crew.illustrator import faces, layers
from filmcrew.media import ffmpeg, lips
from filmcrew.media.lips import mouth_envelopes
from filmcrew.model import Character, Line, Scene, Shot
from filmcrew.providers.base import AnimateRequest, DrawRequest
from filmcrew.providers.camera_moves import BREATH, CameraMoveAnimator, blinks, breathing
from filmcrew.providers.procedural_art import ProceduralIllustrator

pytestmark = pytest.mark.slow
W, H = 270, 480  # small and fast; the canvas is 12% larger for camera room
HERO = Character("MEI", role="protagonist", look={"face": "round", "skin": "#e8c4a0", "hair": "bob",
                                                 "hair_colour": "#222222", "eyes": "#442211"}, palette=("#aa3333", "#eedd99"))


def _frames(path, n):
    raw = subprocess.run([ffmpeg.executable(), "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         check=True, capture_output=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(n, H, W, 3).astype(np.int16)


@pytest.fixture(scope="module")
def keyframe(tmp_path_factory):
    d = tmp_path_factory.mktemp("key")
    line = Line("ep01-s01-l01", "MEI", "Hello there, sea witch.")
    shot = Shot("ep01-s01-sh01", "MEI faces the sea.", camera="close-up", characters=("MEI",), lines=(line,))
    scene = Scene("ep01-s01", "EXT. BEACH - DAY", False, "BEACH", shots=(shot,))
    ProceduralIllustrator().draw(DrawRequest(shot, scene, (HERO,), (302, 538), "storybook", 3, speaking="MEI"), d)
    return d, shot, scene


def test_the_illustrator_says_where_the_face_is(keyframe):
    d, shot, scene = keyframe
    (face,) = faces(d)
    assert face["name"] == "MEI" and len(face["eyes"]) == 2 and len(face["mouth"]) == 3
    x, y, _ = face["mouth"]
    (ex1, ey1, *_), (ex2, ey2, *_) = face["eyes"]
    assert ex1 < x < ex2 and y > max(ey1, ey2)  # the mouth sits between and below the eyes


def test_the_mouth_moves_only_while_the_voice_sounds_and_eyes_blink(keyframe, tmp_path):
    """The animator films the face with its mouth shut and tracks the mouth; the finisher's overlay opens it
    with the voice (media/lips.py): the frames change only while the voice sounds, at the mouth, and at blinks."""
    d, shot, scene = keyframe
    n = 150
    # a voice: silent for 1 s, a syllable-like tone for 1 s (loud, soft, loud ...), silent again
    rate = 48000
    t = np.arange(rate) / rate
    syl = (0.5 + 0.5 * np.sign(np.sin(2 * np.pi * 4 * t))) * 0.3 * np.sin(2 * np.pi * 220 * t)
    wav = np.concatenate([syl, np.zeros(rate // 2)]).astype(np.float32)
    (tmp_path / "v").mkdir()
    ffmpeg.write_wav(tmp_path / "v" / "line.wav", np.stack([wav, wav], 1))
    env = mouth_envelopes(shot, [tmp_path / "v"], [30], n)["MEI"]
    assert env[:30].max() == 0 and env[60:].max() == 0 and env[30:60].max() == 1.0
    assert 0 < (env[30:60] > 0).sum() < 30  # open on the syllables, shut between them
    anim = CameraMoveAnimator()
    base = dict(shot=shot, scene=scene, layers=layers(d), size=(W, H), frames=n, seed=3)
    still = tmp_path / "still.mp4"
    clip = tmp_path / "clip.mp4"
    anim.animate(AnimateRequest(**base), still, ffmpeg.executable())  # no faces: nothing drawn over them
    unbreathing = tuple({k: v for k, v in fc.items() if k != "body"} for fc in faces(d))  # breath is tested below
    info = anim.animate(AnimateRequest(**base, faces=unbreathing), clip, ffmpeg.executable())
    track = info["mouths"]
    assert sorted(track) == ["MEI"] and len(track["MEI"]["at"]) == n  # where the mouth is, on every frame
    # the finisher lays the open mouths over the clip
    sprites = lips.sprites(track, {"MEI": env}, 0, n, tmp_path, "t")
    assert len(sprites) == 1 and sprites[0][5] == max(f for f in range(n) if env[f] > 0) + 1
    args, graph, label = _lay_lips("v0", sprites, 1, "m")
    live = tmp_path / "live.mp4"
    subprocess.run([ffmpeg.executable(), "-v", "error", "-y", "-i", str(clip), *args, "-filter_complex",
                    ";".join(["[0:v]null[v0]", *graph]), "-map", f"[{label}]", "-c:v", "libx264", "-crf", "12",
                    "-pix_fmt", "yuv420p", str(live)], check=True)
    a, shut, b = _frames(still, n), _frames(clip, n), _frames(live, n)
    closing = set()
    for s in blinks("MEI", shot.id, 3, n):
        closing |= set(range(s, s + 4))
    assert closing
    moved = np.abs(a - shut).max(axis=3) > 40
    assert all(moved[f].sum() < 5 for f in range(n) if f not in closing)  # the clip: shut mouth, blinks only
    diff = np.abs(shut - b).max(axis=3) > 40  # what the lips changed
    speaking = [f for f in range(n) if env[f] > 0.5]
    quiet = [f for f in range(n) if env[f] == 0]
    assert speaking and quiet
    assert all(diff[f].sum() > 20 for f in speaking)  # an open mouth
    assert all(diff[f].sum() < 5 for f in quiet)  # nothing else
    (face,) = faces(d)
    for f in speaking:  # the changed pixels are where the track says the mouth is on that frame
        ys, xs = np.nonzero(diff[f])
        mx, my, mw = track["MEI"]["at"][f]
        assert abs(xs.mean() - mx) < mw and abs(ys.mean() - my) < mw, f
    mx, my, _ = face["mouth"]  # and that is the drawn mouth (canvas -> frame: about /1.12, the camera moves a little)
    assert abs(track["MEI"]["at"][45][0] - mx * W / 302) < W * 0.08 and abs(track["MEI"]["at"][45][1] - my * H / 538) < H * 0.08
    for s in blinks("MEI", shot.id, 3, n):  # a blink closes the eyes, above the mouth
        ys, xs = np.nonzero(moved[s + 1])
        assert len(ys) > 10 and ys.mean() < my * H / 538


def test_characters_breathe_above_the_chest_on_their_own_rhythm(keyframe, tmp_path):
    d, shot, scene = keyframe
    n = 150  # five seconds: more than one breath
    anim = CameraMoveAnimator()
    base = dict(shot=shot, scene=scene, layers=layers(d), size=(W, H), frames=n, seed=3)
    still, live = tmp_path / "still.mp4", tmp_path / "breath.mp4"
    anim.animate(AnimateRequest(**base), still, ffmpeg.executable())
    info = anim.animate(AnimateRequest(**base, faces=faces(d)), live, ffmpeg.executable())
    assert info["breathing"] == ["MEI"]
    diff = np.abs(_frames(still, n) - _frames(live, n)).max(axis=3) > 30
    (face,) = faces(d)
    chest = face["body"][3] * H / 538  # canvas -> frame, about (the camera moves a little)
    rows = np.nonzero(diff.any(axis=(0, 2)))[0]
    assert len(rows) and rows.max() < chest + H * 0.03  # nothing changes below the chest line
    amount = diff.sum(axis=(1, 2)).astype(float)
    period, phase = breathing("MEI", shot.id, 3)
    lift = np.array([np.sin(2 * np.pi * f / period + phase) for f in range(n)])
    assert (amount > 0).mean() > 0.4 and amount.max() > 50  # the head and shoulders visibly rise and settle
    assert np.corrcoef(amount, lift)[0, 1] > 0.7  # with the breath: most moved at the top of each breath
    assert 0 < BREATH < 0.03  # and gently


def test_the_parallax_blend_is_the_full_blend_where_the_characters_are():
    """The parallax path warps and blends only the characters' part of each frame: the pixels of the whole
    frame warped (OpenCV's fixed-point sampling positions can round one level apart), and within one level
    of a float blend."""
    import cv2

    from filmcrew.providers.camera_moves import over, warp
    rng = np.random.default_rng(5)
    canvas = rng.integers(0, 256, (538, 302, 4), dtype=np.uint8)
    canvas[..., 3] = 0
    canvas[300:420, 60:240, 3] = rng.integers(0, 256, (120, 180), dtype=np.uint8)  # a figure with soft edges
    box = (13.4, 21.7, 283.9, 501.2)
    whole = warp(canvas, box, W, H)
    part = (40, 250, 230, 420)
    assert np.abs(warp(canvas, box, W, H, part).astype(int) - whole[250:420, 40:230]).max() <= 1
    bg = rng.integers(0, 256, (H, W, 4), dtype=np.uint8)
    a = whole[..., 3:4].astype(np.float32) / 255
    ref = whole[..., :3] * a + bg[..., :3] * (1 - a)
    assert np.abs(over(whole, bg)[..., :3].astype(np.float32) - ref).max() <= 1.0
    assert cv2.countNonZero(whole[..., 3]) and np.array_equal(over(whole, bg)[whole[..., 3] == 0][:, :3],
                                                              bg[whole[..., 3] == 0][:, :3])  # clear: the background
