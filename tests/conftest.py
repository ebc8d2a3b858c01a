from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.exists():
        pytest.skip(f"{SAMPLES} not found (the shared/ folder sits beside the checkout)")
    return SAMPLES
