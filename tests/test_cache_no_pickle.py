"""The response cache never unpickles what it finds on disk (CVE-2025-69872)."""

from __future__ import annotations

import os
from pathlib import Path

import diskcache
import httpx
import pytest

from enrich._cache import CacheEntry, ResponseCache, cache_stats, response_cache_dir
from enrich._client import Client
from enrich._config import Settings
from enrich._wire import Request

S2 = "https://api.semanticscholar.org/graph/v1"


class _Payload:
    """Unpickling this object creates ``marker``: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (os.mkdir, (str(self.marker),))


def _plant(directory: Path, key: object, value: object) -> None:
    # Written with diskcache's default Disk, as an attacker with write access would.
    with diskcache.Cache(str(directory)) as raw:
        raw.set(key, value, tag="s2")


def test_a_planted_pickled_value_is_ignored_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    request = Request("s2", "GET", f"{S2}/paper/CorpusId:1")
    settings = Settings(cache_dir=tmp_path / "cache")
    directory = response_cache_dir(settings)
    calls = []

    def answer(req: httpx.Request) -> httpx.Response:
        calls.append(req)
        return httpx.Response(200, json={"paperId": "p1"})

    with Client(settings, transport=httpx.MockTransport(answer), rate_limit=False) as client:
        for key in (request.cache_key(), client.cache_key(request)):
            _plant(directory, key, _Payload(marker))
        with ResponseCache(directory) as cache:
            assert cache.get(request.cache_key(), allow_stale=True) is None
        got = client.send(request)  # reads the planted row, ignores it, asks the service
    assert got.json() == {"paperId": "p1"}
    assert len(calls) == 1
    assert not marker.exists()


def test_a_planted_pickled_key_is_ignored_by_stats(tmp_path: Path) -> None:
    marker = tmp_path / "pwned-key"
    settings = Settings(cache_dir=tmp_path / "cache")
    directory = response_cache_dir(settings)
    with ResponseCache(directory) as cache:
        cache.set("s2:good", CacheEntry(200, b"{}", stored_at=cache.now()), ttl=60)
    _plant(directory, _Payload(marker), b"x")
    stats = cache_stats(settings)
    assert stats["s2"] == {"entries": 1, "bytes": stats["s2"]["bytes"]}
    assert not marker.exists()


def test_only_bytes_are_ever_written(tmp_path: Path) -> None:
    with (
        ResponseCache(tmp_path / "http") as cache,
        pytest.raises(TypeError, match="cache values are bytes"),
    ):
        cache._store.set("s2:x", {"not": "bytes"})
