import os
import tempfile
from pathlib import Path

import pytest

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
