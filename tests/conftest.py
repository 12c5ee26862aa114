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


# Property-based tests: a short budget by default ("ci"); HYPOTHESIS_PROFILE=long for a soak.
try:
    from hypothesis import HealthCheck, settings

    settings.register_profile(
        "ci", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
    )
    settings.register_profile("long", max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except ImportError:  # hypothesis is a test extra; the tests that need it skip without it
    pass
