from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
FIXTURES = ROOT / "tests" / "fixtures"


def shared_data_dir() -> Path | None:
    """../shared/data when present (developer machines and CI), else None."""
    env = os.environ.get("MODERATE_SHARED_DATA")
    candidate = Path(env) if env else ROOT.parent / "shared" / "data"
    return candidate if candidate.is_dir() else None


@pytest.fixture
def shared_data() -> Path:
    path = shared_data_dir()
    if path is None:
        pytest.skip("../shared/data is not present on this machine")
    return path


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS
