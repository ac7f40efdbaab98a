"""The first live run: throttled and unreachable sources, trickling servers, fake answers.

Each test drives the real Client against the fake services (in process or over
loopback) or against closed ports, and asserts on what was sent and answered.
"""

from __future__ import annotations

import itertools
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest

import enrich
from enrich._client import Client
from enrich._clock import FakeClock
from enrich._config import Settings
from enrich._exceptions import SourceUnavailableError, TransportError
from enrich._wire import Request
from enrich.testing import FakeServices
from enrich.testing._faults import FaultConfig, FaultPlan
from enrich.testing._generator import GeneratedWorkload, generate_corpus

S2 = "https://api.semanticscholar.org/graph/v1"


@pytest.fixture(scope="module")
def workload() -> GeneratedWorkload:
    return generate_corpus(60, seed=3)


def _fast(**overrides: Any) -> Settings:
    """The real rules, a hundred times faster: intervals, backoff and the breaker's clock."""
    values: dict[str, Any] = {
        "use_cache": False,
        "arxiv_min_interval": 0.03,
        "s2_min_interval": 0.01,
        "github_min_interval": 0.0,
        "pacing_margin": 0.0,
        "backoff_base": 0.02,
        "backoff_max": 0.2,
        "breaker_seconds": 0.3,
        "retry_budget": 6.0,
    }
    values.update(overrides)
    return Settings.from_env({}, **values)


def _throttled_run(
    workload: GeneratedWorkload, source: str
) -> tuple[enrich.EnrichResult, FakeServices, Client]:
    fake = FakeServices(
        workload.corpus,
        enforce_rate_limits=False,
        faults=FaultConfig(rate=1.0, kinds=("429_burst",), sources=(source,)),
    )
    client = Client(_fast(), transport=fake.transport())
    with client:
        result = enrich.enrich_result(pl.DataFrame(workload.inputs), client=client)
    return result, fake, client


def test_a_throttled_arxiv_opens_its_breaker_and_s2_carries_on(
    workload: GeneratedWorkload,
) -> None:
    result, fake, client = _throttled_run(workload, "arxiv")
    arxiv = [e for e in fake.log if e.source == "arxiv"]
    # At most breaker_failures (6) attempts, then not asked again.
    assert 2 <= len(arxiv) <= 6
    assert all(e.status == 429 for e in arxiv)
    state = client.breakers()["arxiv"]
    assert (state.open, state.why) == (True, "throttled")
    assert state.reason is not None
    assert "export.arxiv.org refused" in state.reason
    assert "try again later" in state.reason
    assert not client.breakers()["s2"].open
    # Semantic Scholar still answered every paper given by arXiv id.
    frame = result.frame
    assert frame is not None
    by_id = frame.filter(pl.col("input_arxiv_id").is_not_null())
    assert by_id.height > 5
    assert by_id["s2_paper_id"].null_count() < by_id.height


def test_a_throttled_s2_opens_its_breaker_and_arxiv_carries_on(
    workload: GeneratedWorkload,
) -> None:
    result, fake, client = _throttled_run(workload, "s2")
    s2 = [e for e in fake.log if e.source == "s2"]
    assert 2 <= len(s2) <= 6
    state = client.breakers()["s2"]
    assert state.open
    assert state.reason is not None
    assert "S2_API_KEY" in state.reason
    frame = result.frame
    assert frame is not None
    assert frame["arxiv_id"].null_count() < frame.height


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("base", "what"),
    [
        ("http://enrich-offline.invalid", "name not resolved"),
        (f"http://127.0.0.1:{_closed_port()}", "connection refused"),
    ],
)
def test_unreachable_sources_are_asked_twice_then_left(base: str, what: str) -> None:
    settings = Settings.from_env(
        {},
        use_cache=False,
        arxiv_url=f"{base}/api/query",
        s2_url=f"{base}/graph/v1",
        github_url=base,
        hf_url=base,
    )
    clock = FakeClock()
    papers = ["2106.09685", "1706.03762", "2005.14165", "1810.04805", "2302.13971"]
    with Client(settings, clock=clock) as client:
        result = enrich.enrich_result(papers, client=client)
    stats = client.stats()
    for source in ("arxiv", "s2"):
        assert stats[source].requests == 2, source  # tried, retried once, then unreachable
        state = client.breakers()[source]
        assert (state.open, state.why) == (True, "unreachable")
        assert state.reason is not None
        assert f"cannot reach {base.split('//')[1].split(':')[0]}: {what}" in state.reason
        assert "--replay" in state.reason
    # The only waits were one backoff per source, not minutes of retries.
    assert sum(clock.sleeps) < 10.0
    assert sum(s.backoff_seconds for s in stats.values()) == pytest.approx(sum(clock.sleeps))
    assert result.frame is not None
    assert result.frame.height == 5


@pytest.fixture
def trickling() -> Iterator[tuple[str, FakeServices]]:
    fake = FakeServices(generate_corpus(5, seed=1).corpus, enforce_rate_limits=False)
    with fake.serve() as server:
        yield server.url, fake


@pytest.mark.parametrize("kind", ["trickle", "slow_headers"])
def test_a_trickling_server_costs_one_deadline_per_attempt(
    kind: str, trickling: tuple[str, FakeServices]
) -> None:
    url, fake = trickling
    fake.faults = FaultPlan(
        FaultConfig(rate=1.0, kinds=(kind,), sources=("s2",), trickle_seconds=0.05)
    )
    # Each read waits 0.05 s, far inside the 5 s read timeout: only the deadline ends it.
    settings = _fast(s2_url=f"{url}/s2/graph/v1", deadline=0.5, max_attempts=2, timeout=5.0)
    with Client(settings) as client, pytest.raises(SourceUnavailableError) as caught:
        client.send(Request("s2", "GET", f"{settings.s2_url}/paper/CorpusId:1"))
    # Two deadlines cost more than the breaker's (scaled) 0.3 s: the source is left.
    assert "no complete answer within the deadline" in str(caught.value)
    assert caught.value.why == "throttled"
    assert client.stats()["s2"].retries == {"deadline": 1}
    assert client.stats()["s2"].requests == 2


