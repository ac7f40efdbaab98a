"""Injected faults: each kind in each service's shape, determinism, logging, concurrency."""

from __future__ import annotations

import contextlib
import json
import threading

import httpx
import pytest

from enrich._clock import FakeClock
from enrich.testing import FAULT_KINDS, Corpus, FakeRepo, FakeS2Paper, FakeServices, FaultConfig
from enrich.testing._server import ConnectionFault

S2_PAPER = "https://api.semanticscholar.org/graph/v1/paper/CorpusId:1"
ARXIV = "https://export.arxiv.org/api/query?id_list=2101.00001"
GITHUB_REPO = "https://api.github.com/repos/octo/hello"
UA = {"User-Agent": "enrich-tests"}


def corpus() -> Corpus:
    return Corpus(
        s2=[FakeS2Paper("f" * 40, 1, "A paper", 2020, ["Ann Author"], {})],
        github=[FakeRepo(1, "octo/hello", stars=5)],
    )


def fake_with(kind: str, clock: FakeClock | None = None, **kw: object) -> FakeServices:
    faults = FaultConfig(rate=1.0, kinds=(kind,), seed=1, **kw)  # type: ignore[arg-type]
    return FakeServices(
        corpus(), clock=clock or FakeClock(), faults=faults, enforce_rate_limits=False
    )


@pytest.mark.parametrize(("kind", "status"), [("500", 500), ("502", 502), ("503", 503)])
def test_server_errors_in_each_service_shape(kind: str, status: int) -> None:
    client = httpx.Client(transport=fake_with(kind).transport(), headers=UA)
    s2 = client.get(S2_PAPER)
    assert s2.status_code == status
    assert s2.headers["content-type"] == "application/json"
    gh = client.get(GITHUB_REPO)
    assert gh.status_code == status
    assert "message" in gh.json()
    arxiv = client.get(ARXIV)
    assert arxiv.status_code == status
    assert arxiv.headers["content-type"].startswith("text/html")


def test_503_with_retry_after() -> None:
    response = httpx.Client(transport=fake_with("503_retry_after").transport()).get(S2_PAPER)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"


def test_429_burst_lasts_burst_length() -> None:
    faults = FaultConfig(rate=0.2, kinds=("429_burst",), seed=4, burst_length=3)
    fake = FakeServices(corpus(), clock=FakeClock(), faults=faults, enforce_rate_limits=False)
    client = httpx.Client(transport=fake.transport())
    statuses = [client.get(S2_PAPER).status_code for _ in range(60)]
    # The last run may be cut short by the end of the loop; drop it.
    runs = "".join("x" if code == 429 else "." for code in statuses).rstrip("x").split(".")
    bursts = [len(run) for run in runs if run]
    assert bursts
    assert all(length >= 3 for length in bursts)
    assert [e.fault for e in fake.log] == ["429_burst" if c == 429 else None for c in statuses]


def test_429_burst_shapes_per_service() -> None:
    client = httpx.Client(transport=fake_with("429_burst").transport(), headers=UA)
    assert client.get(ARXIV).content == b"Rate exceeded."
    gh = client.get(GITHUB_REPO)
    assert gh.status_code == 429
    assert gh.headers["retry-after"] == "60"


def test_reset_and_timeout_raise_real_httpx_errors() -> None:
    with pytest.raises(httpx.ReadError):
        httpx.Client(transport=fake_with("reset").transport()).get(S2_PAPER)
    fake = fake_with("timeout")
    with pytest.raises(httpx.ReadTimeout):
        httpx.Client(transport=fake.transport()).get(S2_PAPER)
    assert (fake.log[0].status, fake.log[0].fault) == (0, "timeout")
    with pytest.raises(ConnectionFault):
        fake.handle("GET", S2_PAPER, {})


def test_slow_sleeps_on_the_injected_clock() -> None:
    clock = FakeClock()
    fake = fake_with("slow", clock, slow_seconds=7.5)
    response = httpx.Client(transport=fake.transport()).get(S2_PAPER)
    assert response.status_code == 200
    assert response.json()["paperId"] == "f" * 40
    assert clock.sleeps == [7.5]


def test_truncated_body_is_half_with_valid_headers() -> None:
    fake = fake_with("truncated")
    healthy = FakeServices(corpus(), clock=FakeClock(), enforce_rate_limits=False)
    full = httpx.Client(transport=healthy.transport()).get(S2_PAPER).content
    response = httpx.Client(transport=fake.transport()).get(S2_PAPER)
    assert response.status_code == 200
    assert response.content == full[: len(full) // 2]
    assert response.headers["content-length"] == str(len(response.content))
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_html200() -> None:
    client = httpx.Client(transport=fake_with("html200").transport(), headers=UA)
    for url in (S2_PAPER, ARXIV, GITHUB_REPO):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert b"<html" in response.content.lower()


def run(seed: int, n: int = 200) -> list[str | None]:
    faults = FaultConfig(rate=0.3, seed=seed)
    fake = FakeServices(corpus(), clock=FakeClock(), faults=faults, enforce_rate_limits=False)
    kinds = []
    for _ in range(n):
        with contextlib.suppress(ConnectionFault):
            fake.handle("GET", S2_PAPER, {})
        kinds.append(fake.log[-1].fault)
    return kinds


def test_faults_are_deterministic_by_seed() -> None:
    first, again, other = run(5), run(5), run(6)
    assert first == again
    assert first != other
    assert 0.2 < sum(k is not None for k in first) / len(first) < 0.5
    assert set(first) - {None} == set(FAULT_KINDS)


def test_faulty_answers_do_not_consume_github_budget() -> None:
    fake = fake_with("500")
    client = httpx.Client(transport=fake.transport(), headers=UA)
    for _ in range(3):
        assert client.get(GITHUB_REPO).status_code == 500
    fake.faults.config = FaultConfig()
    assert client.get(GITHUB_REPO).headers["x-ratelimit-used"] == "1"


def test_fault_config_validation() -> None:
    with pytest.raises(ValueError, match="unknown fault kinds"):
        FaultConfig(rate=0.1, kinds=("teapot",))
    with pytest.raises(ValueError, match="rate"):
        FaultConfig(rate=1.5)


class GatedClock(FakeClock):
    """A fake clock whose first sleep blocks until released (holds a request open)."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    def sleep(self, seconds: float) -> None:
        if not self.entered.is_set():
            self.entered.set()
            self.release.wait(5)
        super().sleep(seconds)


def test_arxiv_second_concurrent_connection_is_429() -> None:
    clock = GatedClock()
    faults = FaultConfig(rate=1.0, kinds=("slow",))
    fake = FakeServices(Corpus(), clock=clock, faults=faults)
    client = httpx.Client(transport=fake.transport())
    results: list[int] = []
    slow = threading.Thread(target=lambda: results.append(client.get(ARXIV).status_code))
    slow.start()
    assert clock.entered.wait(5)
    clock.advance(10.0)  # far apart in time: only concurrency is at fault
    concurrent = client.get(ARXIV)
    clock.release.set()
    slow.join(5)
    assert concurrent.status_code == 429
    assert results == [200]
    assert [e.rate_violation for e in fake.log] == [True, False]
