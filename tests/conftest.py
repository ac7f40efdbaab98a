"""Shared fixtures: every test runs offline, without credentials or ENRICH_* settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from enrich._clock import FakeClock

ROOT = Path(__file__).resolve().parents[1]
#: ../shared beside the repository; absent in a user's fresh clone.
SHARED = ROOT.parent / "shared"

_SECRET_ENV = ("GITHUB_TOKEN", "S2_API_KEY", "GH_TOKEN", "HF_TOKEN")


@pytest.fixture(autouse=True)
def _clean_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Strip tokens and ENRICH_* so the developer's shell cannot change a test."""
    for name in list(os.environ):
        if name.startswith("ENRICH_") or name in _SECRET_ENV:
            monkeypatch.delenv(name, raising=False)
    # Never touch the real user cache from a test.
    monkeypatch.setenv("ENRICH_CACHE_DIR", str(tmp_path_factory.mktemp("enrich-cache")))


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test when ../shared is absent."""
    path = SHARED.joinpath(*parts)
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside this checkout")
    return path


@pytest.fixture
def clock() -> FakeClock:
    """A clock whose sleeps advance time at once (policy tests never really wait)."""
    return FakeClock(start=1_800_000_000.0)
