"""Real photographs of faces for the consistency tests, from a package on PyPI: the test images that ship in
the source distribution of face_recognition 1.3.0 (five photos of Barack Obama, one of Joe Biden; US
government works). `make setup-test` runs this file once to put them in the venv (nothing is fetched while
the tests run):

    python tests/face_photos.py DEST

In the tests, `folder()` is where they are, and `same`/`different` are the pairs of known identity."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "face_recognition==1.3.0"
PHOTOS = {"obama.jpg": "obama", "obama2.jpg": "obama", "obama3.jpg": "obama", "obama_partial_face.jpg": "obama",
          "obama_partial_face2.jpg": "obama", "biden.jpg": "biden"}  # (32bit.png is obama2.jpg again: left out)


def folder() -> Path:
    return Path(sys.prefix) / "share" / "filmcrew-test-faces"


def pairs() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(pairs of photos of one person, pairs of photos of two people)."""
    names = sorted(PHOTOS)
    all_pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]]
    return ([p for p in all_pairs if PHOTOS[p[0]] == PHOTOS[p[1]]],
            [p for p in all_pairs if PHOTOS[p[0]] != PHOTOS[p[1]]])


def fetch(dest: Path) -> None:
    dest = Path(dest)
    if all((dest / n).exists() for n in PHOTOS):
        return
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                        "--dest", tmp, PACKAGE], check=True)
        sdist = next(Path(tmp).glob("face_recognition-*.tar.gz"))
        dest.mkdir(parents=True, exist_ok=True)
        with tarfile.open(sdist) as tar:
            for m in tar.getmembers():
                name = Path(m.name).name
                if "/tests/test_images/" in m.name and name in PHOTOS:
                    (dest / name).write_bytes(tar.extractfile(m).read())
    missing = [n for n in PHOTOS if not (dest / n).exists()]
    if missing:
        raise SystemExit(f"{sdist.name} no longer holds {', '.join(missing)}")


if __name__ == "__main__":
    fetch(Path(sys.argv[1]) if len(sys.argv) > 1 else folder())
