"""Two ``enrich run`` processes sharing one cache directory share each service's rate rule.

The fake services run in this test process and enforce arXiv's and Semantic
Scholar's spacing (scaled by TIME_SCALE); two ``enrich run`` subprocesses on
overlapping inputs start together.  The fake's log must show no request that
broke a rule, and the spacing between consecutive requests to one service,
whichever process sent them, must be at least the rule's interval.
"""

from __future__ import annotations

import csv
import itertools
import os
import subprocess
import sys
from pathlib import Path

import httpx
import polars as pl
import pytest
from conftest import ROOT

from enrich._api import enrich_result
from enrich._client import Client
from enrich._clock import FakeClock
from enrich._config import Settings
from enrich._exceptions import ResponseError
from enrich._wire import Request
from enrich.testing import FakeServices
from enrich.testing._generator import INPUT_COLUMNS, generate_corpus
from enrich.testing._server import TOLERANCE

pytestmark = pytest.mark.slow

TIME_SCALE = 10.0
#: The rules the fake enforces at TIME_SCALE (seconds between request arrivals);
#: GitHub's is the client's own pacing of its 900-per-minute secondary limit.
RULES = {"arxiv": 3.0 / TIME_SCALE, "s2": 1.0 / TIME_SCALE, "github": 60.0 / 900.0 / TIME_SCALE}
#: Margin the clients keep over each rule: they space the starts of requests, the
#: fake times their arrival, and thread scheduling on a busy two-core machine puts
#: up to ~20 ms (seen) between the two; without the shared state files the two
#: processes' requests would come a whole interval too close, not milliseconds.
SLACK = 0.05


def _write_inputs(path: Path, rows: list[dict[str, str | None]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=INPUT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _reference(fake_corpus: object, inputs: Path) -> pl.DataFrame:
    fake = FakeServices(fake_corpus, enforce_rate_limits=False)  # type: ignore[arg-type]
    settings = Settings.from_env({}, use_cache=False)
    with Client(settings, transport=fake.transport(), clock=FakeClock()) as client:
        frame = enrich_result(str(inputs), client=client).frame
    assert frame is not None
    return frame.drop("fetched_at")


def test_two_processes_on_one_cache_respect_every_rate_rule_together(tmp_path: Path) -> None:
    work = generate_corpus(60, seed=11)
    first = _write_inputs(tmp_path / "first.csv", work.inputs[:40])
    second = _write_inputs(tmp_path / "second.csv", work.inputs[20:])  # 20 rows shared
    fake = FakeServices(work.corpus, time_scale=TIME_SCALE)  # enforcing the rules
    with fake.serve() as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
        env.update(server.env())
        env.update(
            PYTHONPATH=str(ROOT),
            ENRICH_CACHE_DIR=str(tmp_path / "shared-cache"),
            ENRICH_ARXIV_MIN_INTERVAL=str(RULES["arxiv"] + SLACK),
            ENRICH_S2_MIN_INTERVAL=str(RULES["s2"] + SLACK),
            ENRICH_GITHUB_MIN_INTERVAL=str(RULES["github"] + SLACK),
            # The Hub (no spacing rule, only a window) at its even pace: its bursts
            # otherwise crowd this process's GIL while the fake times arXiv's arrivals.
            ENRICH_HF_MIN_INTERVAL=str(300 / 500 / TIME_SCALE),
        )
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "enrich", "run", str(path), "-o", str(path) + ".parquet"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for path in (first, second)
        ]
        for run in runs:
            _, err = run.communicate(timeout=90)
            assert run.returncode == 0, err
        log = fake.log.snapshot()

    assert not [e for e in log if e.rate_violation]
    for source, rule in RULES.items():
        arrivals = sorted(e.time for e in log if e.source == source)
        assert len(arrivals) > 2, source
        gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
        assert min(gaps) >= rule * (1 - TOLERANCE), (source, min(gaps))

    # Both tables are what a lone, uninterrupted run gives.
    for path in (first, second):
        table = pl.read_parquet(str(path) + ".parquet").drop("fetched_at")
        reference = _reference(work.corpus, path)
        assert table.columns == reference.columns
        for name in reference.columns:
            assert table[name].to_list() == reference[name].to_list(), (path.name, name)


def _github(path: str) -> httpx.Response:
    if path.startswith("/repos/"):  # a renamed repository, as GitHub answers it
        return httpx.Response(301, headers={"Location": "https://api.github.com/repositories/7"})
    if path == "/repositories/7":
        return httpx.Response(200, json={"full_name": "new/name", "id": 7})
    return httpx.Response(302, headers={"Location": "https://api.github.com/loop"})


def test_a_redirect_hop_waits_its_turn_like_a_request() -> None:
    clock = FakeClock()
    settings = Settings.from_env({}, use_cache=False, github_min_interval=2.0)
    sent: list[tuple[str, float]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append((request.url.path, clock.monotonic()))
        return _github(request.url.path)

    with Client(settings, transport=httpx.MockTransport(answer), clock=clock) as client:
        response = client.send(Request("github", "GET", f"{settings.github_url}/repos/old/name"))
        loop = Request("github", "GET", f"{settings.github_url}/loop")
        with pytest.raises(ResponseError, match="more than 20 redirects"):
            client.send(loop)
        stats = client.stats()["github"]
    assert response.status == 200
    assert response.url == "https://api.github.com/repositories/7"
    # The 301's follow-up was paced like any request, not sent straight after.
    spacing = 2.0 + settings.pacing_margin
    assert sent[:2] == [("/repos/old/name", 0.0), ("/repositories/7", pytest.approx(spacing))]
    assert all(b - a >= spacing - 1e-9 for (_, a), (_, b) in itertools.pairwise(sent))
    assert len(sent) == 2 + 21  # the loop: the first request and 20 hops, never retried
    assert stats.requests == len(sent)