def test_a_deadline_is_a_transport_error_for_the_retry_policy(
    trickling: tuple[str, FakeServices],
) -> None:
    url, fake = trickling
    fake.faults = FaultPlan(
        FaultConfig(rate=1.0, kinds=("trickle",), sources=("s2",), trickle_seconds=0.05)
    )
    settings = _fast(
        s2_url=f"{url}/s2/graph/v1", deadline=0.3, max_attempts=2, breaker_seconds=60.0
    )
    with Client(settings) as client, pytest.raises(TransportError) as caught:
        client.send(Request("s2", "GET", f"{settings.s2_url}/paper/CorpusId:1"))
    assert "gave up after 2 attempts" in str(caught.value)
    assert "deadline" in str(caught.value)


def test_pacing_counts_from_the_wire_not_the_grant(tmp_path: Path) -> None:
    """A request that reaches the wire late pushes the next one back by as much."""
    clock = FakeClock()
    arrivals: list[float] = []

    def late_then_prompt(request: httpx.Request) -> httpx.Response:
        if not arrivals:
            clock.advance(0.062)  # CPU load: granted at 0, on the wire 62 ms later
        arrivals.append(clock.monotonic())
        return httpx.Response(200, json={"paperId": "p"})

    settings = Settings(cache_dir=tmp_path, use_cache=False, s2_min_interval=1.0)
    with Client(settings, transport=httpx.MockTransport(late_then_prompt), clock=clock) as client:
        for n in range(3):
            client.send(Request("s2", "GET", f"{S2}/paper/CorpusId:{n}"))
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert min(gaps) >= 1.0 + settings.pacing_margin - 1e-9


@pytest.fixture
def fake_server() -> Iterator[dict[str, str]]:
    """The fakes in a process of their own, S2's rule at a quarter of the real interval.

    In its own process the fake's arrival clock does not queue for our GIL
    behind the busy threads below: it measures what reached its socket.
    """
    command = [sys.executable, "-m", "enrich.testing", "serve", "--generate", "5"]
    server = subprocess.Popen([*command, "--time-scale", "4"], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        lines = [server.stdout.readline().strip() for _ in range(3)]
        yield dict(line.split("=", 1) for line in lines)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_no_violations_while_other_threads_keep_the_cpu_busy(
    fake_server: dict[str, str],
) -> None:
    """The fake answers 429 to any request that arrives early; none does."""
    stop = threading.Event()

    def burn() -> None:
        while not stop.is_set():
            sum(i * i for i in range(10_000))

    burners = [threading.Thread(target=burn, daemon=True) for _ in range(3)]
    # The real margin on a quarter of the real interval: the guarantee, tightened.
    settings = Settings.from_env(
        {}, use_cache=False, s2_url=fake_server["ENRICH_S2_URL"], s2_min_interval=0.25
    )

    def ask(client: Client, k: int) -> None:
        for n in range(5):
            url = f"{settings.s2_url}/paper/CorpusId:{k}{n}"
            client.send(Request("s2", "GET", url, answer_statuses=frozenset({404})))

    for burner in burners:
        burner.start()
    try:
        with Client(settings) as client:
            askers = [threading.Thread(target=ask, args=(client, k)) for k in range(2)]
            for thread in askers:
                thread.start()
            for thread in askers:
                thread.join(timeout=60)
            stats = client.stats()["s2"]
    finally:
        stop.set()
    assert stats.retries == {}  # no 429: not one request arrived inside the interval
    assert stats.requests == 10


def test_fake_answers_never_serve_a_live_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's in-process example, then a live run on the same default cache."""
    monkeypatch.delenv("ENRICH_CACHE_DIR")  # the user's default cache folder, as in the README
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    workload = generate_corpus(20, seed=0)
    fake = FakeServices(workload.corpus, enforce_rate_limits=False)
    fast = Settings.from_env(arxiv_min_interval=0, s2_min_interval=0, github_min_interval=0)
    table = enrich.enrich(pl.DataFrame(workload.inputs), settings=fast, transport=fake.transport())
    assert table["s2_paper_id"].null_count() < table.height
    assert fast.resolved_cache_dir().is_relative_to(tmp_path / "xdg")

    # A live run: the network, here a proxy on a closed port (no internet in tests).
    proxy = f"http://127.0.0.1:{_closed_port()}"
    live = Settings.from_env(max_attempts=1, breaker_failures=1)
    with Client(live, transport=httpx.HTTPTransport(proxy=proxy), clock=FakeClock()) as client:
        enrich.enrich_result(pl.DataFrame(workload.inputs), client=client)
        stats = client.stats()
    assert stats["s2"].cache_hits == stats["arxiv"].cache_hits == 0
    assert stats["s2"].requests > 0
    assert stats["arxiv"].requests > 0


def test_the_network_transport_carries_the_deadline_backend() -> None:
    # with_deadline reaches into httpcore's private pool; if a release renames it,
    # the deadline would silently fall back to per-read timeouts.  Say so here.
    from enrich._transport import DeadlineBackend, network_transport

    transport = network_transport()
    backend = transport._pool._network_backend  # type: ignore[attr-defined]
    assert isinstance(backend, DeadlineBackend)
