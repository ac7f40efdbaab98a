"""Interrupted runs: SIGKILL then a rerun resumes from the cache; Ctrl-C stops promptly.

``enrich run`` runs as a subprocess against the fake services served from this
test process (``FakeServices.serve``), so the test reads the fake's request log
directly.  The fake enforces the rate rules at a time scale that makes a run
last a few seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest
from conftest import ROOT

from enrich._api import enrich_result
from enrich._client import Client
from enrich._clock import FakeClock
from enrich._config import Settings
from enrich._exceptions import Cancelled
from enrich._wire import Request
from enrich.testing import FakeServer, FakeServices, FaultConfig, RequestLogEntry
from enrich.testing._generator import GeneratedWorkload, generate_corpus

pytestmark = pytest.mark.slow

#: The fake's rules run this much faster than the real services'.
TIME_SCALE = 10.0
#: The client spaces the starts of its requests, the fake measures their arrival,
#: and up to ~20 ms of thread scheduling lie between the two (most for a process's
#: first request); at this time scale the fake forgives only 2 % of 100 ms, so the
#: client keeps this much (seconds) to spare.
SLACK = 0.05


@pytest.fixture(scope="module")
def workload() -> GeneratedWorkload:
    return generate_corpus(60, seed=3)


def _env(server: FakeServer, cache: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    env.update(server.env())
    env.update(
        PYTHONPATH=str(ROOT),
        ENRICH_CACHE_DIR=str(cache),
        # The real rules, scaled like the fake's, plus SLACK.
        ENRICH_ARXIV_MIN_INTERVAL=str(3.0 / TIME_SCALE + SLACK),
        ENRICH_S2_MIN_INTERVAL=str(1.0 / TIME_SCALE + SLACK),
        ENRICH_GITHUB_MIN_INTERVAL=str(60.0 / 900.0 / TIME_SCALE + SLACK),
    )
    env.update(settings)
    # The run's own temporary files land here, where the tests can look for leftovers.
    env["TMPDIR"] = str(cache.parent / "tmp")
    Path(env["TMPDIR"]).mkdir(exist_ok=True)
    return env


def _enrich(inputs: Path, output: Path, env: Mapping[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "enrich", "run", str(inputs), "-o", str(output)],
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.005)


def _answered(entry: RequestLogEntry) -> bool:
    return entry.fault is None and entry.status not in (0, 429) and entry.status < 500


def _key(entry: RequestLogEntry) -> tuple[str, str, str, tuple[str, ...]]:
    return entry.source, entry.method, entry.endpoint, entry.ids


def _reference(workload: GeneratedWorkload, inputs: Path) -> pl.DataFrame:
    """The uninterrupted table, made in-process against a twin of the fake."""
    fake = FakeServices(workload.corpus, enforce_rate_limits=False)
    settings = Settings.from_env({}, use_cache=False)
    with Client(settings, transport=fake.transport(), clock=FakeClock()) as client:
        frame = enrich_result(str(inputs), client=client).frame
    assert frame is not None
    return frame.drop("fetched_at")


class _Gated(FakeServices):
    """A fake that can hold every new request at the door (a network that went quiet)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.open = threading.Event()
        self.open.set()
        self.holding = threading.Event()

    def dispatch(self, *args: Any, **kwargs: Any) -> Any:
        if not self.open.is_set():
            self.holding.set()
            self.open.wait()
        return super().dispatch(*args, **kwargs)


def test_killed_run_resumes_without_resending_answered_requests(
    tmp_path: Path, workload: GeneratedWorkload
) -> None:
    inputs = workload.write(tmp_path / "work")["inputs"]
    output = tmp_path / "out" / "enriched.parquet"
    output.parent.mkdir()
    fake = _Gated(workload.corpus, time_scale=TIME_SCALE)
    with fake.serve() as server:
        env = _env(server, tmp_path / "cache")
        first = _enrich(inputs, output, env)
        try:
            # Once a dozen answers are in, hold new requests, give the client a moment
            # to store the answers it already has, and kill it while it waits.
            _wait_for(lambda: sum(map(_answered, fake.log.snapshot())) >= 12)
            fake.open.clear()
            _wait_for(fake.holding.is_set)
            time.sleep(0.3)
            before_kill = fake.log.snapshot()
            first.kill()
        finally:
            first.communicate(timeout=30)
            fake.open.set()  # the held requests are answered to a dead client
        assert first.returncode == -signal.SIGKILL
        assert not output.exists()
        assert not list((tmp_path / "tmp").iterdir())  # killed in its first window
        answered = {_key(e) for e in before_kill if _answered(e)}

        started = len(fake.log.snapshot())
        second = _enrich(inputs, output, env)
        _, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
        resumed = fake.log.snapshot()[started:]

    assert resumed, "the rerun had work left to do"
    assert not {_key(e) for e in resumed} & answered
    assert not [e for e in before_kill + resumed if e.rate_violation]
    assert "cache hits" in err
    table = pl.read_parquet(output).drop("fetched_at")
    reference = _reference(workload, inputs)
    assert table.columns == reference.columns
    for name in reference.columns:
        assert table[name].to_list() == reference[name].to_list(), name
    assert sorted(p.name for p in output.parent.iterdir()) == ["enriched.parquet"]
    assert not list((tmp_path / "tmp").iterdir())


