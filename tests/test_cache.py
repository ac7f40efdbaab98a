"""The response cache: what is stored, for how long, where, and by whom it can be shared."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import diskcache
import httpx
import pytest

import enrich
from enrich._cache import CacheEntry, ResponseCache, cache_stats, clear_cache, response_cache_dir
from enrich._client import Client
from enrich._clock import FakeClock
from enrich._config import Settings
from enrich._exceptions import ConfigError, RateLimitError, ResponseError, ServerError
from enrich._wire import Request

S2 = "https://api.semanticscholar.org/graph/v1"


class Service:
    """MockTransport handler answering every request with the current ``answer``."""

    def __init__(self) -> None:
        self.calls = 0
        self.answer: Callable[[httpx.Request], httpx.Response] = lambda r: httpx.Response(
            200, json={"n": self.calls}, headers={"set-cookie": "session=1", "etag": '"e1"'}
        )

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        return self.answer(request)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service() -> Service:
    return Service()


@pytest.fixture
def make(tmp_path: Path, clock: FakeClock, service: Service) -> Iterator[Callable[..., Client]]:
    clients: list[Client] = []

    def build(refresh: bool = False, **overrides: Any) -> Client:
        overrides.setdefault("cache_dir", tmp_path / "cache")
        client = Client(
            Settings(**overrides),
            transport=httpx.MockTransport(service),
            clock=clock,
            refresh=refresh,
        )
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


def paper(n: int = 1, **kw: Any) -> Request:
    return Request("s2", "GET", f"{S2}/paper/CorpusId:{n}", params=(("fields", "title"),), **kw)


def test_repeated_request_is_served_from_cache(make: Any, service: Service) -> None:
    client = make()
    first = client.send(paper())
    second = client.send(paper())
    assert service.calls == 1
    assert (first.from_cache, second.from_cache) == (False, True)
    assert second.json() == first.json() == {"n": 1}
    assert second.headers == {"content-type": "application/json", "etag": '"e1"'}
    stats = client.stats()["s2"]
    assert (stats.requests, stats.cache_hits) == (1, 1)


def test_cache_survives_a_new_client(make: Any, service: Service) -> None:
    make().send(paper())
    assert make().send(paper()).from_cache
    assert service.calls == 1


def test_ttl_expiry(make: Any, service: Service, clock: FakeClock) -> None:
    client = make(s2_ttl=100.0)
    client.send(paper())
    clock.advance(99)
    assert client.send(paper()).from_cache
    clock.advance(2)
    answer = client.send(paper())
    assert not answer.from_cache
    assert answer.json() == {"n": 2}


def test_not_found_has_its_own_ttl(make: Any, service: Service, clock: FakeClock) -> None:
    client = make(s2_ttl=1000.0, not_found_ttl=10.0)
    service.answer = lambda r: (
        httpx.Response(404, json={"error": "Title match not found"})
        if "match" in r.url.path
        else httpx.Response(200, json={"paperId": "x"})
    )
    missing = Request("s2", "GET", f"{S2}/paper/search/match", answer_statuses=frozenset({404}))
    assert client.send(missing).status == 404
    client.send(paper())
    assert client.send(missing).from_cache
    clock.advance(11)
    assert not client.send(missing).from_cache  # asked again after the not-found TTL
    assert client.send(paper()).from_cache  # the found record is still fresh
    assert service.calls == 3


@pytest.mark.parametrize(("status", "error"), [(503, ServerError), (429, RateLimitError)])
def test_failures_are_never_cached(
    make: Any, service: Service, status: int, error: type[Exception]
) -> None:
    client = make(max_attempts=1)
    service.answer = lambda r: httpx.Response(status, json={"message": "no"})
    with pytest.raises(error):
        client.send(paper())
    service.answer = lambda r: httpx.Response(200, json={"ok": True})
    assert not client.send(paper()).from_cache
    assert service.calls == 2


def test_corrupt_bodies_are_never_cached(make: Any, service: Service) -> None:
    client = make(max_attempts=2)
    service.answer = lambda r: httpx.Response(200, content=b'{"trunc')
    with pytest.raises(ResponseError):
        client.send(paper())
    assert cache_stats(client.settings)["s2"]["entries"] == 0


def test_refresh_skips_reads_but_writes(make: Any, service: Service) -> None:
    make().send(paper())
    refreshed = make(refresh=True).send(paper())
    assert not refreshed.from_cache
    assert refreshed.json() == {"n": 2}
    again = make().send(paper())
    assert (again.from_cache, again.json()) == (True, {"n": 2})


def test_use_cache_false_stores_nothing(make: Any, service: Service, tmp_path: Path) -> None:
    client = make(use_cache=False, cache_dir=tmp_path / "unused")
    client.send(paper())
    client.send(paper())
    assert service.calls == 2
    assert not (tmp_path / "unused").exists()


def test_stored_entry_keeps_only_safe_headers(make: Any, clock: FakeClock) -> None:
    client = make()
    client.send(paper())
    with ResponseCache(response_cache_dir(client.settings), clock=clock) as cache:
        assert cache.get(paper().cache_key()) is None  # a fake's answer is not a live one
        entry = cache.get(client.cache_key(paper()))
    assert entry is not None
    assert dict(entry.headers) == {"content-type": "application/json", "etag": '"e1"'}
    assert entry.url == f"{S2}/paper/CorpusId:1?fields=title"
    assert entry.stored_at == clock.time()


def test_cache_dirs_are_private(make: Any, tmp_path: Path) -> None:
    root = tmp_path / "deep" / "cache"
    make(cache_dir=root).send(paper())
    for folder in (root, root / "http", root / "ratelimit"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_stats_and_clear_by_source(make: Any) -> None:
    client = make()
    client.send(paper(1))
    client.send(paper(2))
    client.send(Request("github", "GET", "https://api.github.com/repos/o/r"))
    stats = cache_stats(client.settings)
    assert stats["s2"]["entries"] == 2
    assert stats["github"]["entries"] == 1
    assert stats["arxiv"] == {"entries": 0, "bytes": 0}
    assert stats["s2"]["bytes"] > 0

    assert clear_cache(client.settings, "s2") == 2
    after = cache_stats(client.settings)
    assert (after["s2"]["entries"], after["github"]["entries"]) == (0, 1)
    assert clear_cache(client.settings) == 1
    assert cache_stats(client.settings)["github"]["entries"] == 0


def test_clear_unknown_source_lists_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="arxiv, s2, github"):
        clear_cache(Settings(cache_dir=tmp_path), "openalex")


def test_stats_of_a_missing_cache_are_zero(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path / "never")
    assert cache_stats(settings)["s2"] == {"entries": 0, "bytes": 0}
    assert clear_cache(settings) == 0
    assert not (tmp_path / "never").exists()


def test_unreadable_value_is_a_miss(tmp_path: Path) -> None:
    clock = FakeClock()
    with ResponseCache(tmp_path / "http", clock=clock) as cache:
        cache._store.set("s2:bad", b"not an entry")
        with diskcache.Cache(str(tmp_path / "http")) as default_disk:  # pickles the dict
            default_disk.set("s2:pickled", {"status": 200})
        assert cache.get("s2:bad") is None
        assert cache.get("s2:pickled") is None
        cache.set("s2:good", CacheEntry(200, b"\x00binary\x00", stored_at=clock.time()), ttl=5)
        entry = cache.get("s2:good")
        assert entry is not None
        assert entry.content == b"\x00binary\x00"
        clock.advance(6)
        assert cache.get("s2:good") is None
        assert cache.get("s2:good", allow_stale=True) is not None


_WORKER = """
import sys
from pathlib import Path
from enrich._cache import CacheEntry, ResponseCache
directory, name = Path(sys.argv[1]), sys.argv[2]
with ResponseCache(directory) as cache:
    for i in range(150):
        body = (name + ":" + str(i)).encode() * (50 if i % 10 else 4000)  # some go to files
        cache.set(f"s2:shared{i % 20}", CacheEntry(200, body, stored_at=cache.now()), ttl=3600)
        cache.set(f"s2:{name}{i}", CacheEntry(200, body, stored_at=cache.now()), ttl=3600)
        got = cache.get(f"s2:shared{(i * 7) % 20}")
        assert got is None or got.content.split(b":")[0] in (b"a", b"b"), got
print("ok")
"""


def test_two_processes_share_one_cache(tmp_path: Path) -> None:
    directory = tmp_path / "http"
    env = dict(os.environ, PYTHONPATH=str(Path(enrich.__file__).resolve().parents[1]))
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(directory), name],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        for name in ("a", "b")
    ]
    outputs = [w.communicate(timeout=60) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    assert [out for out, _ in outputs] == ["ok\n", "ok\n"]
    with ResponseCache(directory) as cache:
        stats = cache.stats()
        assert stats["s2"]["entries"] == 20 + 2 * 150
        for i in range(150):
            for name in ("a", "b"):
                entry = cache.get(f"s2:{name}{i}")
                assert entry is not None
                assert entry.content.startswith(f"{name}:{i}".encode())
