"""The requests the vendor tests send their test servers: a video model's (one shot, its first and last frames) and
an image model's (a shot with two characters and their reference pictures). A helper module, not a test file: the
vendor tests import it instead of importing each other."""

from __future__ import annotations

from pathlib import Path

from filmcrew.model import Character, Scene, Shot
from filmcrew.providers.base import DrawRequest
from filmcrew.providers.remote import jobs
from filmcrew.providers.remote.animate import VideoRequest


def still(path: Path, colour=(200, 50, 50)) -> Path:
    from PIL import Image
    Image.new("RGB", (540, 960), colour).save(path)
    return path


def request(tmp_path, mode="first-frame", **kw) -> VideoRequest:
    ticket = jobs.JobTicket(tmp_path / "jobs", "ef" * 32, "ep01-s01-sh01.video")
    base = dict(shot_id="ep01-s01-sh01", prompt="Jonah pulls the net. medium shot.", mode=mode, seconds=5, aspect="9:16",
                first=still(tmp_path / "first.png"), last=still(tmp_path / "last.png", (20, 90, 200)), job=ticket)
    return VideoRequest(**{**base, **kw})


def shot_request(tmp_path, chars=("JONAH", "MEI"), preview=False):
    characters = tuple(Character(name=n, description=f"{n.lower()} the test", costume="a red coat",
                                 look={"skin": "#c68642"}) for n in chars)
    refs = []
    for n in chars:
        p = tmp_path / f"{n}.png"
        from PIL import Image
        Image.new("RGB", (32, 48), (len(n) * 20, 10, 10)).save(p)
        refs.append((n, p))
    shot = Shot(id="ep01-s01-sh01", action="Jonah hands Mei the hook.", camera="medium", characters=chars)
    scene = Scene(id="ep01-s01", heading="EXT. OLD DOCK - DAWN", interior=False, location="OLD DOCK", time_of_day="DAWN",
                  shots=(shot,))
    ticket = jobs.JobTicket(tmp_path / "jobs", "cd" * 32, "ep01-s01-sh01.keyframe")
    return DrawRequest(shot=shot, scene=scene, characters=characters, size=(600, 1000), style="storybook", seed=1,
                       preview=preview, references=tuple(refs), job=ticket)
