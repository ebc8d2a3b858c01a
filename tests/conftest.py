import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

# the property tests (test_fuzz.py) draw the same examples on every run, so a red CI names a defect that the
# same commit shows again, never a draw of luck; FUZZ_RANDOM=1 explores new examples (and keeps what it finds
# in .hypothesis/ to replay)
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore")
settings.load_profile("explore" if os.environ.get("FUZZ_RANDOM") else "repeatable")

# signing keys (filmcrew keys init, or made on the first make) go to a throw-away home, never ~/.config
os.environ["FILMCREW_HOME"] = tempfile.mkdtemp(prefix="filmcrew-home-")
os.environ.pop("FILMCREW_SIGN_CERT", None)
os.environ.pop("FILMCREW_SIGN_KEY", None)

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.exists():
        pytest.skip(f"{SAMPLES} not found (the shared/ folder sits beside the checkout)")
    return SAMPLES


@pytest.fixture(scope="session")
def small_film(tmp_path_factory) -> Path:
    """One small preview demo film (0.4 minutes), made once per session; tests that change a project copy it."""
    from filmcrew.cli import main
    root = tmp_path_factory.mktemp("small") / "film"
    assert main(["demo", str(root), "--minutes", "0.4", "--preview"]) == 0
    return root
