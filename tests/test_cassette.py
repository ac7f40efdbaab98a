"""Whole runs recorded and replayed: identical tables, no secrets, VCR-compatible files."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import yaml
from helpers import fast_settings, small_corpus

import enrich
from enrich.testing import FakeServices

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "papers.txt"
CASSETTE = ROOT / "cassettes" / "example.yaml"
PAPERS = ["2106.09685", "Attention is all you need", "https://github.com/old-owner/old-name"]
CANARY_TOKEN = "ghp_CANARYcanaryCANARY0123456789abcdef"
CANARY_KEY = "s2-CANARY-key-0123456789"


def assert_same_table(a: pl.DataFrame, b: pl.DataFrame) -> None:
    assert a.columns == b.columns
    for name in a.columns:
        if name != "fetched_at":
            assert a[name].equals(b[name]), name


def test_shipped_cassette_replays_identically_twice() -> None:
    first = enrich.enrich(EXAMPLE, replay=CASSETTE)
    second = enrich.enrich(EXAMPLE, replay=CASSETTE)
    assert_same_table(first, second)
    assert first.height == 30
    assert first["arxiv_id"].null_count() == 0
    assert first["citation_count"].null_count() == 0
    assert first["venue"].null_count() == 0
    assert first["repo_stars"].drop_nulls().len() >= 5
    assert set(first["status"]) == {"ok"}


def test_shipped_cassette_is_marked_synthetic() -> None:
    head = CASSETTE.read_text(encoding="utf-8")[:400]
    assert "SYNTHETIC" in head


def test_record_then_replay_gives_the_same_table(tmp_path: Path) -> None:
    fake = FakeServices(small_corpus(), enforce_rate_limits=False)
    cassette = tmp_path / "run.yaml"
    settings = fast_settings()
    live = enrich.enrich(PAPERS, settings=settings, transport=fake.transport(), record=cassette)
    sent = len(fake.log)
    replayed = enrich.enrich(PAPERS, replay=cassette)
    assert len(fake.log) == sent  # the replay sent nothing
    assert_same_table(live, replayed)


def test_replay_uses_the_recorded_plan_whatever_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeServices(small_corpus(), enforce_rate_limits=False)
    cassette = tmp_path / "run.yaml"
    live = enrich.enrich(
        PAPERS, settings=fast_settings(), transport=fake.transport(), record=cassette
    )
    # A token would switch GitHub to GraphQL and a smaller batch would change the
    # arXiv requests; the replay must still ask exactly what was recorded.
    monkeypatch.setenv("GITHUB_TOKEN", "replay-time-token")
    monkeypatch.setenv("ENRICH_ARXIV_TITLES_PER_QUERY", "1")
    replayed = enrich.enrich(PAPERS, replay=cassette)
    assert_same_table(live, replayed)


def test_recording_keeps_no_credentials(tmp_path: Path) -> None:
    fake = FakeServices(small_corpus(), enforce_rate_limits=False)
    cassette = tmp_path / "run.yaml"
    settings = fast_settings(github_token=CANARY_TOKEN, s2_api_key=CANARY_KEY)
    enrich.enrich(PAPERS, settings=settings, transport=fake.transport(), record=cassette)
    text = cassette.read_text(encoding="utf-8")
    assert CANARY_TOKEN not in text
    assert CANARY_KEY not in text
    data = yaml.safe_load(text)
    for interaction in data["interactions"]:
        headers = {h.lower() for h in interaction["request"]["headers"]}
        assert not headers & {"authorization", "x-api-key"}
    assert data["enrich"]["plan"]["github_authenticated"] is True


def test_a_request_missing_from_the_cassette_is_a_row_error(tmp_path: Path) -> None:
    fake = FakeServices(small_corpus(), enforce_rate_limits=False)
    cassette = tmp_path / "run.yaml"
    enrich.enrich(
        ["2106.09685"],
        settings=fast_settings(),
        transport=fake.transport(),
        record=cassette,
        sources=("arxiv",),
    )
    df = enrich.enrich(["1706.03762"], replay=cassette, sources=("arxiv",))
    assert df["status"].to_list() == ["error"]
    assert "no recorded answer" in df["errors"][0][0]


def test_replay_of_a_missing_cassette_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(enrich.ConfigError, match="cassette not found"):
        enrich.enrich(PAPERS, replay=tmp_path / "nope.yaml")


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, object]:
    # POST bodies (S2 batches, GraphQL) tell requests to the same URL apart.
    return {"match_on": ["method", "scheme", "host", "port", "path", "query", "body"]}


@pytest.fixture
def vcr_cassette_dir() -> str:
    return str(CASSETTE.parent)


@pytest.fixture
def default_cassette_name() -> str:
    return CASSETTE.stem


@pytest.mark.vcr
def test_pytest_recording_replays_our_cassettes() -> None:
    """The cassette format is vcrpy's: pytest-recording serves it to a plain Client."""
    df = enrich.enrich(EXAMPLE, settings=fast_settings())
    assert df.height == 30
    assert df["arxiv_id"].null_count() == 0
    assert df["citation_count"].null_count() == 0
