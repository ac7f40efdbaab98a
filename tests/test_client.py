"""Client basics: construction, stats snapshots, unknown sources, logging."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from enrich._client import Client, SourceStats
from enrich._clock import FakeClock
from enrich._config import SOURCES, Settings
from enrich._exceptions import ConfigError
from enrich._wire import Request


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"ok": True})


def test_settings_default_to_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ENRICH_CACHE_DIR", str(tmp_path / "from-env"))
    monkeypatch.setenv("ENRICH_ARXIV_MIN_INTERVAL", "5")
    with Client(transport=httpx.MockTransport(ok)) as client:
        assert client.settings.arxiv_min_interval == 5.0
        assert client.settings.cache_dir == tmp_path / "from-env"
    assert (tmp_path / "from-env" / "http").is_dir()


def test_stats_are_a_snapshot_per_source(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path)
    with Client(settings, transport=httpx.MockTransport(ok), clock=FakeClock()) as client:
        before = client.stats()
        assert tuple(before) == SOURCES
        assert before["s2"] == SourceStats()
        client.send(Request("s2", "GET", "https://api.semanticscholar.org/graph/v1/paper/x"))
        before["s2"].retries["fake"] += 1
        after = client.stats()
    assert after["s2"].requests == 1
    assert after["s2"].bytes_received == len(b'{"ok":true}')
    assert after["s2"].retries == {}
    assert before["s2"].requests == 0


def test_unknown_source_is_a_config_error(tmp_path: Path) -> None:
    with (
        Client(Settings(cache_dir=tmp_path), transport=httpx.MockTransport(ok)) as client,
        pytest.raises(ConfigError, match="valid sources: arxiv, s2, github"),
    ):
        client.send(Request("openalex", "GET", "https://api.openalex.org/works"))


def test_each_request_is_logged_at_debug(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="enrich")
    url = "https://api.github.com/repos/o/r"
    with Client(
        Settings(cache_dir=tmp_path), transport=httpx.MockTransport(ok), clock=FakeClock()
    ) as client:
        client.send(Request("github", "GET", url))
        client.send(Request("github", "GET", url))  # a cache hit: not a request
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert lines == [f"github GET {url} 200"]


def test_repr_names_the_cache_and_no_credentials(tmp_path: Path) -> None:
    with Client(
        Settings(cache_dir=tmp_path, use_cache=False), transport=httpx.MockTransport(ok)
    ) as c:
        assert repr(c) == (
            "Client(cache=None, refresh=False, rate_limit=True, network=False, "
            "github_token=unset, s2_api_key=unset)"
        )
