"""Per-source pacing through the Client: intervals, connection caps, independence, cache hits."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from enrich._client import Client
from enrich._clock import FakeClock
from enrich._config import DEFAULT_PACING_MARGIN, Settings
from enrich._wire import Request

ARXIV = "https://export.arxiv.org/api/query"
FEED = b"<feed xmlns='http://www.w3.org/2005/Atom'/>"


class Recorder:
    """MockTransport handler that notes when each source's requests start and overlap."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.lock = threading.Lock()
        self.starts: dict[str, list[float]] = {}
        self.in_flight: dict[str, int] = {}
        self.peak: dict[str, int] = {}
        self.hold: dict[str, Callable[[], None]] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        with self.lock:
            self.starts.setdefault(host, []).append(self.clock.monotonic())
            self.in_flight[host] = self.in_flight.get(host, 0) + 1
            self.peak[host] = max(self.peak.get(host, 0), self.in_flight[host])
        try:
            # A moment of real time so that a second request, if let through, would overlap.
            threading.Event().wait(0.002)
            if host in self.hold:
                self.hold[host]()
        finally:
            with self.lock:
                self.in_flight[host] -= 1
        if host == "export.arxiv.org":
            return httpx.Response(200, content=FEED)
        return httpx.Response(200, json={"ok": True})


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def recorder(clock: FakeClock) -> Recorder:
    return Recorder(clock)


@pytest.fixture
def client(tmp_path: Path, clock: FakeClock, recorder: Recorder) -> Iterator[Client]:
    settings = Settings(cache_dir=tmp_path / "cache")
    with Client(settings, transport=httpx.MockTransport(recorder), clock=clock) as c:
        yield c


def arxiv(n: int) -> Request:
    return Request("arxiv", "GET", ARXIV, params=(("id_list", f"2106.{n:05d}"),), expect="xml")


def github(n: int) -> Request:
    return Request("github", "GET", f"https://api.github.com/repos/o/r{n}")


def in_threads(calls: list[Callable[[], Any]]) -> list[Any]:
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.mark.parametrize(
    ("make_request", "host", "interval"),
    [(arxiv, "export.arxiv.org", 3.0), (github, "api.github.com", 60.0 / 900.0)],
)
def test_interval_and_single_connection_under_eight_threads(
    client: Client,
    recorder: Recorder,
    make_request: Callable[[int], Request],
    host: str,
    interval: float,
) -> None:
    answers = in_threads([lambda n=n: client.send(make_request(n)) for n in range(8)])
    assert all(a.status == 200 for a in answers)
    starts = sorted(recorder.starts[host])
    assert len(starts) == 8
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    # Spaced on the wire by the interval plus the documented jitter margin.
    assert min(gaps) >= interval + DEFAULT_PACING_MARGIN - 1e-9
    assert recorder.peak[host] == 1
    stats = client.stats()[make_request(0).source]
    assert stats.pacing_seconds == pytest.approx(7 * (interval + DEFAULT_PACING_MARGIN))
    assert stats.backoff_seconds == stats.server_wait_seconds == 0.0


def test_arxiv_does_not_delay_github(client: Client, recorder: Recorder) -> None:
    github_done = threading.Event()
    seen_done: list[bool] = []
    # The first arXiv request stays in flight until every GitHub request is answered.
    recorder.hold["export.arxiv.org"] = lambda: seen_done.append(github_done.wait(timeout=10))

    def github_run() -> None:
        for n in range(5):
            client.send(github(n))
        github_done.set()

    in_threads([lambda: client.send(arxiv(1)), lambda: client.send(arxiv(2)), github_run])
    assert seen_done == [True, True]
    stats = client.stats()
    assert stats["github"].requests == 5
    assert stats["github"].wait_seconds < 1.0  # only its own 1/15 s spacing
    assert stats["arxiv"].wait_seconds <= 3.0 + DEFAULT_PACING_MARGIN


def test_cache_hit_never_waits_on_the_limiter(
    client: Client, recorder: Recorder, clock: FakeClock
) -> None:
    client.send(arxiv(1))
    release = threading.Event()
    recorder.hold["export.arxiv.org"] = lambda: release.wait(timeout=10) and None
    busy = threading.Thread(target=client.send, args=(arxiv(2),))
    busy.start()  # holds arXiv's only connection (and waits 3 s of fake time first)
    try:
        for _ in range(5):
            assert client.send(arxiv(1)).from_cache
    finally:
        release.set()
        busy.join(timeout=10)
    stats = client.stats()["arxiv"]
    assert (stats.requests, stats.cache_hits) == (2, 5)
    assert clock.sleeps == [3.0 + DEFAULT_PACING_MARGIN]


def test_sequential_waits_are_counted(client: Client, clock: FakeClock) -> None:
    for n in range(3):
        client.send(arxiv(n))
    assert clock.sleeps == [3.0 + DEFAULT_PACING_MARGIN] * 2
    assert client.stats()["arxiv"].pacing_seconds == pytest.approx(6.0 + 2 * DEFAULT_PACING_MARGIN)


def test_rate_limit_off_paces_nothing(tmp_path: Path, clock: FakeClock, recorder: Recorder) -> None:
    settings = Settings(cache_dir=tmp_path / "cache")
    with Client(
        settings, transport=httpx.MockTransport(recorder), clock=clock, rate_limit=False
    ) as fast:
        for n in range(4):
            fast.send(arxiv(n))
    assert clock.sleeps == []
    assert recorder.starts["export.arxiv.org"] == [0.0, 0.0, 0.0, 0.0]


def test_processes_sharing_a_cache_dir_share_the_interval(
    tmp_path: Path, clock: FakeClock, recorder: Recorder
) -> None:
    settings = Settings(cache_dir=tmp_path / "shared")
    transport = httpx.MockTransport(recorder)
    # Two clients stand in for two processes: each has its own in-process limiter,
    # only the state file under <cache_dir>/ratelimit connects them.
    with (
        Client(settings, transport=transport, clock=clock) as one,
        Client(settings, transport=transport, clock=clock) as two,
    ):
        one.send(arxiv(1))
        two.send(arxiv(2))
        assert two.stats()["arxiv"].wait_seconds == pytest.approx(3.0 + DEFAULT_PACING_MARGIN)
    assert (tmp_path / "shared" / "ratelimit" / "arxiv").is_file()