class _Watched(FakeServices):
    """A fake that tells when a request has arrived, before it is answered."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arrived = threading.Event()

    def dispatch(self, *args: Any, **kwargs: Any) -> Any:
        self.arrived.set()
        return super().dispatch(*args, **kwargs)


def _interrupt_while(
    tmp_path: Path,
    workload: GeneratedWorkload,
    fake: _Watched,
    signals: int,
    **settings: str,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    inputs = workload.write(tmp_path / "work")["inputs"]
    output = tmp_path / "out" / "enriched.csv"
    output.parent.mkdir()
    with fake.serve() as server:
        process = _enrich(inputs, output, _env(server, tmp_path / "cache", **settings))
        try:
            _wait_for(fake.arrived.is_set)  # the SIGINT handler is in place by now
            time.sleep(0.3)  # every source is waiting on its interval or on the wire
            for _ in range(signals):
                process.send_signal(signal.SIGINT)
                time.sleep(0.2)
            # Far sooner than the arXiv interval or the stalled request would allow.
            out, err = process.communicate(timeout=15)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    return subprocess.CompletedProcess(process.args, process.returncode, out, err), output


def test_ctrl_c_during_an_interval_wait_stops_at_once_and_writes_nothing(
    tmp_path: Path, workload: GeneratedWorkload
) -> None:
    fake = _Watched(workload.corpus, time_scale=TIME_SCALE)
    # arXiv's next request is a minute away: only an interruptible wait ends soon.
    done, output = _interrupt_while(
        tmp_path, workload, fake, signals=1, ENRICH_ARXIV_MIN_INTERVAL="60"
    )
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr
    assert not list(output.parent.iterdir())  # no table, no temporary file
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("enrich: interrupted after ")
    assert "requests (arxiv 1" in last
    assert "nothing was written" in last
    assert "a rerun resumes from them" in last
    assert sum(e.source == "arxiv" for e in fake.log) == 1
    assert not list((tmp_path / "tmp").iterdir())


def test_second_ctrl_c_does_not_wait_for_a_stalled_request(
    tmp_path: Path, workload: GeneratedWorkload
) -> None:
    # Every request stalls for longer than the client's timeout.
    stalled = FaultConfig(rate=1.0, kinds=("timeout",), stall_seconds=60.0)
    fake = _Watched(workload.corpus, time_scale=TIME_SCALE, faults=stalled)
    done, output = _interrupt_while(
        tmp_path, workload, fake, signals=2, ENRICH_TIMEOUT="60", ENRICH_ARXIV_MIN_INTERVAL="0"
    )
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr
    assert "Ctrl-C again to stop at once" in done.stderr
    assert done.stderr.strip().endswith("enrich: interrupted at once; nothing was written")
    assert not list(output.parent.iterdir())


def test_a_cancelled_client_neither_waits_nor_sends(tmp_path: Path) -> None:
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        return httpx.Response(200, content=b'<feed xmlns="http://www.w3.org/2005/Atom"/>')

    # The real clock and a minute between requests: only an interruptible wait
    # lets the second send end at once.
    settings = Settings.from_env({}, cache_dir=tmp_path, arxiv_min_interval=60.0, max_attempts=1)
    stop = threading.Event()
    request = Request(
        "arxiv", "GET", settings.arxiv_url, params=(("id_list", "2106.09685"),), expect="xml"
    )
    later = Request(
        "arxiv", "GET", settings.arxiv_url, params=(("id_list", "1706.03762"),), expect="xml"
    )
    with Client(settings, transport=httpx.MockTransport(answer)) as client:
        with client.cancel_on(stop):
            assert client.send(request).status == 200
            stop.set()
            with pytest.raises(Cancelled, match="run interrupted"):
                client.send(later)
            assert client.send(request).from_cache  # the cache still answers
        # Outside the block the run's event no longer applies.
        assert client.stats()["arxiv"].requests == 1
    assert len(sent) == 1
