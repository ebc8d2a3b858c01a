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
